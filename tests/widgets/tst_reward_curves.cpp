// The reward curves view and its smoothing: the plotted (step, value) pairs,
// TensorBoard's debiased EMA against hand-computed values, gold curves,
// markers, legend toggling, coalesced live updates and the exports.
#include "curve_smoothing.h"
#include "curves_test_points.h"
#include "reward_curves_view.h"
#include "exported_files.h"

#include <qcustomplot.h>

#include <QDoubleSpinBox>
#include <QImage>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QComboBox>
#include <QtTest>

#include <cmath>

using namespace awb;
using view::StepPoint;

using namespace awb::test;

class TestRewardCurves : public QObject
{
    Q_OBJECT

private slots:
    void smoothEma_data();
    void smoothEma();
    void plotsExactPointsWithoutSmoothing();
    void plotsHandComputedEma();
    void smoothingSpinDrivesView();
    void goldCurvesDashedOnlyWithGold();
    void olderRunsLighterAndNamed();
    void markersPerStepMarker();
    void xAxisOfSecondsOrTokens();
    void valueLossOnlyForRunsThatHaveOne();
    void legendClickTogglesGraph();
    void appendPointShowsAfterTimer();
    void resetViewShowsAllSteps();
    void exportCsvWritesRawValues();
    void exportCsvToUnwritablePathFails();
    void exportPngReadableImage();
    void exportSvgIsThePlot();
    void renderRealisticRun();
};

void TestRewardCurves::smoothEma_data()
{
    QTest::addColumn<QVector<double>>("values");
    QTest::addColumn<double>("weight");
    QTest::addColumn<QVector<double>>("expected");
    // weight 0: unchanged.
    QTest::newRow("no smoothing") << QVector<double>{1, 2, 3} << 0.0 << QVector<double>{1, 2, 3};
    // w = 0.5, values 1, 3, 2:
    //   last1 = 0.5*1 = 0.5,            / (1 - 0.5)   = 1
    //   last2 = 0.5*0.5 + 0.5*3 = 1.75, / (1 - 0.25)  = 2.333333...
    //   last3 = 0.5*1.75 + 0.5*2 = 1.875, / (1 - 0.125) = 2.142857142857...
    QTest::newRow("w 0.5") << QVector<double>{1, 3, 2} << 0.5 << QVector<double>{1, 7.0 / 3.0, 15.0 / 7.0};
    // The NaN keeps its place and the average runs on as if it were absent:
    //   1, NaN, then last2 = 0.25 + 1.5 = 1.75 / 0.75 = 2.333333...
    QTest::newRow("NaN skipped") << QVector<double>{1, kNaN, 3} << 0.5 << QVector<double>{1, kNaN, 7.0 / 3.0};
    // Leading NaN: the first finite value is shown as itself (debiased).
    QTest::newRow("leading NaN") << QVector<double>{kNaN, 4} << 0.5 << QVector<double>{kNaN, 4};
    // Debiasing keeps a constant constant: 2*(1-0.9^n)/(1-0.9^n) = 2.
    QTest::newRow("constant") << QVector<double>{2, 2, 2} << 0.9 << QVector<double>{2, 2, 2};
    // w = 0.25, values 4, 0: last1 = 0.75*4 = 3 / 0.75 = 4; last2 = 0.75 / (1 - 0.0625) = 0.8.
    QTest::newRow("w 0.25") << QVector<double>{4, 0} << 0.25 << QVector<double>{4, 0.8};
    QTest::newRow("empty") << QVector<double>{} << 0.6 << QVector<double>{};
}

void TestRewardCurves::smoothEma()
{
    QFETCH(QVector<double>, values);
    QFETCH(double, weight);
    QFETCH(QVector<double>, expected);
    const QVector<double> got = awb::smoothEma(values, weight);
    QVERIFY2(sameValues(got, expected), qPrintable(QStringLiteral("got %1").arg(
                                            [&] { QStringList s; for (double v : got) s << QString::number(v, 'g', 12); return s.join(','); }())));
}

void TestRewardCurves::plotsExactPointsWithoutSmoothing()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.0);
    // Given out of order; step 3 lacks aspect a (NaN) and must be dropped from a only.
    view.setRun(1, QStringLiteral("run"),
                {point(1, 2, {0.3, 0.6}), point(1, 0, {0.1, 0.4}), point(1, 1, {0.2, 0.5}),
                 point(1, 3, {kNaN, 0.7})});
    view.redrawNow();
    QCPGraph *a = view.graphFor(1, 0);
    QCPGraph *b = view.graphFor(1, 1);
    QVERIFY(a && b);
    QCOMPARE(keysOf(a), (QVector<double>{0, 1, 2}));
    QCOMPARE(valuesOf(a), (QVector<double>{0.1, 0.2, 0.3}));
    QCOMPARE(keysOf(b), (QVector<double>{0, 1, 2, 3}));
    QCOMPARE(valuesOf(b), (QVector<double>{0.4, 0.5, 0.6, 0.7}));
    QVERIFY(!view.seriesGraph(1, RewardCurvesView::Series::Reward));   // no reward values given
}

void TestRewardCurves::plotsHandComputedEma()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.5);
    view.setRun(7, QStringLiteral("run"),
                {point(7, 10, {1, 0}), point(7, 20, {3, 0}), point(7, 30, {2, 0})});
    view.redrawNow();
    QCPGraph *a = view.graphFor(7, 0);
    QVERIFY(a);
    QCOMPARE(keysOf(a), (QVector<double>{10, 20, 30}));
    // Same hand computation as smoothEma's "w 0.5" row: 1, 7/3, 15/7.
    QVERIFY(sameValues(valuesOf(a), {1, 7.0 / 3.0, 15.0 / 7.0}));
    // The faint raw curve keeps the raw values.
    QCPGraph *raw = view.rawGraph(7, RewardCurvesView::Series::Aspect, 0);
    QVERIFY(raw);
    QCOMPARE(valuesOf(raw), (QVector<double>{1, 3, 2}));
    QVERIFY(raw->visible());
    view.setShowRaw(false);
    view.redrawNow();
    QVERIFY(!view.rawGraph(7, RewardCurvesView::Series::Aspect, 0)->visible());
}

void TestRewardCurves::smoothingSpinDrivesView()
{
    RewardCurvesView view;
    auto *spin = view.findChild<QDoubleSpinBox *>(QStringLiteral("smoothingSpin"));
    QVERIFY(spin);
    QCOMPARE(spin->value(), 0.6);
    QCOMPARE(view.smoothing(), 0.6);
    QCOMPARE(spin->maximum(), 0.99);
    view.setAspects(twoAspects());
    view.setRun(1, QStringLiteral("run"), {point(1, 0, {4, 0}), point(1, 1, {0, 0})});
    spin->setValue(0.25);
    QCOMPARE(view.smoothing(), 0.25);
    view.redrawNow();
    // smoothEma "w 0.25" row: 4, 0.8.
    QVERIFY(sameValues(valuesOf(view.graphFor(1, 0)), {4, 0.8}));
}

void TestRewardCurves::goldCurvesDashedOnlyWithGold()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setRun(1, QStringLiteral("no judge"), {point(1, 0, {0.1, 0.2}, {}, 1.0)});
    view.setRun(2, QStringLiteral("judged"),
                {point(2, 0, {0.1, 0.2}, {0.15, kNaN}, 1.0, kNaN, kNaN, 0.4),
                 point(2, 1, {0.2, 0.3}, {0.25, kNaN}, 1.1, kNaN, kNaN, 0.5)});
    view.redrawNow();
    QVERIFY(!view.graphFor(1, 0, true));
    QVERIFY(!view.graphFor(1, 1, true));
    QVERIFY(!view.seriesGraph(1, RewardCurvesView::Series::GoldObjective));
    QCPGraph *gold = view.graphFor(2, 0, true);
    QVERIFY(gold);
    QVERIFY(!view.graphFor(2, 1, true));   // aspect b has no gold value at all
    QVERIFY(gold->pen().style() != Qt::SolidLine);
    QVERIFY(!gold->pen().dashPattern().isEmpty());
    QCOMPARE(view.graphFor(2, 0)->pen().style(), Qt::SolidLine);
    QCOMPARE(gold->pen().color(), view.graphFor(2, 0)->pen().color());
    QCOMPARE(keysOf(gold), (QVector<double>{0, 1}));
    QCPGraph *objective = view.seriesGraph(2, RewardCurvesView::Series::GoldObjective);
    QVERIFY(objective);
    QVERIFY(objective->pen().style() != Qt::SolidLine);
    // The gold objective is a weighted mean of gold scores: it shares the aspects' (left)
    // axis, not the combined reward's, whose scale follows the sum of the weights.
    QCOMPARE(objective->valueAxis(), view.graphFor(2, 0)->valueAxis());
    QVERIFY(objective->valueAxis() != view.seriesGraph(2, RewardCurvesView::Series::Reward)->valueAxis());
}

void TestRewardCurves::olderRunsLighterAndNamed()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setRun(3, QStringLiteral("tuned"), {point(3, 0, {0.1, 0.2})});
    view.setRun(1, QStringLiteral("baseline"), {point(1, 0, {0.1, 0.2})});
    view.redrawNow();
    QCPGraph *older = view.graphFor(1, 0);
    QCPGraph *newest = view.graphFor(3, 0);
    QVERIFY(older && newest);
    QCOMPARE(older->name(), QStringLiteral("baseline: a"));
    QCOMPARE(newest->name(), QStringLiteral("a"));
    QVERIFY(older->pen().widthF() < newest->pen().widthF());
    QVERIFY(older->pen().color().lightness() > newest->pen().color().lightness());
    view.removeRun(3);
    view.redrawNow();
    QVERIFY(!view.graphFor(3, 0));
    QCOMPARE(view.graphFor(1, 0)->name(), QStringLiteral("a"));   // now the newest
}

void TestRewardCurves::markersPerStepMarker()
{
    RewardCurvesView view;
    view.setRun(1, QStringLiteral("run"), {point(1, 0, {0.1}), point(1, 30, {0.2})});
    view.setMarkers({{1, 5, QStringLiteral("weights"), QStringLiteral("weights 1/1/2/1")},
                     {1, 12, QStringLiteral("reward_model"), QStringLiteral("RM v2")}});
    view.redrawNow();
    QCOMPARE(view.markerCount(), 2);
    QCOMPARE(view.markerSteps(), (QVector<double>{5, 12}));
    view.appendMarker({2, 20, QStringLiteral("reward_model"), QStringLiteral("RM v3")});
    view.redrawNow();
    QCOMPARE(view.markerSteps(), (QVector<double>{5, 12, 20}));
    // Two straight lines (one per rect) and one label per marker.
    int lines = 0;
    for (int i = 0; i < view.plot()->itemCount(); ++i)
        lines += qobject_cast<QCPItemStraightLine *>(view.plot()->item(i)) ? 1 : 0;
    QCOMPARE(lines, 6);
    view.removeRun(1);   // drops run 1's markers
    view.redrawNow();
    QCOMPARE(view.markerSteps(), (QVector<double>{20}));
}

// Two runs of different speeds: run 1 takes 2, 3 and 5 s and generates 10, 20 and 30 tokens at
// steps 1..3; run 2 takes 1 s per step (no token counts). On the seconds axis run 1's points sit
// at 2, 5, 10 and run 2's at 1, 2, 3; on the tokens axis run 1's at 10, 30, 60 and run 2's at 0
// (a step without the figure adds nothing). A marker at step 2 of run 1 follows its point.
void TestRewardCurves::xAxisOfSecondsOrTokens()
{
    RewardCurvesView view;
    view.setAspects({{QStringLiteral("a")}});
    view.setSmoothing(0.0);
    QVector<StepPoint> slow, fast;
    const double seconds[] = {2, 3, 5}, tokens[] = {10, 20, 30};
    for (int s = 1; s <= 3; ++s) {
        slow << point(1, s, {0.1 * s});
        slow.last().seconds = seconds[s - 1];
        slow.last().tokens = tokens[s - 1];
        fast << point(2, s, {0.2 * s});
        fast.last().seconds = 1;
    }
    view.setRun(1, QStringLiteral("slow"), slow);
    view.setRun(2, QStringLiteral("fast"), fast);
    view.setMarkers({{1, 2, QStringLiteral("weights"), QStringLiteral("w")}});
    view.redrawNow();
    QCOMPARE(keysOf(view.graphFor(1, 0)), (QVector<double>{1, 2, 3}));
    auto *combo = view.findChild<QComboBox *>(QStringLiteral("xAxisCombo"));
    QVERIFY(combo);
    combo->setCurrentIndex(1);   // wall-clock seconds
    QCOMPARE(view.xAxis(), RewardCurvesView::XAxis::Seconds);
    QCOMPARE(keysOf(view.graphFor(1, 0)), (QVector<double>{2, 5, 10}));
    QCOMPARE(keysOf(view.graphFor(2, 0)), (QVector<double>{1, 2, 3}));
    QCOMPARE(valuesOf(view.graphFor(1, 0)), (QVector<double>{0.1, 0.2, 0.1 * 3}));
    QCOMPARE(view.markerSteps(), (QVector<double>{5}));
    QCOMPARE(view.plot()->axisRects().last()->axis(QCPAxis::atBottom)->label(), QStringLiteral("wall-clock seconds"));
    // Reset view spans every run's x range.
    const QCPRange range = view.plot()->axisRects().first()->axis(QCPAxis::atBottom)->range();
    QVERIFY(range.lower <= 1 && range.upper >= 10);
    view.setXAxis(RewardCurvesView::XAxis::Tokens);
    QCOMPARE(combo->currentIndex(), 2);
    QCOMPARE(keysOf(view.graphFor(1, 0)), (QVector<double>{10, 30, 60}));
    QCOMPARE(keysOf(view.graphFor(2, 0)), (QVector<double>{0, 0, 0}));
    QCOMPARE(view.xOf(1, 2), 30.0);
    view.setXAxis(RewardCurvesView::XAxis::Step);
    QCOMPARE(keysOf(view.graphFor(1, 0)), (QVector<double>{1, 2, 3}));
    QCOMPARE(view.markerSteps(), (QVector<double>{2}));
}

// PPO's value loss is drawn beside the loss (bottom plot, right axis, in the bottom legend)
// for the run that logged it, and not at all for a GRPO run.
void TestRewardCurves::valueLossOnlyForRunsThatHaveOne()
{
    RewardCurvesView view;
    view.setAspects({{QStringLiteral("a")}});
    view.setSmoothing(0.0);
    QVector<StepPoint> ppo, grpo;
    for (int s = 1; s <= 3; ++s) {
        ppo << point(1, s, {0.5}, {}, kNaN, 0.01, 0.2);
        ppo.last().valueLoss = 0.1 * s;
        grpo << point(2, s, {0.5}, {}, kNaN, 0.01, 0.3);
    }
    view.setRun(1, QStringLiteral("ppo"), ppo);
    view.setRun(2, QStringLiteral("grpo"), grpo);
    view.redrawNow();
    QCPGraph *value = view.seriesGraph(1, RewardCurvesView::Series::ValueLoss);
    QVERIFY(value);
    QVERIFY(!view.seriesGraph(2, RewardCurvesView::Series::ValueLoss));
    QVERIFY(sameValues(valuesOf(value), QVector<double>{0.1, 0.2, 0.3 * 1.0}));
    QCOMPARE(value->valueAxis(), view.seriesGraph(1, RewardCurvesView::Series::Loss)->valueAxis());
    QCOMPARE(value->pen().style(), Qt::DashDotLine);
    QVERIFY(view.bottomLegend()->hasItemWithPlottable(value));
}

void TestRewardCurves::legendClickTogglesGraph()
{
    RewardCurvesView view;
    view.resize(900, 600);
    view.setAspects(twoAspects());
    view.setRun(1, QStringLiteral("run"), {point(1, 0, {0.1, 0.2}, {}, 1, 0.01), point(1, 1, {0.2, 0.3}, {}, 2, 0.02)});
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.redrawNow();
    QCPGraph *b = view.graphFor(1, 1);
    QCPAbstractLegendItem *item = view.topLegend()->itemWithPlottable(b);
    QVERIFY(item);
    QVERIFY(b->visible());
    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, item->rect().center());
    QVERIFY(!b->visible());
    QVERIFY(view.graphFor(1, 0)->visible());   // only the clicked one
    // Hidden stays hidden when the curves are rebuilt (new run data).
    view.setRun(1, QStringLiteral("run"), {point(1, 0, {0.1, 0.2}), point(1, 1, {0.2, 0.3}), point(1, 2, {0.3, 0.4})});
    view.redrawNow();
    b = view.graphFor(1, 1);
    QVERIFY(!b->visible());
    item = view.topLegend()->itemWithPlottable(b);
    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, item->rect().center());
    QVERIFY(b->visible());
}

void TestRewardCurves::appendPointShowsAfterTimer()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.0);
    view.setRun(4, QStringLiteral("live"), {point(4, 0, {0.1, 0.2}), point(4, 1, {0.2, 0.3})});
    view.redrawNow();
    QCOMPARE(view.graphFor(4, 0)->data()->size(), 2);
    view.appendPoint(point(4, 2, {0.35, 0.4}));
    view.appendPoint(point(4, 3, {0.45, 0.5}));
    QCOMPARE(view.graphFor(4, 0)->data()->size(), 2);   // coalesced: not drawn per point
    QTRY_COMPARE(view.graphFor(4, 0)->data()->size(), 4);
    QCOMPARE(keysOf(view.graphFor(4, 0)), (QVector<double>{0, 1, 2, 3}));
    QCOMPARE(valuesOf(view.graphFor(4, 0)), (QVector<double>{0.1, 0.2, 0.35, 0.45}));
    // A point of an unknown run creates it.
    view.appendPoint(point(9, 0, {0.5, 0.5}));
    QTRY_VERIFY(view.graphFor(9, 0));
    QCOMPARE(view.graphFor(4, 0)->name(), QStringLiteral("live: a"));   // no longer the newest
    QVERIFY(view.csvText().contains(QStringLiteral("\nrun 9,0,")));
}

void TestRewardCurves::resetViewShowsAllSteps()
{
    RewardCurvesView view;
    view.setRun(1, QStringLiteral("run"), {point(1, 0, {0.1}), point(1, 100, {0.2})});
    view.redrawNow();
    QCPAxis *x = view.plot()->axisRect(1)->axis(QCPAxis::atBottom);
    QVERIFY(x->range().lower <= 0 && x->range().upper >= 100);
    x->setRange(40, 60);   // as a wheel zoom would
    QCOMPARE(view.plot()->axisRect(0)->axis(QCPAxis::atBottom)->range(), QCPRange(40, 60));   // shared step axis
    view.appendPoint(point(1, 200, {0.3}));
    view.redrawNow();
    QCOMPARE(x->range(), QCPRange(40, 60));   // the user's view is kept
    auto *reset = view.findChild<QAction *>(QStringLiteral("actionResetView"));
    QVERIFY(reset);
    QCOMPARE(reset->shortcut(), QKeySequence(Qt::Key_R));
    reset->trigger();
    QVERIFY(x->range().lower <= 0 && x->range().upper >= 200);
    QVERIFY(x->range().upper < 210);
}

void TestRewardCurves::exportCsvWritesRawValues()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.9);   // must not affect the export
    view.setRun(1, QStringLiteral("r1"),
                {point(1, 1, {0.3, kNaN}, {}, 0.75, 0.01, kNaN), point(1, 0, {0.1, 0.2}, {}, 0.5, 0.0, 0.25)});
    view.setRun(2, QStringLiteral("r,2"), {point(2, 0, {0.4, 0.6}, {0.35, 0.55}, 1.0, 0.5, 1.0, 0.9)});
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("curves.csv"));
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()),
             QStringLiteral("run,step,reward_mean,kl,loss,a,b,gold_a,gold_b,gold_objective\n"
                            "r1,0,0.5,0,0.25,0.1,0.2,,,\n"
                            "r1,1,0.75,0.01,,0.3,,,,\n"
                            "\"r,2\",0,1,0.5,1,0.4,0.6,0.35,0.55,0.9\n"));
}

void TestRewardCurves::exportCsvToUnwritablePathFails()
{
    RewardCurvesView view;
    QString error;
    QVERIFY(!view.exportCsv(QStringLiteral("/nonexistent-dir/x/curves.csv"), &error));
    QVERIFY(error.contains(QStringLiteral("curves.csv")));
    QVERIFY(!view.exportImage(QStringLiteral("/nonexistent-dir/x/curves.png"), QStringLiteral("png"), &error));
    QVERIFY(error.contains(QStringLiteral("curves.png")));
    QVERIFY(!view.exportImage(QStringLiteral("/nonexistent-dir/x/curves.svg"), QStringLiteral("svg"), &error));
    QVERIFY2(error.contains(QStringLiteral("curves.svg")), qPrintable(error));
}

void TestRewardCurves::exportPngReadableImage()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.0);
    QVector<StepPoint> pts;
    for (int s = 0; s < 20; ++s)
        pts << point(1, s, {0.2 + 0.03 * s, 0.5}, {}, 1.0 + 0.1 * s, 0.001 * s, 0.1);
    view.setRun(1, QStringLiteral("run"), pts);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("curves.png"));
    QString error;
    QVERIFY2(view.exportImage(path, QStringLiteral("png"), &error, QSize(900, 600)), qPrintable(error));
    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(900, 600));
    // Aspect a's colour (#1f77b4) is drawn somewhere: the curve, not just axes.
    const int blue = test::countPixels(image, QColor(0x1f, 0x77, 0xb4));
    QVERIFY2(blue > 100, qPrintable(QString::number(blue)));
    // The PDF is a real PDF document.
    const QString pdf = dir.filePath(QStringLiteral("curves.pdf"));
    QVERIFY2(view.exportImage(pdf, QStringLiteral("pdf"), &error, QSize(900, 600)), qPrintable(error));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(5) == "%PDF-");
    QVERIFY(f.size() > 2000);
}

// The generic checks (viewBox, replacing the file, failures) are in
// tst_plot_export; here, that the SVG is this view's plot.
void TestRewardCurves::exportSvgIsThePlot()
{
    RewardCurvesView view;
    view.setAspects({{QStringLiteral("politeness")}, {QStringLiteral("meaningfulness")}});
    view.setSmoothing(0.0);
    view.setShowRaw(false);
    QVector<StepPoint> pts;
    for (int s = 0; s < 20; ++s)
        pts << point(1, s, {0.2 + 0.03 * s, 0.6 - 0.01 * s}, {}, 1.0 + 0.1 * s, 0.001 * s, 0.1);
    view.setRun(1, QStringLiteral("run"), pts);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("curves.svg"));
    QString error;
    QVERIFY2(view.exportImage(path, QStringLiteral("svg"), &error, QSize(900, 600)), qPrintable(error));

    const test::SvgSummary svg = test::readSvg(path);
    QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
    QCOMPARE(svg.viewBox, QStringLiteral("0 0 900 600"));
    QCOMPARE(svg.title, QStringLiteral("Reward curves"));
    // The legend names the aspects; the axes are labelled.
    QVERIFY2(svg.hasText(QStringLiteral("politeness")), qPrintable(svg.texts.join(QLatin1Char('|'))));
    QVERIFY(svg.hasText(QStringLiteral("meaningfulness")));
    QVERIFY(svg.hasText(QStringLiteral("step")));
    // Each aspect is one line through its 20 steps, in its colour (#1f77b4,
    // #ff7f0e), with a short stroke of the same colour in the legend.
    QCOMPARE(svg.longestPolyline(QStringLiteral("#1f77b4")), 20);
    QCOMPARE(svg.longestPolyline(QStringLiteral("#ff7f0e")), 20);
    // Qt's own SVG renderer reads it and draws the curve.
    const QImage image = test::renderSvg(path);
    QCOMPARE(image.size(), QSize(900, 600));
    const int blue = test::countPixels(image, QColor(0x1f, 0x77, 0xb4));
    QVERIFY2(blue > 100, qPrintable(QString::number(blue)));
}

// Realistic data, rendered for a person to look at (path printed).
void TestRewardCurves::renderRealisticRun()
{
    RewardCurvesView view;
    view.resize(1000, 650);
    QRandomGenerator rng(7);
    auto noise = [&](double scale) { return (rng.generateDouble() - 0.5) * 2.0 * scale; };
    const double start[] = {0.45, 0.35, 0.25, 0.7};
    const double rise[] = {0.35, 0.3, 0.4, 0.15};
    QVector<StepPoint> pts;
    for (int s = 1; s <= 60; ++s) {
        StepPoint p;
        p.runId = 2;
        p.step = s;
        double sum = 0, goldSum = 0;
        for (int a = 0; a < 4; ++a) {
            const double proxy = start[a] + rise[a] * (1 - std::exp(-s / 18.0)) + noise(0.04);
            const double gold = proxy - 0.002 * std::max(0, s - 25) * (a + 1) + noise(0.03);
            p.aspectMeans << proxy;
            p.goldMeans << gold;
            sum += proxy;
            goldSum += gold;
        }
        p.rewardMean = sum + noise(0.05);
        p.goldObjective = goldSum;
        p.kl = 0.05 * s / 60.0 + noise(0.003) + 0.003;
        p.loss = 0.02 * std::exp(-s / 30.0) + noise(0.01);
        pts << p;
    }
    view.setRun(2, QStringLiteral("grpo-safety"), pts);
    view.setMarkers({{2, 20, QStringLiteral("weights"), QStringLiteral("weights 1/1/2/1")},
                     {2, 40, QStringLiteral("reward_model"), QStringLiteral("RM v2")}});
    const QString path = QDir::temp().filePath(QStringLiteral("reward_curves.png"));
    QString error;
    QVERIFY2(view.exportImage(path, QStringLiteral("png"), &error, QSize(1000, 650)), qPrintable(error));
    view.grab().save(QDir::temp().filePath(QStringLiteral("reward_curves_widget.png")));
    QCOMPARE(QImage(path).size(), QSize(1000, 650));
    const QString svg = QDir::temp().filePath(QStringLiteral("reward_curves.svg"));
    QVERIFY2(view.exportImage(svg, QStringLiteral("svg"), &error, QSize(1000, 650)), qPrintable(error));
    QVERIFY2(view.exportImage(QDir::temp().filePath(QStringLiteral("reward_curves.pdf")), QStringLiteral("pdf"), &error,
                              QSize(1000, 650)),
             qPrintable(error));
    // An older run overlaid: drawn lighter, named "<run>: <series>".
    QVector<StepPoint> base;
    for (const StepPoint &p : pts) {
        StepPoint b = p;
        b.runId = 1;
        for (double &v : b.aspectMeans)
            v -= 0.08;
        b.goldMeans.clear();
        b.goldObjective = kNaN;
        b.rewardMean -= 0.3;
        b.kl *= 0.6;
        base << b;
    }
    view.setRun(1, QStringLiteral("baseline"), base);
    QVERIFY(view.exportImage(QDir::temp().filePath(QStringLiteral("reward_curves_two_runs.png")), QStringLiteral("png"),
                             &error, QSize(1000, 650)));
    qInfo("rendered %s and %s", qPrintable(path), qPrintable(svg));
}

QTEST_MAIN(TestRewardCurves)
#include "tst_reward_curves.moc"
