// WorkbenchController following a run that another process trains in the
// open workspace (`awb train` from a shell, rank 0 of a torchrun job on this
// machine): once a second the views take the steps the store has gained, and
// the window's weights, reward-model versions, pause and stop are written to
// the workspace's run controls, which the run reads at every step start. The
// run never depends on the window: closing it (or a crash) leaves it training.
#include "workbench_controller.h"

#include "main_window.h"
#include "pareto_view.h"
#include "reward_curves_view.h"
#include "reward_model_panel.h"
#include "run_panel.h"
#include "sample_inspector.h"
#include "weights_panel.h"
#include "workspace.h"

#include <QStatusBar>
#include <QTimer>

namespace awb {

namespace {

QMap<QString, double> toQMap(const std::map<std::string, double> &m)
{
    QMap<QString, double> out;
    for (const auto &[k, v] : m)
        out[QString::fromStdString(k)] = v;
    return out;
}

} // namespace

void WorkbenchController::connectFollowing()
{
    m_followTimer = new QTimer(this);
    m_followTimer->setInterval(1000);
    connect(m_followTimer, &QTimer::timeout, this, &WorkbenchController::followTick);
    m_followTimer->start();
    connect(m_weights, &WeightsPanel::weightsChanged, this, [this](const QMap<QString, double> &weights, const QString &aggregation) {
        if (!following())
            return;
        steerFollowed(
            [&](Store::RunControls &c) {
                c.weights.clear();
                for (auto it = weights.begin(); it != weights.end(); ++it)
                    c.weights[it.key().toStdString()] = it.value();
                c.aggregation = aggregation.toStdString();
            },
            tr("weights"));
    });
    connect(m_run, &RunPanel::pauseRequested, this, [this] {
        if (following())
            steerFollowed([](Store::RunControls &c) { c.command = "pause"; }, tr("pause"));
    });
    connect(m_run, &RunPanel::resumeRequested, this, [this] {
        if (following())
            steerFollowed([](Store::RunControls &c) { c.command.clear(); }, tr("resume"));
    });
    connect(m_run, &RunPanel::stopRequested, this, [this] {
        if (following())
            steerFollowed([](Store::RunControls &c) { c.command = "stop"; }, tr("stop"));
    });
    // A version retrained here from the annotators' labels goes to the run through the workspace.
    connect(m_rewardModels, &RewardModelController::finished, this,
            [this](bool ok, const QString &, qint64 version, const QVector<double> &, const QVector<double> &) {
                if (ok && version > 0 && following())
                    steerFollowed([version](Store::RunControls &c) { c.rewardModelVersion = version; },
                                  tr("reward model version %1").arg(version));
            });
}

void WorkbenchController::steerFollowed(const std::function<void(Store::RunControls &)> &change, const QString &what)
{
    try {
        Store &store = m_workspace->store();
        Store::RunControls c = store.runControls(m_followedRun).value_or(Store::RunControls{});
        change(c);
        const std::int64_t revision = store.setRunControls(m_followedRun, c);
        m_window->statusBar()->showMessage(
            tr("Run %1 (trained by another process) takes the new %2 at its next step (controls revision %3)")
                .arg(m_followedRun).arg(what).arg(revision), 8000);
    } catch (const std::exception &e) {
        showError(tr("Cannot pass the %1 to run %2: %3").arg(what).arg(m_followedRun).arg(QString::fromUtf8(e.what())));
    }
}

void WorkbenchController::followTick()
{
    if (!m_workspace || m_training->isActive()) {
        m_followedRun = 0;
        return;
    }
    std::optional<Store::RunInfo> newest;
    try {
        const auto runs = m_workspace->store().runs();
        if (runs.empty())
            return;
        newest = runs.back();
    } catch (const std::exception &) {
        return;   // locked for a moment: the next tick reads it
    }
    const bool running = newest->status == "running";
    if (running && m_followedRun != newest->id) {
        if (m_shownRun != newest->id)
            showRun(newest->id);
        m_followedRun = newest->id;
        m_run->setState(RunPanel::State::Running);
        m_window->statusBar()->showMessage(
            tr("Following run %1, which another process trains; weights, pause and stop reach it at its next step")
                .arg(newest->id));
    }
    if (m_followedRun != newest->id)
        return;
    const int maxSteps = newest->config.value("max_steps", 0);
    for (const auto &point : m_workspace->stepPoints(newest->id)) {
        if (point.step <= m_lastStep)
            continue;
        const auto record = m_workspace->store().stepRecord(newest->id, point.step);
        if (!record)
            continue;
        onStep(point, maxSteps, toQMap(record->weights), QString::fromStdString(record->aggregation),
               record->rewardModelVersion, record->metrics.value("time/step", 0.0), record->metrics.value("tokens_per_s", 0.0));
    }
    if (!running) {
        m_run->setState(newest->status == "failed" ? RunPanel::State::Failed : RunPanel::State::Finished);
        m_window->statusBar()->showMessage(tr("Run %1 (another process) is %2 at step %3")
                                               .arg(newest->id).arg(QString::fromStdString(newest->status)).arg(m_lastStep));
        m_followedRun = 0;
        refreshRewardModels();
    }
}

} // namespace awb
