// ParetoView's exports: the plot as an image (through plot_export.h) and the
// plotted points as CSV (kept apart from pareto_view.cpp, which holds state,
// input and signals).
#include "pareto_view.h"

#include "csv_text.h"
#include "plot_export.h"

#include <QStringList>
#include <QToolButton>

namespace awb {

QToolButton *ParetoView::buildExportButton()
{
    ExportButtonSpec spec;
    // Alt+E is the curves view's Export, beside this one in the window.
    spec.text = tr("Exp&ort");
    spec.toolTip = tr("Save the plot (PNG, SVG, PDF) or the plotted points with their run and step (CSV)");
    spec.dialogTitle = tr("Export Pareto plot");
    spec.baseName = QStringLiteral("pareto");
    spec.csvMenuText = tr("Export plotted points as &CSV…");
    spec.write = [this](const QString &path, const QString &kind, QString *error) {
        return kind == QLatin1String("csv") ? exportCsv(path, error) : exportImage(path, kind, error);
    };
    QToolButton *button = createExportButton(this, spec);
    button->setObjectName(QStringLiteral("exportButton"));
    return button;
}

bool ParetoView::exportImage(const QString &path, const QString &kind, QString *error, const QSize &size)
{
    replotNow();
    const QString title = m_aspects.isEmpty()
                              ? tr("Pareto plot")
                              : tr("Pareto plot: %1 against %2").arg(m_aspects[m_yAspect].name, m_aspects[m_xAspect].name);
    return exportPlot(m_plot, path, kind, size, title, error);
}

bool ParetoView::exportCsv(const QString &path, QString *error) const
{
    return exportText(path, csvText(), error);
}

QString ParetoView::csvText() const
{
    QStringList header{QStringLiteral("point"), QStringLiteral("run"), QStringLiteral("step"),
                       QStringLiteral("sample")};
    const QString prefix = m_source == ValueSource::Gold ? QStringLiteral("gold_") : QString();
    for (int aspect : {m_xAspect, m_yAspect})
        header << csv::field(aspect < m_aspects.size() ? prefix + m_aspects[aspect].name
                                                       : QStringLiteral("aspect_%1").arg(aspect));
    header << QStringLiteral("on_front");
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    auto row = [&out](const QStringList &fields) { out += fields.join(QLatin1Char(',')) + QLatin1Char('\n'); };
    for (int i = 0; i < m_trajXY.size(); ++i) {
        const view::StepPoint &p = m_trajectory[m_trajStep[i]];
        row({QStringLiteral("step_mean"), QString::number(p.runId), QString::number(p.step), QString(),
             csv::number(m_trajXY[i].x()), csv::number(m_trajXY[i].y()), QString()});
    }
    for (int i = 0; i < m_cloudXY.size(); ++i) {
        const view::SampleRow &s = m_samples[m_cloudSample[i]];
        row({QStringLiteral("sample"), QString::number(s.runId), QString::number(s.step), QString::number(s.id),
             csv::number(m_cloudXY[i].x()), csv::number(m_cloudXY[i].y()),
             m_front.contains(i) ? QStringLiteral("1") : QStringLiteral("0")});
    }
    return out;
}

} // namespace awb
