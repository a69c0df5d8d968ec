// The Pareto view: front ids and hypervolume of a hand-made cloud, axis and
// value-source switching, the reference point, click picking and the
// coalescing redraw; the exports (SVG, PNG and CSV read back; the generic
// checks are in tst_plot_export); and a rendering with realistic data.
#include "pareto_view.h"
#include "exported_files.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace awb;

class TestParetoView : public QObject
{
    Q_OBJECT

private slots:
    void frontAndHypervolume_data();
    void frontAndHypervolume();
    void combosSwitchAxes();
    void referencePoint();
    void goldToggle();
    void trajectoryCounts();
    void clickPicksNearestPoint();
    void redrawIsCoalesced();
    void exportSvgShowsTheCloud();
    void exportPngAtTheSizeAsked();
    void exportCsvListsPlottedPoints();
    void rendersRealisticData();
};

namespace {

QVector<view::AspectSpec> aspects(double politenessMin = 0.0)
{
    return {{QStringLiteral("politeness"), politenessMin, 1.0},
            {QStringLiteral("meaningfulness"), 0.0, 1.0},
            {QStringLiteral("actionability"), 0.0, 1.0},
            {QStringLiteral("safety"), 0.0, 1.0}};
}

view::SampleRow sample(qint64 id, QVector<double> scores, QVector<double> gold = {})
{
    view::SampleRow s;
    s.id = id;
    s.step = 5;
    s.scores = scores;
    s.gold = gold;
    s.reward = 0.5;
    return s;
}

// Scores per aspect (politeness, meaningfulness, actionability, safety).
QVector<view::SampleRow> handCloud()
{
    return {sample(101, {0.2, 0.8, 0.1, 0.5}),
            sample(102, {0.5, 0.5, 0.9, 0.6}),
            sample(103, {0.8, 0.2, 0.3, 0.9}),
            sample(104, {0.4, 0.4, 0.5, 0.2}),
            sample(105, {0.1, 0.1, 0.2, 0.95})};
}

view::StepPoint stepPoint(int step, QVector<double> means, QVector<double> gold = {})
{
    view::StepPoint p;
    p.runId = 1;
    p.step = step;
    p.aspectMeans = means;
    p.goldMeans = gold;
    p.rewardMean = 0.5;
    return p;
}

QPoint pixelOf(ParetoView &view, QPointF p)
{
    return QPoint(int(std::lround(view.plot()->xAxis->coordToPixel(p.x()))),
                  int(std::lround(view.plot()->yAxis->coordToPixel(p.y()))));
}

} // namespace

void TestParetoView::frontAndHypervolume_data()
{
    QTest::addColumn<int>("x");
    QTest::addColumn<int>("y");
    QTest::addColumn<QVector<qint64>>("front");
    QTest::addColumn<double>("hypervolume");

    // politeness x meaningfulness: (0.2,0.8) (0.5,0.5) (0.8,0.2) form the
    // front; 104 (0.4,0.4) and 105 (0.1,0.1) are dominated by 102. Columns
    // against (0,0): 0.2*0.8 + 0.3*0.5 + 0.3*0.2 = 0.16 + 0.15 + 0.06 = 0.37.
    QTest::newRow("politeness/meaningfulness") << 0 << 1 << QVector<qint64>{101, 102, 103} << 0.37;
    // Swapped axes: the same staircase mirrored, front by x: 103, 102, 101.
    QTest::newRow("meaningfulness/politeness") << 1 << 0 << QVector<qint64>{103, 102, 101} << 0.37;
    // actionability x safety: 101 (0.1,0.5) 102 (0.9,0.6) 103 (0.3,0.9)
    // 104 (0.5,0.2) 105 (0.2,0.95). 101 and 104 are dominated by 102.
    // From the right: 0.9*0.6 + 0.3*(0.9-0.6) + 0.2*(0.95-0.9) = 0.54 + 0.09 + 0.01 = 0.64.
    QTest::newRow("actionability/safety") << 2 << 3 << QVector<qint64>{105, 103, 102} << 0.64;
}

void TestParetoView::frontAndHypervolume()
{
    QFETCH(int, x);
    QFETCH(int, y);
    QFETCH(QVector<qint64>, front);
    QFETCH(double, hypervolume);
    ParetoView view;
    view.setAspects(aspects());
    view.setSamples(5, handCloud());
    view.setAxes(x, y);
    QCOMPARE(view.cloudPointCount(), 5);
    QCOMPARE(view.frontSampleIds(), front);
    QVERIFY(std::abs(view.hypervolume() - hypervolume) < 1e-12);
    auto *label = view.findChild<QLabel *>(QStringLiteral("hypervolumeLabel"));
    QVERIFY(label);
    QVERIFY2(label->text().contains(QString::number(hypervolume, 'f', 4)), qPrintable(label->text()));
    QVERIFY(label->text().contains(QStringLiteral("3 of 5")));
}

void TestParetoView::combosSwitchAxes()
{
    ParetoView view;
    view.setAspects(aspects());
    view.setSamples(5, handCloud());
    auto *xCombo = view.findChild<QComboBox *>(QStringLiteral("xAspectCombo"));
    auto *yCombo = view.findChild<QComboBox *>(QStringLiteral("yAspectCombo"));
    QVERIFY(xCombo && yCombo);
    QCOMPARE(xCombo->count(), 4);
    QCOMPARE(yCombo->currentText(), QStringLiteral("meaningfulness"));
    QVERIFY(std::abs(view.hypervolume() - 0.37) < 1e-12);   // see frontAndHypervolume
    // As a user picks from the combos: actionability x safety gives 0.64.
    xCombo->setCurrentIndex(2);
    emit xCombo->activated(2);
    yCombo->setCurrentIndex(3);
    emit yCombo->activated(3);
    QCOMPARE(view.xAspect(), 2);
    QCOMPARE(view.yAspect(), 3);
    QCOMPARE(view.frontSampleIds(), (QVector<qint64>{105, 103, 102}));
    QVERIFY(std::abs(view.hypervolume() - 0.64) < 1e-12);
    view.replotNow();
    QCOMPARE(view.plot()->xAxis->label(), QStringLiteral("actionability (reward model)"));
    QCOMPARE(view.plot()->yAxis->label(), QStringLiteral("safety"));
    // Axis range is the aspect range, padded by 4% of the span on each side.
    QVERIFY(std::abs(view.plot()->xAxis->range().lower - (-0.04)) < 1e-12);
    QVERIFY(std::abs(view.plot()->yAxis->range().upper - 1.04) < 1e-12);
}

void TestParetoView::referencePoint()
{
    ParetoView view;
    view.setAspects(aspects(-1.0));
    view.setSamples(5, handCloud());
    // Default reference = aspect minimums (-1, 0). Columns: [-1,0.2] x 0.8 =
    // 0.96; [0.2,0.5] x 0.5 = 0.15; [0.5,0.8] x 0.2 = 0.06; total 1.17.
    QCOMPARE(view.referencePoint(), QPointF(-1.0, 0.0));
    QVERIFY(std::abs(view.hypervolume() - 1.17) < 1e-12);

    view.setAxes(2, 3);
    // Reference (0.25, 0.5) on actionability x safety: 105 (x 0.2) and 101
    // (y 0.5, not strictly above) drop out. 102: 0.65*0.1 = 0.065; 103:
    // 0.05*(0.9-0.6) = 0.015; total 0.08.
    view.setReferencePoint({0.25, 0.5});
    QVERIFY(std::abs(view.hypervolume() - 0.08) < 1e-12);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("hypervolumeLabel"))->text().contains(QStringLiteral("0.0800")));
    // Changing the axes goes back to the minimums: 0.37 as before.
    view.setAxes(1, 0);
    QCOMPARE(view.referencePoint(), QPointF(0.0, -1.0));
    // meaningfulness x politeness against (0,-1): rows mirrored, columns
    // [0,0.2] x (0.8+1) = 0.36; [0.2,0.5] x 1.5 = 0.45; [0.5,0.8] x 1.2 = 0.36; total 1.17.
    QVERIFY(std::abs(view.hypervolume() - 1.17) < 1e-12);
}

void TestParetoView::goldToggle()
{
    ParetoView view;
    view.setAspects(aspects());
    view.setSamples(5, handCloud());
    auto *source = view.findChild<QComboBox *>(QStringLiteral("valueSourceCombo"));
    QVERIFY(source);
    QVERIFY(source->isHidden());   // no gold values anywhere
    view.setValueSource(ParetoView::ValueSource::Gold);
    QCOMPARE(view.valueSource(), ParetoView::ValueSource::RewardModel);

    auto cloud = handCloud();
    cloud[0].gold = {0.9, 0.9, 0.0, 0.0};   // 101 dominates everything in gold
    cloud[1].gold = {0.3, 0.6, 0.0, 0.0};
    cloud[2].gold = {0.6, 0.3, 0.0, 0.0};
    view.setSamples(5, cloud);   // 104 and 105 have no gold: not plotted
    QVERIFY(!source->isHidden());
    QCOMPARE(view.valueSource(), ParetoView::ValueSource::RewardModel);   // default
    QCOMPARE(view.frontSampleIds(), (QVector<qint64>{101, 102, 103}));
    source->setCurrentIndex(1);
    emit source->activated(1);
    QCOMPARE(view.valueSource(), ParetoView::ValueSource::Gold);
    QCOMPARE(view.cloudPointCount(), 3);
    QCOMPARE(view.frontSampleIds(), QVector<qint64>{101});
    QVERIFY(std::abs(view.hypervolume() - 0.81) < 1e-12);   // 0.9 * 0.9
    // Gold gone again: back to the reward model.
    view.setSamples(6, handCloud());
    QVERIFY(source->isHidden());
    QCOMPARE(view.valueSource(), ParetoView::ValueSource::RewardModel);
    QCOMPARE(view.cloudPointCount(), 5);
}

void TestParetoView::trajectoryCounts()
{
    ParetoView view;
    view.setAspects(aspects());
    view.setTrajectory({stepPoint(3, {0.3, 0.3, 0.3, 0.3}),
                        stepPoint(1, {0.2, view::missing(), 0.2, 0.2}),   // not plottable on y
                        stepPoint(2, {0.25, 0.25, 0.25, 0.25})});
    QCOMPARE(view.trajectoryPointCount(), 2);
    view.appendStep(stepPoint(4, {0.4, 0.4, 0.4, 0.4}));
    QCOMPARE(view.trajectoryPointCount(), 3);
    view.appendStep(stepPoint(1, {0.1, 0.1, 0.1, 0.1}));   // replaces step 1, now plottable
    QCOMPARE(view.trajectoryPointCount(), 4);
    view.appendStep(stepPoint(4, {0.5, 0.5, 0.5, 0.5}));   // replaces step 4
    QCOMPARE(view.trajectoryPointCount(), 4);
    view.setAxes(0, 2);   // the NaN is on aspect 1 only; still 4
    QCOMPARE(view.trajectoryPointCount(), 4);
    view.replotNow();
    QCOMPARE(view.cloudPointCount(), 0);
    QCOMPARE(view.hypervolume(), 0.0);
}

void TestParetoView::clickPicksNearestPoint()
{
    ParetoView view;
    view.resize(900, 600);
    view.setAspects(aspects());
    // Trajectory points away from the cloud; step 7 at (0.3, 0.65).
    view.setTrajectory({stepPoint(6, {0.15, 0.5, 0, 0}), stepPoint(7, {0.3, 0.65, 0, 0})});
    view.setSamples(5, handCloud());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.replotNow();
    QSignalSpy samples(&view, &ParetoView::sampleActivated);
    QSignalSpy steps(&view, &ParetoView::stepActivated);

    // 104 sits at (0.4, 0.4); a click 3 px off still picks it.
    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, pixelOf(view, {0.4, 0.4}) + QPoint(3, -2));
    QCOMPARE(samples.count(), 1);
    QCOMPARE(samples.at(0).at(0).toLongLong(), qint64(104));
    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, pixelOf(view, {0.8, 0.2}));
    QCOMPARE(samples.count(), 2);
    QCOMPARE(samples.at(1).at(0).toLongLong(), qint64(103));
    QCOMPARE(steps.count(), 0);

    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, pixelOf(view, {0.3, 0.65}));
    QCOMPARE(steps.count(), 1);
    QCOMPARE(steps.at(0).at(0).toInt(), 7);
    QCOMPARE(samples.count(), 2);

    // Empty space, and a drag that starts on a point: nothing.
    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, pixelOf(view, {0.7, 0.9}));
    const QPoint start = pixelOf(view, {0.5, 0.5});
    QTest::mousePress(view.plot(), Qt::LeftButton, {}, start);
    QTest::mouseRelease(view.plot(), Qt::LeftButton, {}, start + QPoint(30, 0));
    QCOMPARE(samples.count(), 2);
    QCOMPARE(steps.count(), 1);
}

void TestParetoView::redrawIsCoalesced()
{
    ParetoView view;
    view.resize(600, 400);
    view.setAspects(aspects());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.replotNow();
    QSignalSpy replots(view.plot(), &QCustomPlot::afterReplot);
    const int before = view.plot()->plottableCount();
    for (int s = 1; s <= 20; ++s)
        view.appendStep(stepPoint(s, {0.01 * s, 0.02 * s, 0.5, 0.5}));
    QCOMPARE(view.plot()->plottableCount(), before);   // not drawn yet
    QTRY_VERIFY(view.plot()->plottableCount() > before);
    QTest::qWait(120);
    QCOMPARE(replots.count(), 1);   // 20 appends, one redraw
}

void TestParetoView::exportSvgShowsTheCloud()
{
    ParetoView view;
    view.setAspects(aspects());
    view.setTrajectory({stepPoint(6, {0.15, 0.5, 0, 0}), stepPoint(7, {0.3, 0.65, 0, 0})});
    view.setSamples(5, handCloud());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pareto.svg"));
    QString error;
    QVERIFY2(view.exportImage(path, QStringLiteral("svg"), &error, QSize(800, 500)), qPrintable(error));

    const test::SvgSummary svg = test::readSvg(path);
    QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
    QCOMPARE(svg.root, QStringLiteral("svg"));
    QCOMPARE(svg.viewBox, QStringLiteral("0 0 800 500"));
    QCOMPARE(svg.title, QStringLiteral("Pareto plot: meaningfulness against politeness"));
    QVERIFY2(svg.hasText(QStringLiteral("politeness (reward model)")), qPrintable(svg.texts.join(QLatin1Char('|'))));
    QVERIFY(svg.hasText(QStringLiteral("meaningfulness")));
    // Every sample is a grey circle (outline #5c5c5c), plus one in the
    // legend; the three front samples are ringed in orange, plus the legend's.
    QCOMPARE(svg.count(QStringLiteral("circle"), QStringLiteral("#5c5c5c")), 5 + 1);
    QCOMPARE(svg.count(QStringLiteral("circle"), QStringLiteral("#d95f02")), 3 + 1);
    QCOMPARE(test::renderSvg(path).size(), QSize(800, 500));   // Qt's renderer reads it
}

void TestParetoView::exportPngAtTheSizeAsked()
{
    ParetoView view;
    view.setAspects(aspects());
    view.setSamples(5, handCloud());
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("pareto.png"));
    QString error;
    QVERIFY2(view.exportImage(png, QStringLiteral("png"), &error, QSize(700, 450)), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), QSize(700, 450));
    const int orange = test::countPixels(image, QColor(217, 95, 2));   // the front's rings and staircase
    QVERIFY2(orange > 50, qPrintable(QString::number(orange)));
    QVERIFY(!view.exportImage(QStringLiteral("/nonexistent-dir/x/pareto.png"), QStringLiteral("png"), &error));
    QVERIFY2(error.contains(QStringLiteral("pareto.png")), qPrintable(error));
}

void TestParetoView::exportCsvListsPlottedPoints()
{
    ParetoView view;
    view.setAspects(aspects());
    view.setTrajectory({stepPoint(7, {0.3, 0.65, 0, 0}), stepPoint(6, {0.15, 0.5, 0, 0}),
                        stepPoint(8, {0.4, view::missing(), 0, 0})});   // not plotted
    QVector<view::SampleRow> cloud = handCloud();
    for (view::SampleRow &s : cloud)
        s.runId = 1;
    cloud[4].scores[1] = view::missing();   // 105: not plotted
    view.setSamples(5, cloud);
    // politeness x meaningfulness: 101 (0.2,0.8), 102 (0.5,0.5) and 103
    // (0.8,0.2) are the front, 104 (0.4,0.4) is dominated by 102.
    QCOMPARE(view.csvText(), QStringLiteral("point,run,step,sample,politeness,meaningfulness,on_front\n"
                                            "step_mean,1,6,,0.15,0.5,\n"
                                            "step_mean,1,7,,0.3,0.65,\n"
                                            "sample,1,5,101,0.2,0.8,1\n"
                                            "sample,1,5,102,0.5,0.5,1\n"
                                            "sample,1,5,103,0.8,0.2,1\n"
                                            "sample,1,5,104,0.4,0.4,0\n"));
    // Other axes: the columns follow them, and 104 (0.5,0.2) is dominated by
    // 102 (0.9,0.6) on actionability x safety.
    view.setAxes(2, 3);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("points.csv"));
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 3 + 5);   // step 8 and 105 miss only meaningfulness
    QCOMPARE(lines.first(), QStringLiteral("point,run,step,sample,actionability,safety,on_front"));
    QCOMPARE(lines.at(3), QStringLiteral("step_mean,1,8,,0,0,"));
    QVERIFY(lines.contains(QStringLiteral("sample,1,5,104,0.5,0.2,0")));
    QVERIFY(lines.contains(QStringLiteral("sample,1,5,105,0.2,0.95,1")));
}

void TestParetoView::rendersRealisticData()
{
    QRandomGenerator rng(7);
    auto normal = [&rng](double sd) {
        const double u1 = 1.0 - rng.generateDouble(), u2 = rng.generateDouble();
        return sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    };
    auto clip = [](double v) { return std::clamp(v, 0.0, 1.0); };
    QVector<view::StepPoint> traj;
    for (int s = 1; s <= 60; ++s) {
        const double t = (s - 1) / 59.0;
        QVector<double> m{0.34 + 0.30 * t + normal(0.012), 0.30 + 0.28 * std::sqrt(t) + normal(0.012),
                          0.40 + 0.15 * t + normal(0.01), 0.70 - 0.05 * t + normal(0.01)};
        QVector<double> g;
        for (double v : m)
            g.push_back(clip(v - 0.05 * t + normal(0.01)));
        traj.push_back(stepPoint(s, m, g));
    }
    QVector<view::SampleRow> cloud;
    for (int i = 0; i < 64; ++i) {
        const double trade = normal(0.09);   // politeness trades against meaningfulness
        auto s = sample(5000 + i, {clip(traj.last().aspectMeans[0] + trade + normal(0.07)),
                                   clip(traj.last().aspectMeans[1] - 0.6 * trade + normal(0.07)),
                                   clip(traj.last().aspectMeans[2] + normal(0.1)),
                                   clip(traj.last().aspectMeans[3] + normal(0.08))});
        s.step = 60;
        s.group = i / 8;
        s.indexInGroup = i % 8;
        for (double v : s.scores)
            s.gold.push_back(clip(v - 0.04 + normal(0.03)));
        cloud.push_back(s);
    }
    ParetoView view;
    view.resize(900, 600);
    view.setAspects(aspects());
    view.setTrajectory(traj);
    view.setSamples(60, cloud);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.replotNow();
    QCOMPARE(view.trajectoryPointCount(), 60);
    QCOMPARE(view.cloudPointCount(), 64);
    QVERIFY(!view.frontSampleIds().isEmpty());
    const QImage image = view.grab().toImage();
    QCOMPARE(image.size(), QSize(900, 600) * image.devicePixelRatio());
    QVERIFY(image.save(QDir::temp().filePath(QStringLiteral("pareto_view.png"))));
    QString error;
    QVERIFY2(view.exportImage(QDir::temp().filePath(QStringLiteral("pareto_view.svg")), QStringLiteral("svg"), &error),
             qPrintable(error));
}

QTEST_MAIN(TestParetoView)
#include "tst_pareto_view.moc"
