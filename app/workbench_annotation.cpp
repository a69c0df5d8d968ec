// WorkbenchController: the annotators' cold start (File ▸ Sample for
// labelling) and reward models from data (Reward model ▸ New…, File ▸ New
// reward model from data). Both run in the reward-model controller's worker.
#include "workbench_controller.h"

#include "core_views.h"
#include "main_window.h"
#include "new_reward_model_dialog.h"
#include "reward_controller.h"
#include "run_panel.h"
#include "reward_model_panel.h"
#include "store/store.h"
#include "workspace.h"

#include <QStatusBar>

namespace awb {

void WorkbenchController::connectAnnotation()
{
    connect(m_rmPanel, &RewardModelPanel::newModelRequested, this, &WorkbenchController::newRewardModelWithDialog);
    connect(m_rewardModels, &RewardModelController::progress, this,
            [this](int epoch, int epochs, int batch, int batches, double) {
                m_window->statusBar()->showMessage(
                    tr("Reward model: epoch %1 of %2, batch %3 of %4").arg(epoch).arg(epochs).arg(batch + 1).arg(batches));
            });
    connect(m_rewardModels, &RewardModelController::samplingProgress, this, [this](int done, int total) {
        m_window->statusBar()->showMessage(tr("Sampling for labelling: %1 of %2 prompts").arg(done).arg(total));
    });
    connect(m_rewardModels, &RewardModelController::samplingFinished, this,
            [this](bool ok, const QString &message, qint64 runId) {
                if (!ok)
                    showError(message);
                m_window->statusBar()->showMessage(message, 15000);
                if (runId > 0)
                    showRun(runId);
            });
}

bool WorkbenchController::startNewRewardModel(const NewRewardModelRequest &request)
{
    if (!m_rewardModels->startFromData(request)) {
        showError(tr("A reward-model job is running; start when it has finished."));
        return false;
    }
    m_rmPanel->setTrainingStarted(request.epochs);
    return true;
}

bool WorkbenchController::startSampling(const LabellingRequest &request)
{
    if (!m_rewardModels->startSampling(request)) {
        showError(tr("A reward-model job is running; sample when it has finished."));
        return false;
    }
    m_window->statusBar()->showMessage(tr("Sampling for labelling…"));
    return true;
}

void WorkbenchController::newRewardModelWithDialog()
{
    if (!m_workspace)
        return showError(tr("Open a workspace first."));
    const bool hasLabels = !m_workspace->store().labelledSamples().empty();
    NewRewardModelDialog dialog(m_workspace->path(), m_run->policyPath(), hasLabels, m_window);
    if (dialog.exec() == QDialog::Accepted)
        startNewRewardModel(dialog.request());
}

void WorkbenchController::sampleForLabellingWithDialog()
{
    if (!m_workspace)
        return showError(tr("Open a workspace first."));
    if (m_workspace->store().promptSets().empty())
        return showError(tr("The workspace has no prompts: import a prompt file first (File ▸ Import prompts)."));
    SampleForLabellingDialog dialog(m_run->policyPath(), m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    LabellingRequest r;
    r.db = m_workspace->path();
    r.model = m_run->policyPath();
    r.promptSetId = m_run->promptSetId();
    r.prompts = dialog.prompts();
    r.generations = dialog.generations();
    r.maxCompletionLength = dialog.maxCompletionLength();
    startSampling(r);
}

} // namespace awb
