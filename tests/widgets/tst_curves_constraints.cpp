// The curves of a constrained run (each constraint's lambda and violation
// rate on the lower plot's axes) and of a steerable run split by weight region.
#include "curves_test_points.h"
#include "reward_curves_view.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QtTest>

using namespace awb;
using namespace awb::test;

class TestCurvesConstraints : public QObject
{
    Q_OBJECT

private slots:
    void constraintCurvesOnTheLowerAxes();
    void curvesSplitByWeightRegion();
};

void TestCurvesConstraints::constraintCurvesOnTheLowerAxes()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.0);
    QVector<StepPoint> points;
    for (int s = 1; s <= 3; ++s) {
        points << point(1, s, {0.5, 0.6}, {}, kNaN, 0.01, 0.2);
        points.last().lambdas = {kNaN, 1.0 + s};            // only b is constrained
        points.last().violationRates = {kNaN, 0.5 / s};
        points.last().bounds = {kNaN, 0.9};
    }
    view.setRun(1, QStringLiteral("constrained"), points);
    view.redrawNow();
    QVERIFY(!view.seriesGraph(1, RewardCurvesView::Series::Lambda, 0));
    QCPGraph *lambda = view.seriesGraph(1, RewardCurvesView::Series::Lambda, 1);
    QCPGraph *rate = view.seriesGraph(1, RewardCurvesView::Series::ViolationRate, 1);
    QVERIFY(lambda && rate);
    QVERIFY(sameValues(valuesOf(lambda), QVector<double>{2.0, 3.0, 4.0}));
    QVERIFY(sameValues(valuesOf(rate), QVector<double>{0.5, 0.25, 0.5 / 3}));
    QCOMPARE(lambda->valueAxis(), view.seriesGraph(1, RewardCurvesView::Series::Kl)->valueAxis());
    QCOMPARE(rate->valueAxis(), view.seriesGraph(1, RewardCurvesView::Series::Loss)->valueAxis());
    QCOMPARE(lambda->name(), QStringLiteral("lambda b"));
    QCOMPARE(lambda->valueAxis()->label(), QStringLiteral("KL, lambda"));
    QCOMPARE(rate->valueAxis()->label(), QStringLiteral("loss, violation rate"));
}

void TestCurvesConstraints::curvesSplitByWeightRegion()
{
    RewardCurvesView view;
    view.setAspects(twoAspects());
    view.setSmoothing(0.0);
    auto *combo = view.findChild<QComboBox *>(QStringLiteral("regionCombo"));
    QVERIFY(combo);
    view.setRun(1, QStringLiteral("fixed"), {point(1, 1, {0.5, 0.6}), point(1, 2, {0.55, 0.65})});
    view.redrawNow();
    QVERIFY(combo->isHidden());   // no steerable run: no regions
    QVector<StepPoint> points;
    for (int s = 1; s <= 2; ++s) {
        points << point(2, s, {0.5, 0.5}, {0.4, 0.4});
        // Groups heavy on a score a high and b low, and the other way round.
        points.last().regionMeans = {{0.8 + 0.01 * s, 0.2}, {0.3, 0.7 + 0.01 * s}};
        points.last().regionGold = {{0.75, 0.25}, {0.35, 0.65}};
    }
    view.setRun(2, QStringLiteral("steerable"), points);
    view.redrawNow();
    QVERIFY(!combo->isHidden());
    QCOMPARE(combo->count(), 3);   // all, a-heavy, b-heavy
    QVERIFY(sameValues(valuesOf(view.graphFor(2, 0)), QVector<double>{0.5, 0.5}));
    combo->setCurrentIndex(2);     // b-heavy
    view.redrawNow();
    QVERIFY(sameValues(valuesOf(view.graphFor(2, 0)), QVector<double>{0.3, 0.3}));
    QVERIFY(sameValues(valuesOf(view.graphFor(2, 1)), QVector<double>{0.71, 0.72}));
    QVERIFY(sameValues(valuesOf(view.graphFor(2, 1, true)), QVector<double>{0.65, 0.65}));
    QVERIFY(view.graphFor(2, 1)->name().contains(QStringLiteral("b-heavy groups")));
    QVERIFY(!view.graphFor(1, 0));   // the fixed run has no regions to draw
}

QTEST_MAIN(TestCurvesConstraints)
#include "tst_curves_constraints.moc"
