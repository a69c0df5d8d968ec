// The File menu's dialogs of WorkbenchController: choosing a workspace,
// importing prompts, exporting the shown run's samples and metrics.
#include "workbench_controller.h"

#include "core_views.h"
#include "data/prompt_import.h"
#include "main_window.h"
#include "reward_curves_view.h"
#include "run_panel.h"
#include "store/store.h"
#include "workspace.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStatusBar>

#include <nlohmann/json.hpp>

namespace awb {

void WorkbenchController::chooseWorkspace(bool create)
{
    const QString dir = QSettings().value(QStringLiteral("workspace/lastDir"), QDir::homePath()).toString();
    const QString filter = tr("Workspaces (*.awb);;All files (*)");
    const QString path = create ? QFileDialog::getSaveFileName(m_window, tr("New workspace"), dir, filter)
                                : QFileDialog::getOpenFileName(m_window, tr("Open workspace"), dir, filter);
    if (path.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("workspace/lastDir"), QFileInfo(path).absolutePath());
    m_demo = false;
    openWorkspace(path);
}

void WorkbenchController::importPrompts()
{
    if (!m_workspace)
        return showError(tr("Open a workspace first."));
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Import prompts"), QDir::homePath(),
        tr("Prompt files (*.jsonl *.json *.csv *.gz);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        PromptImportOptions io;
        io.heldOutFraction = 0.1;
        const PromptImportResult imported = awb::importPrompts(ss(path), io);
        std::vector<PromptRecord> records;
        for (const auto &p : imported.prompts) {
            PromptRecord r;
            r.text = p.text;
            r.chosen = p.chosen;
            r.rejected = p.rejected;
            r.split = p.split;
            r.sourceId = p.sourceId;
            records.push_back(std::move(r));
        }
        Store &store = m_workspace->store();
        const std::int64_t set = store.addPromptSet(ss(path), ss(path));
        store.addPrompts(set, records);
        m_window->statusBar()->showMessage(tr("Imported %n prompt(s) from %1", nullptr, int(records.size())).arg(path));
        refreshPromptSets();
        m_run->setPromptSetId(set);
    } catch (const std::exception &e) {
        showError(tr("Cannot import %1: %2").arg(path, QString::fromUtf8(e.what())));
    }
}

void WorkbenchController::exportSamples()
{
    if (!m_workspace || m_shownRun == 0)
        return showError(tr("No run to export."));
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export samples"), QDir::homePath(),
                                                      tr("JSON lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return showError(tr("Cannot write %1: %2").arg(path, f.errorString()));
    SampleFilter filter;
    filter.runId = m_shownRun;
    filter.limit = -1;
    Store &store = m_workspace->store();
    for (const auto &s : store.samples(filter)) {
        nlohmann::json j{{"id", s.id},         {"run", s.runId},          {"step", s.step},   {"prompt", s.prompt},
                         {"completion", s.completion}, {"scores", s.scores}, {"gold", s.gold}, {"reward", s.reward},
                         {"advantage", s.advantage}, {"reward_model_version", s.rewardModelVersion},
                         {"labels", store.latestLabels(s.id)}};
        f.write(QByteArray::fromStdString(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
    }
    if (!f.flush())
        return showError(tr("Cannot write %1: %2").arg(path, f.errorString()));
    m_window->statusBar()->showMessage(tr("Samples exported to %1").arg(path), 8000);
}

void WorkbenchController::exportMetrics()
{
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export run metrics"), QDir::homePath(),
                                                      tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_curves->exportCsv(path, &error))
        showError(error);
}

} // namespace awb
