#pragma once
// Assembles the workbench: the main window and its views (widgets/), the
// workspace (store), the GRPO job and the reward-model retraining, and wires
// them: steps flow into the curves, the Pareto view and the inspector; weight
// edits go to the running job; labels go to the store and feed retraining,
// whose new version the job picks up at its next step.
// GUI thread only. No torch in this header.

#include "model_export_dialog.h"
#include "steer_types.h"
#include "reward_controller.h"
#include "training_controller.h"
#include "store/store.h"
#include "train/grpo_options.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QDockWidget;
class QMenu;
class QThread;
class QTimer;

namespace awb {

class MainWindow;
class ParetoView;
class PlaygroundPanel;
class SteerController;
class RewardCurvesView;
class RewardModelController;
class RewardModelPanel;
class RunPanel;
class SampleInspector;
class WeightsPanel;
class Workspace;

// Measures how long the GUI event loop goes without running a 10 ms timer:
// the longest gap minus the interval is the worst stall a user could feel.
class EventLoopProbe : public QObject
{
    Q_OBJECT

public:
    explicit EventLoopProbe(QObject *parent = nullptr);
    double longestStallMs() const { return m_longestMs; }
    int longestStallAtStep() const { return m_atStep; }
    qint64 ticks() const { return m_ticks; }               // timer ticks seen while measuring
    qint64 stallsOver50Ms() const { return m_over50; }     // ticks that came more than 50 ms late
    void setStep(int step) { m_step = step; }
    void reset();   // starts measuring afresh (the controller calls it when a run starts)
    void stop();    // stops measuring (when the run ends), so later work is not counted

private:
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_longestMs = 0;
    int m_step = 0, m_atStep = 0;
    qint64 m_ticks = 0, m_over50 = 0;
};

class WorkbenchController : public QObject
{
    Q_OBJECT

public:
    explicit WorkbenchController(MainWindow *window, QObject *parent = nullptr);
    ~WorkbenchController() override;

    // Opens (creating when missing) a workspace file and shows its newest run.
    // Returns false with a message box / *error on failure; the old workspace stays open.
    bool openWorkspace(const QString &path, QString *error = nullptr);
    // The demo: the shipped model, reward model and prompts; workspace `path`
    // (default: demo.awb in the user's data folder).
    bool openDemo(const QString &path = QString(), QString *error = nullptr);
    bool isDemo() const { return m_demo; }
    QString demoDir() const { return m_demoDir; }

    // Starts GRPO with the run panel's settings; `maxSteps` > 0 overrides max_steps.
    bool startTraining(int maxSteps = 0);
    // File menu, without the dialogs: write every label of the workspace to
    // `path` / merge the labels of such a file (core/store/label_exchange.h).
    // Return the summary the menu shows, or an empty string with *error set.
    QString exportLabelsTo(const QString &path, QString *error);
    QString importLabelsFrom(const QString &path, QString *error);
    // The shown run's samples with scores, labels, gold, reward and advantage:
    // CSV when `path` ends in .csv, else JSON lines. Returns the rows written,
    // or -1 with *error set (the file is then left as it was).
    qint64 exportSamplesTo(const QString &path, QString *error);
    // File menu, without the dialogs (model_exchange.cpp): what can be exported
    // (every run's checkpoints, the shown run's first; the reward-model
    // versions, newest first), and the exports themselves, which run on a
    // worker thread and end with modelTransferFinished(). The import becomes the
    // workspace's next reward-model version (RewardModelController::finished).
    // Each returns false, with a message, when it cannot start.
    QVector<ModelExportDialog::Source> policyExportSources() const;
    QVector<ModelExportDialog::Source> rewardModelExportSources() const;
    // aspectWeights: "a=1,b=2" for a run with conditioning "lora" (empty: uniform).
    bool startPolicyExport(const QString &checkpoint, const QString &folder, bool adapters,
                           const QString &dtype = QStringLiteral("float32"), const QString &aspectWeights = {});
    bool startRewardModelExport(const QString &modelDir, const QString &folder);
    bool startRewardModelImport(const QString &folder);
    // The cold start and reward models from data (workbench_annotation.cpp): run in the
    // reward-model controller; the dialogs' choices, or a test's.
    bool startNewRewardModel(const NewRewardModelRequest &request);
    bool startSampling(const LabellingRequest &request);
    // Draws (on) or removes another run of the workspace, faded, on the reward
    // curves (View menu, "Overlay runs on the curves").
    void overlayRun(qint64 runId, const QString &name, bool on);
    TrainingController &training() { return *m_training; }
    RewardModelController &rewardModels() { return *m_rewardModels; }
    Workspace *workspace() const { return m_workspace.get(); }
    const EventLoopProbe &probe() const { return *m_probe; }

    RewardCurvesView *curves() const { return m_curves; }
    ParetoView *pareto() const { return m_pareto; }
    SampleInspector *inspector() const { return m_inspector; }
    WeightsPanel *weightsPanel() const { return m_weights; }
    RunPanel *runPanel() const { return m_run; }
    RewardModelPanel *rewardModelPanel() const { return m_rmPanel; }
    PlaygroundPanel *playground() const { return m_playground; }
    SteerController &steering() { return *m_steer; }
    // The checkpoints the playground offers: every run with the shown run's aspects, newest first.
    QVector<view::SteerCheckpoint> steerCheckpoints() const;
    void refreshCheckpoints();
    // The Pareto view's "Sweep front" on run `runId` (0: the shown run), on the view's axes (workbench_steer.cpp).
    void sweepFront(bool adversarialOnly, qint64 runId = 0);

signals:
    void trainingFinished(qint64 runId, const QString &status);
    void stepShown(int step);
    // An export ended: ok with a summary (folder, size), or the reason it failed.
    void modelTransferFinished(bool ok, const QString &message);

private:
    void buildViews();
    void connectViews();
    void showRun(qint64 runId);
    void refreshRewardModels();
    void refreshPromptSets();
    void rebuildOverlayMenu();
    void exportLabels();
    void importLabels();
    void refreshLabelCounts();
    void onRunStarted(qint64 runId, const QVector<view::AspectSpec> &aspects, int startStep, int maxSteps,
                      const QMap<QString, double> &weights, const QString &aggregation);
    void onStep(const view::StepPoint &point, int maxSteps, const QMap<QString, double> &weights,
                const QString &aggregation, qint64 rmVersion, double stepSeconds, double tokensPerSecond);
    void onLabelsSubmitted(qint64 sampleId, const QVector<double> &values, const QString &annotator,
                           const QString &queue);
    void retrain();
    void newRewardModelWithDialog();
    void sampleForLabellingWithDialog();
    void connectAnnotation();
    void restoreLastRunOptions();   // the newest GRPO run's options into the run form
    void showError(const QString &message);
    void chooseWorkspace(bool create);
    void importPrompts();
    void exportSamples();
    void exportMetrics();
    void exportPolicyWithDialog();
    void exportRewardModelWithDialog();
    void importRewardModelWithDialog();
    bool runTransfer(const QString &title, std::function<QString()> work);
    void showRunOptions(const GrpoOptions &options);
    bool promptBudgetFits(const nlohmann::json &overrides, const GrpoOptions &defaults);
    void followAlgorithm();   // the form's algorithm changed: its knobs follow
    // A run another process trains in this workspace (awb train, rank 0 of a job): the views
    // follow it from the store, and the weights, reward-model versions, pause and stop reach it
    // through the workspace's run controls (workbench_follow.cpp).
    void connectFollowing();
    void followTick();
    bool following() const { return m_followedRun > 0 && !m_training->isActive(); }
    void steerFollowed(const std::function<void(Store::RunControls &)> &change, const QString &what);
    // The playground dock and the front sweep (workbench_steer.cpp).
    void connectConstraints();
    void showAspectsBeforeFirstRun();
    void showRunConstraints(qint64 runId, const QVector<view::StepPoint> &points);
    void buildSteering();
    void connectSteering();

    QPointer<MainWindow> m_window;
    std::unique_ptr<Workspace> m_workspace;
    TrainingController *m_training = nullptr;
    RewardModelController *m_rewardModels = nullptr;
    EventLoopProbe *m_probe = nullptr;
    QThread *m_transfer = nullptr;   // the export running, if any

    RewardCurvesView *m_curves = nullptr;
    ParetoView *m_pareto = nullptr;
    SampleInspector *m_inspector = nullptr;
    WeightsPanel *m_weights = nullptr;
    RunPanel *m_run = nullptr;
    QMenu *m_overlayMenu = nullptr;
    RewardModelPanel *m_rmPanel = nullptr;
    PlaygroundPanel *m_playground = nullptr;
    QDockWidget *m_playgroundDock = nullptr;
    SteerController *m_steer = nullptr;
    bool m_sweeping = false;

    bool m_demo = false;
    QString m_demoDir;
    qint64 m_shownRun = 0;
    qint64 m_followedRun = 0;   // the run another process trains, while it runs
    QTimer *m_followTimer = nullptr;
    QVector<view::AspectSpec> m_aspects;
    QVector<view::OptionSpec> m_optionDefaults;
    GrpoOptions m_formDefaults;   // what the run form's defaults were built from (its algorithm included)
    int m_lastStep = 0;
    int m_rmEpochs = 3;   // retraining fine-tunes the current version; early stopping may end sooner
};

} // namespace awb
