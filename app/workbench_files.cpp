// The File menu's dialogs of WorkbenchController: choosing a workspace,
// importing prompts, exporting the shown run's samples and metrics, and
// exporting or merging labels.
#include "workbench_controller.h"

#include "core_views.h"
#include "csv_text.h"
#include "data/prompt_import.h"
#include "main_window.h"
#include "reward_curves_view.h"
#include "run_panel.h"
#include "store/label_exchange.h"
#include "store/store.h"
#include "workspace.h"

#include <QDir>
#include <QSaveFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
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
        const std::vector<PromptRecord> records = promptRecords(imported, ss(path), io.field);
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

qint64 WorkbenchController::exportSamplesTo(const QString &path, QString *error)
{
    if (!m_workspace || m_shownRun == 0) {
        *error = tr("No run to export.");
        return -1;
    }
    QSaveFile f(path);   // written whole or not at all
    if (!f.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return -1;
    }
    SampleFilter filter;
    filter.runId = m_shownRun;
    filter.limit = -1;
    Store &store = m_workspace->store();
    const bool csvFile = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
    std::vector<std::string> aspects;
    for (const auto &a : m_aspects)
        aspects.push_back(ss(a.name));
    if (csvFile) {
        // One row per sample; per aspect the model's score, the latest label and the gold score.
        QStringList header{QStringLiteral("id"), QStringLiteral("run"), QStringLiteral("step"), QStringLiteral("prompt"),
                           QStringLiteral("completion"), QStringLiteral("reward"), QStringLiteral("advantage"),
                           QStringLiteral("reward_model_version")};
        for (const char *kind : {"score_", "label_", "gold_"})
            for (const auto &a : m_aspects)
                header << csv::field(QLatin1String(kind) + a.name);
        f.write((header.join(QLatin1Char(',')) + QLatin1Char('\n')).toUtf8());
    }
    qint64 rows = 0;
    for (const auto &s : store.samples(filter)) {
        const auto labels = store.latestLabels(s.id);
        if (csvFile) {
            QStringList row{QString::number(s.id), QString::number(s.runId), QString::number(s.step),
                            csv::field(qs(s.prompt)), csv::field(qs(s.completion)), csv::number(s.reward),
                            csv::number(s.advantage), QString::number(s.rewardModelVersion)};
            for (const auto *map : {&s.scores, &labels, &s.gold})
                for (const auto &a : aspects) {
                    const auto it = map->find(a);
                    row << (it == map->end() ? QString() : csv::number(it->second));
                }
            f.write((row.join(QLatin1Char(',')) + QLatin1Char('\n')).toUtf8());
        } else {
            nlohmann::json j{{"id", s.id},         {"run", s.runId},          {"step", s.step},   {"prompt", s.prompt},
                             {"completion", s.completion}, {"scores", s.scores}, {"gold", s.gold}, {"reward", s.reward},
                             {"advantage", s.advantage}, {"reward_model_version", s.rewardModelVersion},
                             {"labels", labels}};
            f.write(QByteArray::fromStdString(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
        }
        ++rows;
    }
    if (!f.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return -1;
    }
    return rows;
}

void WorkbenchController::exportSamples()
{
    if (!m_workspace || m_shownRun == 0)
        return showError(tr("No run to export."));
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export samples"), QDir::homePath(),
                                                      tr("JSON lines (*.jsonl);;CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (exportSamplesTo(path, &error) < 0)
        return showError(error);
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

QString WorkbenchController::exportLabelsTo(const QString &path, QString *error)
{
    if (!m_workspace) {
        *error = tr("Open a workspace first.");
        return {};
    }
    try {
        const LabelExportResult r = awb::exportLabels(m_workspace->store(), ss(path));
        return tr("%n label(s) of %1 sample(s) written to %2", nullptr, int(r.labels)).arg(r.samples).arg(path);
    } catch (const std::exception &e) {
        *error = tr("The labels were not exported: %1").arg(QString::fromUtf8(e.what()));
        return {};
    }
}

QString WorkbenchController::importLabelsFrom(const QString &path, QString *error)
{
    if (!m_workspace) {
        *error = tr("Open a workspace first.");
        return {};
    }
    LabelImportResult r;
    try {
        r = awb::importLabels(m_workspace->store(), ss(path));
    } catch (const std::exception &e) {
        *error = tr("No labels were imported: %1").arg(QString::fromUtf8(e.what()));
        return {};
    }
    if (m_shownRun != 0)
        showRun(m_shownRun);   // the inspector shows the merged labels
    refreshLabelCounts();
    QStringList lines;
    lines << tr("%n label(s) added", nullptr, int(r.added))
          << tr("%n already present (skipped)", nullptr, int(r.duplicates))
          << tr("%n for samples this workspace does not hold (skipped)", nullptr, int(r.unmatched));
    for (const auto &p : r.problems)
        lines << QStringLiteral("  ") + QString::fromStdString(p);
    lines << tr("%n conflict(s) between annotators (the latest label wins):", nullptr, int(r.conflicts.size()));
    for (const auto &c : r.conflicts) {
        QStringList values;
        for (const auto &[annotator, value] : c.values)
            values << QStringLiteral("%1 %2").arg(annotator.empty() ? tr("(no name)") : QString::fromStdString(annotator))
                          .arg(value, 0, 'f', 3);
        lines << tr("  sample %1, %2: %3").arg(c.sampleId).arg(QString::fromStdString(c.aspect), values.join(QStringLiteral(", ")));
    }
    return lines.join(QLatin1Char('\n'));
}

void WorkbenchController::exportLabels()
{
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export labels"), QDir::homePath(),
                                                      tr("JSON lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    QString error;
    const QString summary = exportLabelsTo(path, &error);
    if (summary.isEmpty())
        return showError(error);
    m_window->statusBar()->showMessage(summary, 8000);
}

void WorkbenchController::importLabels()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Import labels"), QDir::homePath(),
                                                      tr("JSON lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    const QString summary = importLabelsFrom(path, &error);
    if (summary.isEmpty())
        return showError(error);
    QMessageBox::information(m_window, tr("Labels imported from %1").arg(QFileInfo(path).fileName()), summary);
}

} // namespace awb
