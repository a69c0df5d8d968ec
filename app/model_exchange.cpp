// File ▸ Export trained policy, Export reward model and Import reward model:
// WorkbenchController's side of core/train/policy_export.h and
// core/reward/reward_exchange.h. Exports run on a worker thread behind a busy
// progress dialog, so a large model does not freeze the window (nor the plots
// of a run that is still training); the result comes back as
// modelTransferFinished(). Imports go through RewardModelController, which
// also hands the new version to a running job.
#include "workbench_controller.h"

#include "core_views.h"
#include "main_window.h"
#include "model_export_dialog.h"
#include "reward/reward_exchange.h"
#include "reward_controller.h"
#include "store/store.h"
#include "train/grpo_checkpoint.h"
#include "train/policy_export.h"
#include "train/steering.h"
#include "util/error.h"
#include "workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSettings>
#include <QStatusBar>
#include <QThread>

#include <memory>

namespace awb {

namespace {

const char *kExportFolderKey = "export/lastFolder";

QString exportParentFolder()
{
    return QSettings().value(QLatin1String(kExportFolderKey), QDir::homePath()).toString();
}

} // namespace

QVector<ModelExportDialog::Source> WorkbenchController::policyExportSources() const
{
    QVector<ModelExportDialog::Source> out;
    if (!m_workspace)
        return out;
    const QVector<RunSummary> runs = m_workspace->runs();
    // The shown run first, then the others, newest first; each run's newest checkpoint first.
    QVector<RunSummary> ordered;
    for (const RunSummary &r : runs)
        if (r.id == m_shownRun)
            ordered << r;
    for (auto it = runs.crbegin(); it != runs.crend(); ++it)
        if (it->id != m_shownRun)
            ordered << *it;
    for (const RunSummary &run : ordered) {
        const auto checkpoints = runCheckpoints(runCheckpointDir(ss(m_workspace->path()), run.id));
        for (auto it = checkpoints.crbegin(); it != checkpoints.crend(); ++it) {
            ModelExportDialog::Source s;
            s.text = it->lora ? tr("Run %1 · %2 — step %3 (LoRA)").arg(run.id).arg(run.name).arg(it->step)
                              : tr("Run %1 · %2 — step %3").arg(run.id).arg(run.name).arg(it->step);
            s.path = qs(it->path);
            s.folderName = QStringLiteral("policy-run%1-step%2").arg(run.id).arg(it->step);
            s.lora = it->lora;
            try {
                s.atWeights = steeringInfo(it->path).conditioning == "lora";
            } catch (const Error &) {
                // A checkpoint whose options cannot be read exports at no weights; the export says why.
            }
            out << s;
        }
    }
    return out;
}

QVector<ModelExportDialog::Source> WorkbenchController::rewardModelExportSources() const
{
    QVector<ModelExportDialog::Source> out;
    if (!m_workspace)
        return out;
    const auto versions = m_workspace->store().rewardModels();
    for (auto it = versions.crbegin(); it != versions.crend(); ++it) {
        ModelExportDialog::Source s;
        s.text = tr("v%1 — %n label(s), %2", nullptr, int(it->labelCount))
                     .arg(it->version)
                     .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(it->createdMs), QLocale::ShortFormat));
        s.path = qs(it->path);
        s.folderName = QStringLiteral("%1-reward-model-v%2").arg(QFileInfo(m_workspace->path()).completeBaseName()).arg(it->version);
        out << s;
    }
    return out;
}

bool WorkbenchController::runTransfer(const QString &title, std::function<QString()> work)
{
    if (m_transfer) {
        showError(tr("An export is still running; wait for it to finish."));
        return false;
    }
    auto *progress = new QProgressDialog(title, QString(), 0, 0, m_window);
    progress->setObjectName(QStringLiteral("transferProgress"));
    progress->setWindowModality(Qt::WindowModal);
    progress->setCancelButton(nullptr);   // a half export is never left behind, but it cannot stop midway
    progress->setMinimumDuration(400);
    auto result = std::make_shared<std::pair<bool, QString>>(false, QString());
    m_transfer = QThread::create([work = std::move(work), result] {
        try {
            result->second = work();
            result->first = true;
        } catch (const std::exception &e) {
            result->second = QString::fromUtf8(e.what());
        }
    });
    m_transfer->setObjectName(QStringLiteral("model-export"));
    connect(m_transfer, &QThread::finished, this, [this, progress, result] {
        progress->deleteLater();
        m_transfer->deleteLater();
        m_transfer = nullptr;
        if (result->first)
            m_window->statusBar()->showMessage(result->second, 10000);
        emit modelTransferFinished(result->first, result->second);
    });
    m_transfer->start();
    return true;
}

bool WorkbenchController::startPolicyExport(const QString &checkpoint, const QString &folder, bool adapters,
                                            const QString &dtype, const QString &aspectWeights)
{
    return runTransfer(tr("Exporting the policy to %1…").arg(folder), [checkpoint, folder, adapters, dtype, aspectWeights] {
        const PolicyExportResult r = exportPolicy(
            ss(checkpoint), ss(folder), adapters ? PolicyExportLayout::Adapters : PolicyExportLayout::Merged, 0,
            ss(dtype), ss(aspectWeights));
        const QString size = QLocale().formattedDataSize(static_cast<qint64>(r.bytes));
        if (adapters)
            return tr("LoRA adapters of step %1 written to %2 (%3 tensors, %4)")
                .arg(r.step)
                .arg(qs(r.path))
                .arg(r.tensors)
                .arg(size);
        return tr("Policy of step %1 written to %2 (%3 tensors, %4, %5)")
            .arg(r.step)
            .arg(qs(r.path))
            .arg(r.tensors)
            .arg(size, qs(r.dtype));
    });
}

bool WorkbenchController::startRewardModelExport(const QString &modelDir, const QString &folder)
{
    return runTransfer(tr("Exporting the reward model to %1…").arg(folder), [modelDir, folder] {
        const RewardModelTransfer t = exportRewardModel(ss(modelDir), ss(folder));
        QStringList aspects;
        for (const auto &a : t.aspects)
            aspects << qs(a);
        return tr("Reward model written to %1 (aspects: %2)").arg(qs(t.path), aspects.join(QStringLiteral(", ")));
    });
}

bool WorkbenchController::startRewardModelImport(const QString &folder)
{
    if (!m_workspace) {
        showError(tr("Open a workspace first."));
        return false;
    }
    if (!m_rewardModels->startImport(m_workspace->path(), folder)) {
        showError(tr("The reward model is being retrained; import when that has finished."));
        return false;
    }
    m_window->statusBar()->showMessage(tr("Importing the reward model from %1…").arg(folder));
    return true;
}

void WorkbenchController::exportPolicyWithDialog()
{
    if (!m_workspace)
        return showError(tr("Open a workspace first."));
    ModelExportDialog dialog(ModelExportDialog::Kind::Policy, policyExportSources(), exportParentFolder(), m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QSettings().setValue(QLatin1String(kExportFolderKey), QFileInfo(dialog.folder()).absolutePath());
    startPolicyExport(dialog.source().path, dialog.folder(), dialog.adapters(), dialog.dtype(), dialog.aspectWeights());
}

void WorkbenchController::exportRewardModelWithDialog()
{
    if (!m_workspace)
        return showError(tr("Open a workspace first."));
    ModelExportDialog dialog(ModelExportDialog::Kind::RewardModel, rewardModelExportSources(), exportParentFolder(),
                             m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QSettings().setValue(QLatin1String(kExportFolderKey), QFileInfo(dialog.folder()).absolutePath());
    startRewardModelExport(dialog.source().path, dialog.folder());
}

void WorkbenchController::importRewardModelWithDialog()
{
    if (!m_workspace)
        return showError(tr("Open a workspace first."));
    const QString folder = QFileDialog::getExistingDirectory(
        m_window, tr("Import reward model (a folder with reward_model.json)"), exportParentFolder());
    if (!folder.isEmpty())
        startRewardModelImport(folder);
}

} // namespace awb
