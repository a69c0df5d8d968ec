#include "plot_export.h"

#include <qcustomplot.h>

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QToolButton>

namespace awb {

namespace {

// The translation context of the strings shared by every plot view's export.
class PlotExport
{
    Q_DECLARE_TR_FUNCTIONS(awb::PlotExport)
};

const QString kPng = QStringLiteral("png");
const QString kSvg = QStringLiteral("svg");
const QString kPdf = QStringLiteral("pdf");
const QString kCsv = QStringLiteral("csv");

QString couldNotWrite(const QString &path, const QString &why)
{
    return PlotExport::tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), why);
}

// As QCustomPlot::savePng: the pixels of the size asked for, 96 dpi in the file.
bool writePng(QCustomPlot *plot, QIODevice *out, QSize size)
{
    QImage image = plot->toPixmap(size.width(), size.height()).toImage();
    const int dotsPerMeter = qRound(96 / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    return !image.isNull() && image.save(out, "PNG");
}

// The plot drawn across device, whose logical coordinates are set to size.
// Vector output: no cached pixmaps, no pixel-grid nudges, and cosmetic
// (zero-width) pens made one unit wide so they scale with the drawing, as
// QCustomPlot's own savePdf does with QCP::epNoCosmetic.
bool drawVector(QCustomPlot *plot, QPaintDevice *device, QSize size)
{
    QCPPainter painter;
    if (!painter.begin(device))
        return false;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNonCosmetic);
    painter.setWindow(QRect(QPoint(0, 0), size));
    plot->toPainter(&painter, size.width(), size.height());
    return painter.end();
}

bool writeSvg(QCustomPlot *plot, QIODevice *out, QSize size, const QString &title)
{
    QSvgGenerator generator;
    generator.setOutputDevice(out);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    // Point sizes become as many units as pixels on screen, so text keeps its
    // proportion to the plot (QSvgGenerator's default is 72 dpi).
    generator.setResolution(plot->logicalDpiX());
    generator.setTitle(title);
    generator.setDescription(PlotExport::tr("%1, exported from Alignment Workbench").arg(title));
    return drawVector(plot, &generator, size);
}

// A page of size points; the plot's pixels are laid across it one to one, and
// the resolution only scales fonts, as on screen (as QCustomPlot::savePdf).
bool writePdf(QCustomPlot *plot, QIODevice *out, QSize size, const QString &title)
{
    QPdfWriter writer(out);
    writer.setTitle(title);
    writer.setCreator(QStringLiteral("Alignment Workbench"));
    writer.setResolution(plot->logicalDpiX());
    QPageLayout layout(QPageSize(QSizeF(size), QPageSize::Point, QString(), QPageSize::ExactMatch),
                       QPageLayout::Portrait, QMarginsF());
    layout.setMode(QPageLayout::FullPageMode);
    if (!writer.setPageLayout(layout))
        return false;
    return drawVector(plot, &writer, size);
}

QString fileFilter(const QString &kind)
{
    if (kind == kPng)
        return PlotExport::tr("PNG images (*.png)");
    if (kind == kSvg)
        return PlotExport::tr("SVG images (*.svg)");
    if (kind == kPdf)
        return PlotExport::tr("PDF documents (*.pdf)");
    return PlotExport::tr("CSV files (*.csv)");
}

// `extension` is the kind's for the plot kinds and CSV, "csv" for the extra CSV entries.
void exportWithDialog(QWidget *parent, const ExportButtonSpec &spec, const QString &kind, const QString &extension,
                      const QString &baseName)
{
    QString path = QFileDialog::getSaveFileName(parent, spec.dialogTitle, baseName + QLatin1Char('.') + extension,
                                                fileFilter(extension));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1Char('.') + extension, Qt::CaseInsensitive))
        path += QLatin1Char('.') + extension;
    QString error;
    if (!spec.write(path, kind, &error))
        QMessageBox::warning(parent, PlotExport::tr("Export failed"), error);
}

} // namespace

QStringList plotExportKinds()
{
    return {kPng, kSvg, kPdf};
}

bool exportPlot(QCustomPlot *plot, const QString &path, const QString &kind, QSize size, const QString &title,
                QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!plotExportKinds().contains(kind))
        return fail(PlotExport::tr("Could not write %1: \"%2\" is not an image kind (png, svg or pdf)")
                        .arg(QDir::toNativeSeparators(path), kind));
    if (size.isEmpty())
        size = plot->size();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(couldNotWrite(path, file.errorString()));
    const bool drawn = kind == kPng   ? writePng(plot, &file, size)
                       : kind == kSvg ? writeSvg(plot, &file, size, title)
                                      : writePdf(plot, &file, size, title);
    // Drawing laid the plot out at the export size; lay it out for the screen again.
    plot->replot(QCustomPlot::rpQueuedReplot);
    if (!drawn)
        return fail(couldNotWrite(path, file.error() != QFileDevice::NoError
                                            ? file.errorString()
                                            : PlotExport::tr("the plot could not be drawn")));
    if (!file.commit())   // nothing of a failed write is left behind
        return fail(couldNotWrite(path, file.errorString()));
    return true;
}

bool exportText(const QString &path, const QString &text, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = couldNotWrite(path, file.errorString());
        return false;
    }
    return true;
}

QToolButton *createExportButton(QWidget *parent, const ExportButtonSpec &spec)
{
    auto *menu = new QMenu(parent);
    const struct { const char *name; QString text; QString kind; } entries[] = {
        {"actionExportPng", PlotExport::tr("Export as &PNG image…"), kPng},
        {"actionExportSvg", PlotExport::tr("Export as S&VG…"), kSvg},
        {"actionExportPdf", PlotExport::tr("Export as P&DF…"), kPdf},
        {"actionExportCsv", spec.csvMenuText, kCsv},
    };
    for (const auto &e : entries) {
        if (e.text.isEmpty())
            continue;
        QAction *action = menu->addAction(e.text);
        action->setObjectName(QLatin1String(e.name));
        const QString kind = e.kind;
        QObject::connect(action, &QAction::triggered, parent,
                         [parent, spec, kind] { exportWithDialog(parent, spec, kind, kind, spec.baseName); });
    }
    for (const ExportButtonSpec::ExtraCsv &e : spec.extraCsv) {
        QAction *action = menu->addAction(e.menuText);
        action->setObjectName(e.objectName);
        QObject::connect(action, &QAction::triggered, parent,
                         [parent, spec, e] { exportWithDialog(parent, spec, e.kind, kCsv, e.baseName); });
    }
    auto *button = new QToolButton(parent);
    button->setText(spec.text);
    button->setToolTip(spec.toolTip);
    button->setMenu(menu);
    button->setPopupMode(QToolButton::InstantPopup);
    return button;
}

} // namespace awb
