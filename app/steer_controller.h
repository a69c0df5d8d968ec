#pragma once
// The playground's and the front sweep's worker: generates from a checkpoint at
// chosen weights (core/train/steering.h) on its own thread, one request at a
// time, and hands the results back as view types. The loaded checkpoint (its
// policy and reward model) is kept for the next request until another one is
// asked for or the workspace changes. The destructor cancels a running sweep
// and waits for it, so no thread outlives its owner.
// GUI thread only (the work itself runs on the worker). No torch in this header.

#include "steer_types.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace awb {

class SteerController : public QObject
{
    Q_OBJECT

public:
    explicit SteerController(QObject *parent = nullptr);
    ~SteerController() override;

    bool busy() const { return m_job != nullptr; }
    // Drops the loaded checkpoint (a new workspace); waits for a running request.
    void reset();

    // Side 0 (A) and, when weightsB is not empty, side 1 (B): `samples`
    // completions of `prompt`. Empty weights: the run's own. `gold`: score with
    // the demo's judge too. False when a request is still running.
    bool generate(const QString &checkpoint, const QString &prompt, const QVector<double> &weightsA,
                  const QVector<double> &weightsB, int samples, bool gold);

    struct SweepRequest
    {
        QString db;                   // the workspace file
        qint64 runId = 0;             // the swept run
        QString checkpoint;           // its checkpoint
        QString runLabel;
        int xAspect = 0, yAspect = 1;
        int points = 9;
        int samples = 2;              // completions per prompt and vector
        bool adversarialOnly = false; // the demo's adversarial held-out prompts only
        bool gold = false;
        QVector<qint64> fixedRuns;    // other runs, each one point at its own weights
        QVector<QString> fixedCheckpoints;
        QVector<QString> fixedLabels;
    };
    // The front of the run on the (x, y) plane over its held-out prompts. False when busy.
    bool sweep(const SweepRequest &request);
    void cancel() { m_cancel = true; }

signals:
    void generated(int side, const QVector<view::SteerSampleRow> &samples, const QString &note);
    void swept(const view::SweptFront &front);
    void progress(const QString &text);
    void failed(const QString &message);
    void finished();   // after generated/swept/failed: the worker is free again

private:
    struct Cache;
    // Runs `work` on a new worker thread, then `done` on the GUI thread; false when busy.
    bool start(const std::function<void()> &work, const std::function<void()> &done);

    std::shared_ptr<Cache> m_cache;   // touched only by the job running (one at a time)
    QThread *m_job = nullptr;
    std::atomic<bool> m_cancel{false};
};

} // namespace awb
