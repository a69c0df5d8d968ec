#pragma once
// Saving plots, shared by the plot views (reward curves, Pareto): a
// QCustomPlot as PNG, SVG or PDF, a view's values as CSV text, and the Export
// tool button with its file dialog. Every file is written through QSaveFile,
// so a failed export leaves the previous file (or none), never half of one.
// GUI thread only: the plot is a widget, and the button opens dialogs.

#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

class QCustomPlot;
class QToolButton;
class QWidget;

namespace awb {

// The kinds exportPlot writes, in menu order: "png", "svg", "pdf".
QStringList plotExportKinds();

// Writes what plot shows to path as kind (one of plotExportKinds()), at size
// in pixels: the PNG's pixels, the SVG's viewBox, the PDF page in points. An
// empty size means the plot's current size. title becomes the SVG <title> and
// the PDF's document title. Replot the plot with current data first. Returns
// false and sets *error (naming the file) when the file cannot be written or
// the kind is unknown.
bool exportPlot(QCustomPlot *plot, const QString &path, const QString &kind, QSize size, const QString &title,
                QString *error = nullptr);

// Writes text as UTF-8 to path whole, or sets *error (naming the file).
bool exportText(const QString &path, const QString &text, QString *error = nullptr);

// What a view's Export button offers and how the view writes it.
struct ExportButtonSpec
{
    QString text;          // the button's, with an accelerator no other view in the window uses
    QString toolTip;
    QString dialogTitle;   // e.g. "Export reward curves"
    QString baseName;      // the file name suggested, without extension
    QString csvMenuText;   // the CSV entry's text; empty: no CSV entry
    // Further CSV entries after it, each written as its own kind (e.g. "overoptimisation").
    struct ExtraCsv
    {
        QString menuText;
        QString objectName;   // the action's
        QString kind;         // passed to write()
        QString baseName;     // the file name suggested, without ".csv"
    };
    QVector<ExtraCsv> extraCsv;
    // Writes one kind ("png", "svg", "pdf" or "csv") to path; false and
    // *error set when it could not.
    std::function<bool(const QString &path, const QString &kind, QString *error)> write;
};

// A tool button whose menu has a PNG, SVG and PDF entry (and CSV
// when spec.csvMenuText is set), actions named actionExportPng, ...Svg,
// ...Pdf, ...Csv. An entry asks for a file name (adding the extension when it
// is left out), calls spec.write and shows its error in a message box.
// The button is a child of parent; name it and place it in a layout.
QToolButton *createExportButton(QWidget *parent, const ExportButtonSpec &spec);

} // namespace awb
