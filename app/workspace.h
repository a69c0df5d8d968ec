#pragma once
// The GUI thread's view of a workspace file: its own Store connection (the
// training thread has another; WAL lets both work at once), read into the
// views' value types, and the one place the GUI writes labels. GUI thread only.

#include "view_types.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

namespace awb {

class Store;

struct RunSummary
{
    qint64 id = 0;
    QString name, status;
    int lastStep = 0;
    int maxSteps = 0;
    bool demo = false;
};

class Workspace : public QObject
{
    Q_OBJECT

public:
    // Opens (creating when missing) the workspace; throws awb::Error with the
    // file name and the problem (not a database, locked, newer schema).
    explicit Workspace(const QString &path, QObject *parent = nullptr);
    ~Workspace() override;

    QString path() const { return m_path; }
    Store &store() { return *m_store; }

    QVector<RunSummary> runs() const;
    QVector<view::AspectSpec> aspects(qint64 runId) const;
    QVector<view::StepPoint> stepPoints(qint64 runId) const;
    view::StepPoint stepPoint(qint64 runId, int step) const;
    QVector<view::StepMarker> markers(qint64 runId) const;

    // Samples of a run (steps inclusive; -1 = open), with their latest human
    // labels, newest step first, at most `limit`.
    QVector<view::SampleRow> samples(qint64 runId, int stepMin = -1, int stepMax = -1, int limit = 5000) const;
    view::SampleRow sample(qint64 sampleId, qint64 runId) const;

    // Appends one label per non-missing value (the store keeps every label;
    // the latest one per aspect counts). Returns the number appended; throws on
    // a store error (disk full, locked), leaving earlier labels intact.
    // `queue`: the order the annotator labelled from ("uncertainty", "disagreement"; empty: none).
    int addLabels(qint64 sampleId, const QStringList &aspects, const QVector<double> &values, const QString &annotator,
                  const QString &queue = QString());
    QVector<double> latestLabels(qint64 sampleId, const QStringList &aspects) const;

    // Label rows appended since the newest reward-model version was registered
    // (all of them when there is none yet).
    // Label rows since the newest reward-model version; with `queue`, only those labelled from that queue.
    qint64 labelsSinceLastRewardModel(const QString &queue = QString()) const;
    qint64 latestRewardModelVersion() const;

signals:
    void labelsChanged(qint64 sampleId);

private:
    QString m_path;
    std::unique_ptr<Store> m_store;
};

} // namespace awb
