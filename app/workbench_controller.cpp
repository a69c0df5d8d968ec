#include "workbench_controller.h"

#include "steer_controller.h"

#include "core_views.h"
#include "demo/demo_builder.h"
#include "main_window.h"
#include "pareto_view.h"
#include "reward_controller.h"
#include "reward_curves_view.h"
#include "reward_model_panel.h"
#include "options_form.h"
#include "run_panel.h"
#include "sample_inspector.h"
#include "sample_table_model.h"
#include "store/store.h"
#include "io/model_config.h"
#include "train/grpo_session.h"
#include "train/prompt_budget.h"
#include "weights_panel.h"
#include "workspace.h"

#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QThread>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace awb {

// ---------------------------------------------------------------- probe

EventLoopProbe::EventLoopProbe(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(10);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.nsecsElapsed();
        const double gapMs = static_cast<double>(now - m_last) / 1e6 - 10.0;
        ++m_ticks;
        if (gapMs > 50.0)
            ++m_over50;
        if (gapMs > m_longestMs) {
            m_longestMs = gapMs;
            m_atStep = m_step;
        }
        m_last = now;
    });
    reset();
}

void EventLoopProbe::reset()
{
    m_clock.start();
    m_last = m_clock.nsecsElapsed();
    m_longestMs = 0;
    m_atStep = 0;
    m_ticks = 0;
    m_over50 = 0;
    m_timer->start();
}

void EventLoopProbe::stop() { m_timer->stop(); }

// ---------------------------------------------------------------- controller

namespace {
bool allZero(const QMap<QString, double> &weights)
{
    return !weights.isEmpty() && std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0.0; });
}
} // namespace

WorkbenchController::WorkbenchController(MainWindow *window, QObject *parent)
    : QObject(parent),
      m_window(window),
      m_training(new TrainingController(this)),
      m_rewardModels(new RewardModelController(this)),
      m_probe(new EventLoopProbe(this))
{
    m_rewardModels->setTrainingController(m_training);
    buildViews();
    connectViews();
}

WorkbenchController::~WorkbenchController()
{
    // Join the workers before the views and the workspace go.
    m_steer->reset();
    m_rewardModels->cancel();
    m_training->stop();
    m_rewardModels->wait();
    m_training->wait();
    if (m_transfer)
        m_transfer->wait();
}

void WorkbenchController::buildViews()
{
    m_curves = new RewardCurvesView;
    m_pareto = new ParetoView;
    m_inspector = new SampleInspector;
    auto *top = new QSplitter(Qt::Horizontal);
    top->setObjectName(QStringLiteral("plotsSplitter"));
    top->addWidget(m_curves);
    top->addWidget(m_pareto);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    auto *central = new QSplitter(Qt::Vertical);
    central->setObjectName(QStringLiteral("centralSplitter"));
    central->addWidget(top);
    central->addWidget(m_inspector);
    central->setStretchFactor(0, 1);
    central->setStretchFactor(1, 1);
    m_window->setCentralView(central);

    // Newest samples first: the inspector opens on what training just produced.
    if (auto *table = m_inspector->findChild<QTableView *>(QStringLiteral("samplesTable")))
        table->sortByColumn(SampleTableModel::StepColumn, Qt::DescendingOrder);

    m_run = new RunPanel;
    m_weights = new WeightsPanel;
    m_rmPanel = new RewardModelPanel;
    QDockWidget *runDock = m_window->addDockView(m_run, tr("Run"), QStringLiteral("runDock"), Qt::LeftDockWidgetArea);
    m_window->addDockView(m_weights, tr("Aspect weights"), QStringLiteral("weightsDock"), Qt::LeftDockWidgetArea);
    QDockWidget *rmDock = m_window->addDockView(m_rmPanel, tr("Reward model"), QStringLiteral("rewardModelDock"),
                                                Qt::LeftDockWidgetArea);
    m_window->tabifyDockWidget(runDock, rmDock);
    buildSteering();
    m_window->tabifyDockWidget(runDock, m_playgroundDock);
    runDock->raise();
    if (!qEnvironmentVariableIsSet("AWB_DEFAULT_LAYOUT"))   // screenshots and checks want the default layout
        m_window->restoreLayout();

    m_overlayMenu = m_window->viewMenu()->addMenu(tr("&Overlay runs on the curves"));
    m_overlayMenu->setObjectName(QStringLiteral("overlayRunsMenu"));
    connect(m_overlayMenu, &QMenu::aboutToShow, this, &WorkbenchController::rebuildOverlayMenu);
}

// Earlier (or later) runs of the workspace with the same aspects, drawn faded
// beside the run shown; the list is built when the menu opens.
void WorkbenchController::rebuildOverlayMenu()
{
    m_overlayMenu->clear();
    if (!m_workspace)
        return;
    const QStringList names = aspectNames(m_aspects);
    for (const auto &run : m_workspace->runs()) {
        if (run.id == m_shownRun || aspectNames(m_workspace->aspects(run.id)) != names)
            continue;
        QAction *a = m_overlayMenu->addAction(tr("Run %1 · %2").arg(run.id).arg(run.name));
        a->setCheckable(true);
        a->setChecked(m_curves->runIds().contains(run.id));
        connect(a, &QAction::toggled, this, [this, id = run.id, name = run.name](bool on) { overlayRun(id, name, on); });
    }
    if (m_overlayMenu->isEmpty())
        m_overlayMenu->addAction(tr("No other run with these aspects"))->setEnabled(false);
}

void WorkbenchController::overlayRun(qint64 runId, const QString &name, bool on)
{
    if (!m_workspace || runId == m_shownRun)
        return;
    if (on) {
        m_curves->setRun(runId, name, m_workspace->stepPoints(runId));
        m_curves->setMarkers(m_workspace->markers(m_shownRun));
    } else {
        m_curves->removeRun(runId);
    }
}

void WorkbenchController::connectViews()
{
    MainWindow *w = m_window;
    connect(w, &MainWindow::newWorkspaceRequested, this, [this] { chooseWorkspace(true); });
    connect(w, &MainWindow::openWorkspaceRequested, this, [this] { chooseWorkspace(false); });
    connect(w, &MainWindow::openDemoRequested, this, [this] { openDemo(); });
    connect(w, &MainWindow::importPromptsRequested, this, &WorkbenchController::importPrompts);
    connect(w, &MainWindow::exportSamplesRequested, this, &WorkbenchController::exportSamples);
    connect(w, &MainWindow::exportMetricsRequested, this, &WorkbenchController::exportMetrics);
    connect(w, &MainWindow::exportLabelsRequested, this, &WorkbenchController::exportLabels);
    connect(w, &MainWindow::importLabelsRequested, this, &WorkbenchController::importLabels);
    connect(w, &MainWindow::exportPolicyRequested, this, &WorkbenchController::exportPolicyWithDialog);
    connect(w, &MainWindow::exportRewardModelRequested, this, &WorkbenchController::exportRewardModelWithDialog);
    connect(w, &MainWindow::importRewardModelRequested, this, &WorkbenchController::importRewardModelWithDialog);
    connect(w, &MainWindow::newRewardModelRequested, this, &WorkbenchController::newRewardModelWithDialog);
    connect(w, &MainWindow::sampleForLabellingRequested, this, &WorkbenchController::sampleForLabellingWithDialog);

    connectFollowing();
    connectSteering();
    connectConstraints();
    connect(m_run, &RunPanel::startRequested, this, [this] { startTraining(); });
    // Queued: the form is rebuilt, which must not happen inside the combo box's own signal.
    connect(m_run->optionsForm(), &OptionsForm::valuesChanged, this, [this] { followAlgorithm(); }, Qt::QueuedConnection);
    connect(m_run, &RunPanel::pauseRequested, m_training, &TrainingController::pause);
    connect(m_run, &RunPanel::resumeRequested, m_training, &TrainingController::resume);
    connect(m_run, &RunPanel::stopRequested, m_training, &TrainingController::stop);
    connect(m_training, &TrainingController::stateChanged, this, [this](TrainingController::State s) {
        m_run->setState(static_cast<RunPanel::State>(static_cast<int>(s)));
    });
    connect(m_training, &TrainingController::runStarted, this, &WorkbenchController::onRunStarted);
    connect(m_training, &TrainingController::stepFinished, this, &WorkbenchController::onStep);
    connect(m_training, &TrainingController::phaseChanged, this, [this](int step, const QString &phase) {
        // The trainer's phase names, as the user reads them.
        QString text = phase;
        if (phase == QLatin1String("generation"))
            text = tr("generating completions");
        else if (phase == QLatin1String("scoring"))
            text = tr("scoring with the reward model");
        else if (phase == QLatin1String("reference"))
            text = tr("reference log-probabilities");
        else if (phase == QLatin1String("update"))
            text = tr("updating the policy");
        m_window->statusBar()->showMessage(tr("Step %1: %2").arg(step).arg(text));
    });
    connect(m_training, &TrainingController::logMessage, this,
            [this](const QString &m) { m_window->statusBar()->showMessage(m, 5000); });
    connect(m_training, &TrainingController::failed, this, &WorkbenchController::showError);
    connect(m_training, &TrainingController::finished, this, [this](qint64 runId, const QString &status) {
        m_probe->stop();   // the stall figure covers the run, not what follows it (a screenshot, say)
        QString text;
        if (status == QLatin1String("finished"))
            text = tr("Run %1 finished at step %2").arg(runId).arg(m_lastStep);
        else if (status == QLatin1String("stopped"))
            text = tr("Run %1 stopped at step %2").arg(runId).arg(m_lastStep);
        else if (status == QLatin1String("failed"))
            text = tr("Run %1 failed at step %2").arg(runId).arg(m_lastStep);
        else
            text = tr("Run %1 ended at step %2 (%3)").arg(runId).arg(m_lastStep).arg(status);
        m_window->statusBar()->showMessage(text);
        emit trainingFinished(runId, status);
    });

    connect(m_weights, &WeightsPanel::weightsChanged, this,
            [this](const QMap<QString, double> &weights, const QString &aggregation) {
                if (allZero(weights)) {   // the trainer would refuse them and fail the run
                    showError(tr("All aspect weights are 0, so every advantage would be 0; the run keeps the "
                                 "weights it has. Set at least one weight above 0."));
                    return;
                }
                m_run->clearError();
                m_training->setWeights(weights, aggregation);
                QSettings().setValue(QStringLiteral("training/aggregation"), aggregation);
            });

    connect(m_pareto, &ParetoView::sampleActivated, this, [this](qint64 id) { m_inspector->selectSample(id); });
    connect(m_pareto, &ParetoView::stepActivated, this, [this](int step) { m_inspector->setStepFilter(step); });
    connect(m_curves, &RewardCurvesView::stepActivated, this,
            [this](qint64, int step) { m_inspector->setStepFilter(step); });

    connect(m_inspector, &SampleInspector::labelsSubmitted, this, &WorkbenchController::onLabelsSubmitted);

    connect(m_rmPanel, &RewardModelPanel::retrainRequested, this, &WorkbenchController::retrain);
    connect(m_rmPanel, &RewardModelPanel::cancelRequested, m_rewardModels, &RewardModelController::cancel);
    connect(m_rewardModels, &RewardModelController::epochFinished, this, [this](int epoch, double loss) {
        m_rmPanel->setTrainingProgress(epoch, m_rmEpochs, loss, view::missing());
    });
    connect(m_rewardModels, &RewardModelController::finished, this,
            [this](bool ok, const QString &message, qint64, const QVector<double> &, const QVector<double> &) {
                m_rmPanel->setTrainingFinished(ok, message);
                m_window->statusBar()->showMessage(message, 10000);
                refreshRewardModels();
                refreshLabelCounts();
            });
    connectAnnotation();
}

bool WorkbenchController::openWorkspace(const QString &path, QString *error)
{
    if (m_training->isActive()) {
        const QString m = tr("Stop the running job before opening another workspace.");
        if (error)
            *error = m;
        showError(m);
        return false;
    }
    std::unique_ptr<Workspace> ws;
    try {
        QDir().mkpath(QFileInfo(path).absolutePath());   // a new workspace may name a new folder
        ws = std::make_unique<Workspace>(path);
    } catch (const std::exception &e) {
        const QString m = tr("Cannot open the workspace %1: %2").arg(path, QString::fromUtf8(e.what()));
        if (error)
            *error = m;
        showError(m);
        return false;
    }
    m_workspace = std::move(ws);
    QSettings().setValue(QStringLiteral("workspace/last"), path);
    QSettings().setValue(QStringLiteral("workspace/lastIsDemo"), m_demo);
    m_window->setWindowTitle(tr("%1 – Alignment Workbench").arg(QFileInfo(path).fileName()));

    // The run form: the demo's defaults, or the library's; a workspace's newest GRPO run fills
    // the form with its options (policy folder included), so a run is repeated or continued
    // without typing them again.
    GrpoOptions defaults;
    if (m_demo)
        defaults = demoGrpoOptions(ss(m_demoDir));
    m_optionDefaults = grpoOptionSpecs(defaults);
    showRunOptions(defaults);
    if (m_demo)
        m_run->setPolicyPath(qs(defaults.model));
    else
        restoreLastRunOptions();

    refreshPromptSets();
    refreshRewardModels();
    refreshLabelCounts();

    const auto runs = m_workspace->runs();
    if (!runs.isEmpty())
        showRun(runs.last().id);
    else
        showAspectsBeforeFirstRun();
    m_window->statusBar()->showMessage(tr("Workspace %1: %n run(s)", nullptr, int(runs.size())).arg(path));
    return true;
}

bool WorkbenchController::openDemo(const QString &path, QString *error)
{
    const std::string dir = findDemoDir();
    if (dir.empty()) {
        const QString m = tr("The demo was not found (set AWB_DEMO_DIR, or run `awb demo-init --out DIR`).");
        if (error)
            *error = m;
        showError(m);
        return false;
    }
    m_demo = true;
    m_demoDir = qs(dir);
    QString file = path;
    if (file.isEmpty()) {
        const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QDir().mkpath(data);
        file = data + QStringLiteral("/demo.awb");
    }
    return openWorkspace(file, error);
}

void WorkbenchController::showRun(qint64 runId)
{
    m_shownRun = runId;
    m_aspects = m_workspace->aspects(runId);
    m_curves->clear();
    m_curves->setAspects(m_aspects);
    m_pareto->setAspects(m_aspects);
    m_inspector->setAspects(m_aspects);
    m_rmPanel->setAspects(m_aspects);
    const auto points = m_workspace->stepPoints(runId);
    QString name;
    for (const auto &r : m_workspace->runs())
        if (r.id == runId)
            name = r.name;
    m_curves->setRun(runId, name, points);
    m_curves->setMarkers(m_workspace->markers(runId));
    m_pareto->setTrajectory(points);
    showRunConstraints(runId, points);
    // The samples of the steps read above only: a run another process trains may have written
    // more since, and following it appends those with their steps.
    m_lastStep = points.isEmpty() ? 0 : points.last().step;
    const auto rows = m_workspace->samples(runId, -1, points.isEmpty() ? -1 : m_lastStep);
    m_inspector->setSamples(rows);
    QVector<view::SampleRow> last;
    for (const auto &r : rows)
        if (r.step == m_lastStep)
            last.push_back(r);
    m_pareto->setSamples(m_lastStep, last);
    m_pareto->clearSweptFront();
    refreshCheckpoints();
    if (!m_aspects.isEmpty() && m_weights->weights().isEmpty()) {
        QMap<QString, double> w;
        for (const auto &a : m_aspects)
            w[a.name] = 1.0;
        m_weights->setAspects(m_aspects, w, QStringLiteral("sum_then_normalize"));
    }
}

bool WorkbenchController::startTraining(int maxSteps)
{
    if (!m_workspace) {
        showError(tr("Open a workspace or the demo first (File menu)."));
        return false;
    }
    QString error;
    if (!m_run->validate(&error)) {
        showError(error);
        return false;
    }
    if (allZero(m_weights->weights())) {
        showError(tr("All aspect weights are 0, so every advantage would be 0 and GRPO would learn nothing. "
                     "Set at least one weight above 0."));
        return false;
    }
    if (!m_demo && m_run->rewardModelVersion() <= 0 && m_workspace->store().rewardModels().empty()) {
        showError(tr("No reward model: train one from data (Reward model ▸ New…), import one (File ▸ Import reward "
                     "model), or sample for labelling (File ▸ Sample for labelling) and train the first one from "
                     "your labels."));
        return false;
    }
    TrainingRequest r;
    r.db = m_workspace->path();
    r.demo = m_demo;
    r.demoDir = m_demoDir;
    r.device = m_run->device();
    r.threads = m_run->threads();
    GrpoOptions defaults;
    if (m_demo)
        defaults = demoGrpoOptions(ss(m_demoDir));
    nlohmann::json overrides = grpoOverridesFromForm(m_run->options(), defaults);
    if (!m_run->policyPath().isEmpty() && ss(m_run->policyPath()) != defaults.model)
        overrides["model"] = ss(m_run->policyPath());
    if (const qint64 set = m_run->promptSetId(); set > 0)
        for (const auto &[id, name] : m_workspace->store().promptSets())
            if (id == set && name != defaults.prompts)
                overrides["prompts"] = name;
    if (const qint64 v = m_run->rewardModelVersion(); v > 0)
        if (const auto info = m_workspace->store().rewardModel(v))
            overrides["reward_model"] = info->path;
    if (maxSteps > 0)
        overrides["max_steps"] = maxSteps;
    if (!promptBudgetFits(overrides, defaults))
        return false;
    r.overridesJson = QByteArray::fromStdString(overrides.dump());
    r.weights = m_weights->weights();
    r.aggregation = m_weights->aggregation();
    m_run->clearError();
    m_probe->reset();
    return m_training->start(r);
}

// A completion length that fills the policy's context is refused before a run is made
// (the trainer would fail it at once); the message says which option to lower.
bool WorkbenchController::promptBudgetFits(const nlohmann::json &overrides, const GrpoOptions &defaults)
{
    const std::string model = overrides.value("model", defaults.model);
    ModelConfig config;
    try {
        config = loadModelConfig(model);
    } catch (const std::exception &) {
        return true;   // the run names the folder's problem itself
    }
    try {
        promptBudget(overrides.value("max_prompt_length", defaults.maxPromptLength),
                     overrides.value("max_completion_length", defaults.maxCompletionLength),
                     config.maxPositionEmbeddings, model);
    } catch (const std::exception &e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    return true;
}

void WorkbenchController::onRunStarted(qint64 runId, const QVector<view::AspectSpec> &aspects, int startStep,
                                       int maxSteps, const QMap<QString, double> &weights, const QString &aggregation)
{
    Q_UNUSED(maxSteps)
    if (aspectNames(m_aspects) != aspectNames(aspects) || m_weights->weights().isEmpty())
        m_weights->setAspects(aspects, weights, aggregation);
    showRun(runId);
    m_lastStep = startStep;
    refreshRewardModels();
    refreshPromptSets();   // a run may import its prompt file into the workspace
}

void WorkbenchController::refreshPromptSets()
{
    if (!m_workspace)
        return;
    QVector<QPair<qint64, QString>> sets;
    for (const auto &[id, name] : m_workspace->store().promptSets())
        sets.push_back({id, QFileInfo(qs(name)).fileName()});
    m_run->setPromptSets(sets);
}

void WorkbenchController::onStep(const view::StepPoint &point, int maxSteps, const QMap<QString, double> &weights,
                                 const QString &aggregation, qint64 rmVersion, double stepSeconds, double tokensPerSecond)
{
    m_lastStep = point.step;
    m_probe->setStep(point.step);
    m_curves->appendPoint(point);
    m_pareto->appendStep(point);
    const auto rows = m_workspace->samples(point.runId, point.step, point.step);
    m_pareto->setSamples(point.step, rows);
    m_inspector->appendSamples(rows);
    // Markers come from the store's events, written with the step.
    m_curves->setMarkers(m_workspace->markers(point.runId));
    m_run->setProgress(point.step, maxSteps, stepSeconds, tokensPerSecond);
    m_weights->setInForce(point.step, weights, aggregation);
    m_weights->setConstraintsInForce(point.step, point.bounds, point.lambdas);
    m_rmPanel->setActiveVersion(rmVersion);
    emit stepShown(point.step);
}

void WorkbenchController::onLabelsSubmitted(qint64 sampleId, const QVector<double> &values, const QString &annotator,
                                            const QString &queue)
{
    if (!m_workspace)
        return;
    try {
        const QStringList names = aspectNames(m_aspects);
        m_workspace->addLabels(sampleId, names, values, annotator, queue);
        m_inspector->setLabels(sampleId, m_workspace->latestLabels(sampleId, names));
    } catch (const std::exception &e) {
        showError(tr("The labels were not saved: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    refreshLabelCounts();
}

void WorkbenchController::refreshLabelCounts()
{
    if (!m_workspace)
        return;
    QMap<QString, qint64> counts;
    for (const auto &[k, v] : m_workspace->store().labelCountsPerAspect())
        counts[qs(k)] = v;
    m_rmPanel->setLabelCounts(counts);
    const qint64 since = m_workspace->labelsSinceLastRewardModel();
    m_rmPanel->setLabelsSinceTraining(since);
    m_rmPanel->setUncertaintyLabelsSinceTraining(m_workspace->labelsSinceLastRewardModel(QStringLiteral("uncertainty")));
    m_inspector->setLabelsSinceRetrain(static_cast<int>(since), m_workspace->latestRewardModelVersion());
}

void WorkbenchController::refreshRewardModels()
{
    if (!m_workspace)
        return;
    QVector<RewardModelVersionRow> rows;
    QVector<QPair<qint64, QString>> combo;
    if (m_demo)
        combo.push_back({0, tr("the demo's reward model")});
    else
        combo.push_back({0, tr("newest version")});
    for (const auto &info : m_workspace->store().rewardModels()) {
        RewardModelVersionRow row;
        row.version = info.version;
        row.created = QDateTime::fromMSecsSinceEpoch(info.createdMs);
        row.labelCount = info.labelCount;
        row.note = qs(info.note);
        for (const auto &a : m_aspects) {
            const auto it = info.metrics.find(ss(a.name));
            if (it != info.metrics.end() && it->is_object())
                row.metrics[a.name] = {jsonNumber(*it, "rmse"), jsonNumber(*it, "pearson"), jsonNumber(*it, "spearman"),
                                       jsonNumber(*it, "pairwise_accuracy")};
        }
        rows.push_back(row);
        combo.push_back({info.version, tr("v%1 · %2").arg(info.version).arg(row.created.toString(QStringLiteral("yyyy-MM-dd HH:mm")))});
    }
    m_rmPanel->setVersions(rows);
    m_run->setRewardModelVersions(combo);
}

void WorkbenchController::retrain()
{
    if (!m_workspace)
        return;
    RetrainRequest r;
    r.db = m_workspace->path();
    if (m_demo)
        r.replayLabelsPath = m_demoDir + QStringLiteral("/labels.jsonl");
    r.epochs = m_rmEpochs;
    r.ensembleSize = m_rmPanel->ensembleSize();
    if (!m_rewardModels->start(r))
        return;
    m_rmPanel->setTrainingStarted(m_rmEpochs);
}

void WorkbenchController::showError(const QString &message)
{
    m_run->setError(message);
    m_window->statusBar()->showMessage(message, 15000);
}

} // namespace awb
