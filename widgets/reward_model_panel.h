#pragma once
// The reward-model panel: how many human labels there are per aspect and since
// the version in use, Retrain / Cancel with a progress bar and a live loss
// curve of the current (or last) training, the table of published versions
// with their held-out metrics, and auto-retrain every N new labels. It only
// shows and emits; app/ runs the reward-model worker and feeds it.
// GUI thread only.
//
// A training: setTrainingStarted(epochs) clears the curve and enables Cancel
// (setTrainingProgress() also starts one implicitly when none is running);
// setTrainingProgress() appends one point per epoch; setTrainingFinished()
// ends it. The curve redraws on a kRedrawMs coalescing timer.
//
// Auto-retrain (check box + "every N new labels", remembered in QSettings
// under rewardModel/autoRetrain and rewardModel/autoRetrainEvery): when
// setLabelsSinceTraining(n) sees n >= N with auto on and no training running,
// it emits retrainRequested() once; it arms again only after n drops below N
// (a new version resets the count), so a failed training does not loop.
//
// The versions table lists the newest version first; the version in use
// (setActiveVersion) reads "vN (in use)" in bold. Metric cells show three
// decimals, "–" when missing.

#include "view_types.h"

#include <QDateTime>
#include <QMap>
#include <QWidget>

class QCheckBox;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace awb {

// One published reward-model version, as the versions table shows it.
struct RewardModelVersionRow
{
    qint64 version = 0;
    QDateTime created;
    qint64 labelCount = 0;   // labels it was trained on
    QString note;
    QMap<QString, QVector<double>> metrics;   // aspect -> {rmse, pearson, spearman[, pairwise accuracy]} held out
};

class RewardModelPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kRedrawMs = 50;
    static constexpr int kDefaultAutoRetrainEvery = 50;

    explicit RewardModelPanel(QWidget *parent = nullptr);

    // The aspect order for the counts and the metric columns; aspects found
    // only in the data follow in alphabetical order.
    void setAspects(const QVector<view::AspectSpec> &aspects);

    void setLabelCounts(const QMap<QString, qint64> &counts);
    void setLabelsSinceTraining(qint64 n);
    qint64 labelsSinceTraining() const { return m_labelsSince; }
    // How many of those came from the uncertainty queue (the inspector's Most uncertain first).
    void setUncertaintyLabelsSinceTraining(qint64 n);
    qint64 uncertaintyLabelsSinceTraining() const { return m_uncertainSince; }

    // Heads of the next version (Retrain): 1 is a single model; more train an ensemble whose
    // spread the inspector's uncertainty order reads. Remembered in QSettings (rewardModel/ensembleSize).
    int ensembleSize() const;
    void setEnsembleSize(int n);

    void setVersions(const QVector<RewardModelVersionRow> &versions);
    void setActiveVersion(qint64 version);
    qint64 activeVersion() const { return m_activeVersion; }

    bool isTraining() const { return m_training; }
    bool autoRetrain() const;
    int autoRetrainEvery() const;
    void setAutoRetrain(bool on);
    void setAutoRetrainEvery(int n);

    // "0.123"; "–" for NaN.
    static QString formatMetric(double value);

public slots:
    void setTrainingStarted(int epochs);
    void setTrainingProgress(int epoch, int epochs, double trainLoss, double valLoss);
    void setTrainingFinished(bool ok, const QString &message);

signals:
    void retrainRequested();
    void newModelRequested();   // "New…": a reward model from data files
    void cancelRequested();

private:
    QStringList aspectOrder(const QStringList &extra) const;
    void rebuildCounts();
    void rebuildVersions();
    void updateSinceLabel();
    void updateButtons();
    void maybeAutoRetrain();
    void replot();

    QStringList m_aspects;
    QMap<QString, qint64> m_counts;
    QVector<RewardModelVersionRow> m_versions;
    qint64 m_activeVersion = 0;
    qint64 m_labelsSince = 0;
    qint64 m_uncertainSince = 0;
    bool m_training = false;
    bool m_autoFired = false;
    int m_epochs = 0;

    QTableWidget *m_countsTable = nullptr;
    QLabel *m_sinceLabel = nullptr;
    QPushButton *m_retrain = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPGraph *m_trainGraph = nullptr;
    QCPGraph *m_valGraph = nullptr;
    QTimer *m_redraw = nullptr;
    QTableWidget *m_versionsTable = nullptr;
    QCheckBox *m_autoCheck = nullptr;
    QSpinBox *m_autoSpin = nullptr;
    QSpinBox *m_ensembleSpin = nullptr;
};

} // namespace awb
