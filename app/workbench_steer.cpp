// The playground dock and the Pareto view's "Sweep front": WorkbenchController's
// side of core/train/steering.h, run by SteerController on its worker thread.
#include "workbench_controller.h"

#include "core_views.h"
#include "main_window.h"
#include "pareto_view.h"
#include "playground_panel.h"
#include "steer_controller.h"
#include "train/grpo_checkpoint.h"
#include "train/policy_export.h"
#include "train/steering.h"
#include "workspace.h"

#include <QDockWidget>
#include <QStatusBar>

namespace awb {

namespace {

QStringList names(const QVector<view::AspectSpec> &aspects)
{
    QStringList out;
    for (const auto &a : aspects)
        out << a.name;
    return out;
}

std::vector<std::string> stdNames(const QVector<view::AspectSpec> &aspects)
{
    std::vector<std::string> out;
    for (const auto &a : aspects)
        out.push_back(ss(a.name));
    return out;
}

} // namespace

void WorkbenchController::buildSteering()
{
    m_steer = new SteerController(this);
    m_playground = new PlaygroundPanel;
    m_playgroundDock = m_window->addDockView(m_playground, tr("Playground"), QStringLiteral("playgroundDock"),
                                             Qt::LeftDockWidgetArea);
}

void WorkbenchController::connectSteering()
{
    connect(m_playground, &PlaygroundPanel::generateRequested, this,
            [this](const QString &checkpoint, const QString &prompt, const QVector<double> &a, const QVector<double> &b,
                   int samples) {
                if (!m_steer->generate(checkpoint, prompt, a, b, samples, m_demo))
                    m_playground->showError(tr("Still busy with the last request (or a front sweep)."));
                else
                    m_playground->setBusy(true, tr("Loading the checkpoint…"));
            });
    connect(m_steer, &SteerController::generated, m_playground, &PlaygroundPanel::showResults);
    connect(m_steer, &SteerController::progress, this, [this](const QString &text) {
        m_playground->setBusy(true, text);
        if (m_sweeping)
            m_pareto->setSweepStatus(text);
    });
    connect(m_steer, &SteerController::failed, this, [this](const QString &message) {
        m_playground->showError(message);
        if (m_sweeping)
            showError(message);
    });
    connect(m_steer, &SteerController::swept, m_pareto, &ParetoView::setSweptFront);
    connect(m_steer, &SteerController::finished, this, [this] {
        m_playground->setBusy(false, tr("Done."));
        m_sweeping = false;
        m_pareto->setSweepStatus(QString());
    });
    connect(m_pareto, &ParetoView::sweepRequested, this, [this](bool adversarialOnly) { sweepFront(adversarialOnly); });
    connect(m_playgroundDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            refreshCheckpoints();
    });
    connect(this, &WorkbenchController::trainingFinished, this, [this] { refreshCheckpoints(); });
}

QVector<view::SteerCheckpoint> WorkbenchController::steerCheckpoints() const
{
    QVector<view::SteerCheckpoint> out;
    if (!m_workspace)
        return out;
    const QStringList shown = names(m_aspects);
    const auto runs = m_workspace->runs();
    for (auto run = runs.crbegin(); run != runs.crend(); ++run) {
        const auto aspects = m_workspace->aspects(run->id);
        if (names(aspects) != shown)
            continue;   // the playground's sliders are the shown run's aspects
        const auto checkpoints = runCheckpoints(runCheckpointDir(ss(m_workspace->path()), run->id));
        for (auto cp = checkpoints.crbegin(); cp != checkpoints.crend(); ++cp) {
            try {
                const SteeringInfo info = steeringInfo(cp->path);
                if (m_workspace->store().run(run->id)->config.value("algorithm", std::string("grpo")) == "dpo")
                    break;
                view::SteerCheckpoint c;
                c.path = qs(cp->path);
                c.steerable = info.steerable;
                const auto w = info.over(stdNames(aspects));
                c.runWeights = QVector<double>(w.begin(), w.end());
                c.label = (info.steerable ? tr("Run %1 · %2 (steerable) · step %3") : tr("Run %1 · %2 · step %3"))
                              .arg(run->id)
                              .arg(run->name)
                              .arg(cp->step);
                out << c;
            } catch (const std::exception &) {
                // A checkpoint whose state cannot be read is not offered.
            }
        }
    }
    return out;
}

void WorkbenchController::refreshCheckpoints()
{
    m_playground->setAspects(m_aspects);
    m_playground->setCheckpoints(steerCheckpoints());
}

void WorkbenchController::sweepFront(bool adversarialOnly, qint64 runId)
{
    const qint64 swept = runId > 0 ? runId : m_shownRun;
    if (!m_workspace || swept <= 0)
        return showError(tr("Open a workspace with a run first."));
    const auto checkpoints = runCheckpoints(runCheckpointDir(ss(m_workspace->path()), swept));
    if (checkpoints.empty())
        return showError(tr("Run %1 has no checkpoint yet: a sweep generates from one.").arg(swept));
    SteerController::SweepRequest req;
    req.db = m_workspace->path();
    req.runId = swept;
    req.checkpoint = qs(checkpoints.back().path);
    req.runLabel = tr("run %1").arg(swept);
    req.xAspect = m_pareto->xAspect();
    req.yAspect = m_pareto->yAspect();
    req.adversarialOnly = adversarialOnly;
    req.gold = m_demo;
    // The workspace's fixed-weight runs with the same aspects: each its newest checkpoint, one point.
    const QStringList shown = names(m_aspects);
    for (const auto &run : m_workspace->runs()) {
        if (run.id == swept || names(m_workspace->aspects(run.id)) != shown)
            continue;
        const auto cps = runCheckpoints(runCheckpointDir(ss(m_workspace->path()), run.id));
        if (cps.empty())
            continue;
        try {
            const SteeringInfo info = steeringInfo(cps.back().path);
            if (info.steerable || m_workspace->store().run(run.id)->config.value("algorithm", std::string()) == "dpo")
                continue;
            QStringList w;
            const auto weights = info.over(stdNames(m_aspects));
            w << QStringLiteral("%1 %2").arg(m_aspects[req.xAspect].name).arg(weights[std::size_t(req.xAspect)], 0, 'f', 2)
              << QStringLiteral("%1 %2").arg(m_aspects[req.yAspect].name).arg(weights[std::size_t(req.yAspect)], 0, 'f', 2);
            req.fixedRuns << run.id;
            req.fixedCheckpoints << qs(cps.back().path);
            req.fixedLabels << tr("run %1 (%2)").arg(run.id).arg(w.join(QStringLiteral(", ")));
        } catch (const std::exception &) {
        }
    }
    if (!m_steer->sweep(req))
        return showError(tr("The playground is still generating; sweep when it has finished."));
    m_sweeping = true;
    m_pareto->setSweepStatus(tr("Sweeping the front of run %1…").arg(swept));
}

} // namespace awb
