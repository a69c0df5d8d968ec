// The plot exports shared by the plot views (plot_export.h): a known
// QCustomPlot written as PNG, SVG and PDF and read back independently (QImage,
// QXmlStreamReader, the PDF's page box), files replaced whole and failures
// naming the file, and the Export button of both views.
#include "pareto_view.h"
#include "plot_export.h"
#include "reward_curves_view.h"
#include "exported_files.h"

#include <qcustomplot.h>

#include <QMenu>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace awb;

namespace {

const QColor kLineColour(0x1f, 0x77, 0xb4);

// Ten points on a line drawn 3 px wide in kLineColour, axes labelled.
void fillPlot(QCustomPlot &plot)
{
    plot.resize(400, 300);
    QCPGraph *graph = plot.addGraph();
    for (int i = 0; i < 10; ++i)
        graph->addData(i, i * i);
    graph->setPen(QPen(kLineColour, 3));
    plot.xAxis->setLabel(QStringLiteral("known step axis"));
    plot.yAxis->setLabel(QStringLiteral("known value axis"));
    plot.rescaleAxes();
    plot.replot();
}

QStringList actionNames(const QToolButton *button)
{
    QStringList names;
    for (const QAction *a : button->menu()->actions())
        names << a->objectName();
    return names;
}

} // namespace

class TestPlotExport : public QObject
{
    Q_OBJECT

private slots:
    void replacesTheFileWhole_data();
    void replacesTheFileWhole();
    void failureNamesTheFile_data();
    void failureNamesTheFile();
    void svgIsThePlot();
    void pngAndPdfAtTheSizeAsked();
    void screenLayoutComesBack();
    void buttonMenu();
    void viewsOfferEveryKind();
};

void TestPlotExport::replacesTheFileWhole_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("magic");
    QTest::newRow("png") << QStringLiteral("png") << QByteArray("\x89PNG\r\n");
    QTest::newRow("svg") << QStringLiteral("svg") << QByteArray("<?xml");
    QTest::newRow("pdf") << QStringLiteral("pdf") << QByteArray("%PDF-");
}

void TestPlotExport::replacesTheFileWhole()
{
    QFETCH(QString, kind);
    QFETCH(QByteArray, magic);
    QCustomPlot plot;
    fillPlot(plot);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("plot.") + kind);
    QFile old(path);
    QVERIFY(old.open(QIODevice::WriteOnly) && old.write("old contents") > 0);
    old.close();
    QString error;
    QVERIFY2(exportPlot(&plot, path, kind, QSize(300, 200), QStringLiteral("t"), &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(magic.size()) == magic);
    QVERIFY(f.size() > 1000);
    // Written through a temporary file that is renamed: nothing else is left.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("plot.") + kind});
}

void TestPlotExport::failureNamesTheFile_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("kind");
    QTest::newRow("png, no folder") << QStringLiteral("missing/plot.png") << QStringLiteral("png");
    QTest::newRow("svg, no folder") << QStringLiteral("missing/plot.svg") << QStringLiteral("svg");
    QTest::newRow("pdf, no folder") << QStringLiteral("missing/plot.pdf") << QStringLiteral("pdf");
    QTest::newRow("unknown kind") << QStringLiteral("plot.gif") << QStringLiteral("gif");
    QTest::newRow("kinds are lower case") << QStringLiteral("plot.SVG") << QStringLiteral("SVG");
}

void TestPlotExport::failureNamesTheFile()
{
    QFETCH(QString, file);
    QFETCH(QString, kind);
    QCustomPlot plot;
    fillPlot(plot);
    QTemporaryDir dir;
    const QString path = dir.filePath(file);
    QString error;
    QVERIFY(!exportPlot(&plot, path, kind, QSize(300, 200), QStringLiteral("t"), &error));
    QVERIFY2(error.contains(QFileInfo(file).fileName()), qPrintable(error));
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TestPlotExport::svgIsThePlot()
{
    QCustomPlot plot;
    fillPlot(plot);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("plot.svg"));
    QString error;
    QVERIFY2(exportPlot(&plot, path, QStringLiteral("svg"), QSize(640, 480), QStringLiteral("Known title"), &error),
             qPrintable(error));
    const test::SvgSummary svg = test::readSvg(path);
    QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
    QCOMPARE(svg.root, QStringLiteral("svg"));
    QCOMPARE(svg.viewBox, QStringLiteral("0 0 640 480"));
    QCOMPARE(svg.title, QStringLiteral("Known title"));
    QVERIFY(svg.description.contains(QStringLiteral("Known title")));
    QVERIFY2(svg.hasText(QStringLiteral("known step axis")), qPrintable(svg.texts.join(QLatin1Char('|'))));
    QVERIFY(svg.hasText(QStringLiteral("known value axis")));
    QCOMPARE(svg.longestPolyline(kLineColour.name()), 10);   // the graph, one vertex a point

    QSvgRenderer renderer(path);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF(), QRectF(0, 0, 640, 480));
    QVERIFY(test::countPixels(test::renderSvg(path), kLineColour) > 200);

    // No size: the plot's own.
    QVERIFY2(exportPlot(&plot, path, QStringLiteral("svg"), QSize(), QStringLiteral("t"), &error), qPrintable(error));
    QCOMPARE(test::readSvg(path).viewBox, QStringLiteral("0 0 400 300"));
}

void TestPlotExport::pngAndPdfAtTheSizeAsked()
{
    QCustomPlot plot;
    fillPlot(plot);
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("plot.png"));
    QString error;
    QVERIFY2(exportPlot(&plot, png, QStringLiteral("png"), QSize(500, 350), QString(), &error), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), QSize(500, 350));
    QVERIFY(test::countPixels(image, kLineColour) > 200);

    const QString pdf = dir.filePath(QStringLiteral("plot.pdf"));
    QVERIFY2(exportPlot(&plot, pdf, QStringLiteral("pdf"), QSize(500, 350), QString(), &error), qPrintable(error));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("/MediaBox [0 0 500.000000 350.000000]"));   // one point a pixel
}

void TestPlotExport::screenLayoutComesBack()
{
    // An export lays the plot out at its own size; the plot on screen must
    // map values to its own pixels again afterwards (clicks rely on it).
    QCustomPlot plot;
    fillPlot(plot);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.replot();
    const double right = plot.xAxis->coordToPixel(9);
    QVERIFY2(right < 400, qPrintable(QString::number(right)));
    QTemporaryDir dir;
    QVERIFY(exportPlot(&plot, dir.filePath(QStringLiteral("big.png")), QStringLiteral("png"), QSize(1600, 1200), QString()));
    QTRY_COMPARE(plot.xAxis->coordToPixel(9), right);
}

void TestPlotExport::buttonMenu()
{
    QWidget parent;
    ExportButtonSpec spec;
    spec.text = QStringLiteral("&Export");
    spec.toolTip = QStringLiteral("tip");
    QToolButton *plain = createExportButton(&parent, spec);
    QCOMPARE(plain->parent(), &parent);
    QCOMPARE(plain->text(), QStringLiteral("&Export"));
    QCOMPARE(plain->toolTip(), QStringLiteral("tip"));
    QCOMPARE(plain->popupMode(), QToolButton::InstantPopup);
    QCOMPARE(actionNames(plain), (QStringList{QStringLiteral("actionExportPng"), QStringLiteral("actionExportSvg"),
                                              QStringLiteral("actionExportPdf")}));
    spec.csvMenuText = QStringLiteral("CSV");
    QCOMPARE(actionNames(createExportButton(&parent, spec)).last(), QStringLiteral("actionExportCsv"));
}

void TestPlotExport::viewsOfferEveryKind()
{
    RewardCurvesView curves;
    ParetoView pareto;
    auto *curvesButton = curves.findChild<QToolButton *>(QStringLiteral("exportButton"));
    auto *paretoButton = pareto.findChild<QToolButton *>(QStringLiteral("exportButton"));
    QVERIFY(curvesButton && paretoButton);
    const QStringList every{QStringLiteral("actionExportPng"), QStringLiteral("actionExportSvg"),
                            QStringLiteral("actionExportPdf"), QStringLiteral("actionExportCsv")};
    // The curves also export the over-optimisation points (ExportButtonSpec::extraCsv).
    QCOMPARE(actionNames(curvesButton), QStringList(every) << QStringLiteral("actionExportOveroptimisation"));
    QCOMPARE(actionNames(paretoButton), every);
    QVERIFY(curvesButton->toolTip().contains(QStringLiteral("SVG")));
    QVERIFY(paretoButton->toolTip().contains(QStringLiteral("SVG")));
    // Both views sit in one window: their buttons need different accelerators.
    QVERIFY(!QKeySequence::mnemonic(paretoButton->text()).isEmpty());
    QVERIFY(QKeySequence::mnemonic(paretoButton->text()) != QKeySequence::mnemonic(curvesButton->text()));
}

QTEST_MAIN(TestPlotExport)
#include "tst_plot_export.moc"
