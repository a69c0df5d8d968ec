// The views of an ensemble reward model's uncertainty and of over-optimisation:
// the inspector's spread columns (only with an ensemble) and their colour,
// "Most uncertain first" against a hand sort (over all and over chosen
// aspects), the queue labels carry, "Why this one" and the weights in the
// detail pane, the Reward model dock's uncertainty-queue count and ensemble
// size, goldPeak on hand-made series, and the curves' sqrt(KL) axis with its
// gold-peak ring and the points' CSV. AWB_SCREENSHOT_DIR: the inspector's picture.
#include "overoptimisation.h"
#include "reward_curves_view.h"
#include "reward_model_panel.h"
#include "sample_filter_model.h"
#include "sample_inspector.h"
#include "sample_table_model.h"

#include <qcustomplot.h>

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QtTest>

#include <cmath>

using namespace awb;

namespace {

QVector<view::AspectSpec> aspects()
{
    return {{QStringLiteral("politeness"), 0, 1}, {QStringLiteral("safety"), 0, 1}};
}

// Ids 1..6; spreads (politeness, safety) by hand; sample 3 is labelled, sample 6 has no spread.
QVector<view::SampleRow> rows()
{
    const double spreads[6][2] = {{0.05, 0.30}, {0.20, 0.01}, {0.40, 0.40}, {0.10, 0.12}, {0.25, 0.02}, {0, 0}};
    QVector<view::SampleRow> out;
    for (int i = 0; i < 6; ++i) {
        view::SampleRow r;
        r.id = i + 1;
        r.runId = 1;
        r.step = 1 + i / 3;
        r.group = 0;
        r.indexInGroup = i % 3;
        r.prompt = QStringLiteral("prompt %1").arg(i);
        r.completion = QStringLiteral("completion %1").arg(i);
        r.scores = {0.5, 0.6};
        r.labels = {view::missing(), view::missing()};
        if (i == 2)
            r.labels = {0.9, 0.1};
        if (i < 5) {
            r.scoreStd = {spreads[i][0], spreads[i][1]};
            r.members = {{0.5 - spreads[i][0], 0.5, 0.5 + spreads[i][0]}, {0.6 - spreads[i][1], 0.6, 0.6 + spreads[i][1]}};
        }
        r.reward = 1.1;
        r.advantage = 0.0;
        out.append(r);
    }
    return out;
}

QVector<qint64> shownIds(const SampleFilterModel *f)
{
    QVector<qint64> ids;
    for (int r = 0; r < f->rowCount(); ++r)
        ids << f->sampleIdAt(r);
    return ids;
}

} // namespace

class TestUncertaintyViews : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_uncertainty_views"));
        QSettings().clear();
    }

    void spreadColumnsOnlyWithAnEnsemble()
    {
        SampleTableModel m;
        m.setAspects(aspects());
        QVector<view::SampleRow> single = rows();
        for (auto &r : single) {
            r.scoreStd.clear();
            r.members.clear();
        }
        m.setRows(single);
        QCOMPARE(m.columnCount(), 3 + 2 * 2 + 4);
        QCOMPARE(m.uncertaintyColumn(0), -1);
        // Appending ensemble-scored rows brings the two spread columns.
        QSignalSpy inserted(&m, &QAbstractItemModel::columnsInserted);
        QVector<view::SampleRow> more = rows();
        for (auto &r : more)
            r.id += 100;
        m.appendRows(more);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(m.columnCount(), 3 + 2 * 2 + 4 + 2);
        const int c = m.uncertaintyColumn(1);
        QCOMPARE(m.uncertaintyColumn(0), m.scoreColumn(1) + 1);   // right after the two score columns
        QCOMPARE(c, m.scoreColumn(1) + 2);
        QCOMPARE(m.labelColumn(0), m.uncertaintyColumn(1) + 1);
        const int row = m.rowForSampleId(101);
        QCOMPARE(m.index(row, c).data().toString(), QStringLiteral("0.300"));
        QCOMPARE(m.index(row, c).data(SampleTableModel::SortRole).toDouble(), 0.30);
        QVERIFY(m.headerData(c, Qt::Horizontal).toString().startsWith(QStringLiteral("safety")));
        // Colour: white towards violet by min(std / range / 0.25, 1) = 1.2 -> 1 here, 0.2 for politeness 0.05.
        QCOMPARE(m.index(row, c).data(Qt::BackgroundRole).value<QColor>(), QColor(SampleTableModel::kUncertainColour));
        const QColor expected(int(std::floor(255 + (178 - 255) * 0.2 + 0.5)), int(std::floor(255 + (132 - 255) * 0.2 + 0.5)),
                              int(std::floor(255 + (214 - 255) * 0.2 + 0.5)));
        QCOMPARE(m.index(row, m.uncertaintyColumn(0)).data(Qt::BackgroundRole).value<QColor>(), expected);
        // A single-model row in an ensemble table: blank.
        QCOMPARE(m.index(m.rowForSampleId(1), c).data().toString(), QString());
        QVERIFY(m.index(m.rowForSampleId(106), c).data(Qt::ToolTipRole).toString().isEmpty() == false);
    }

    void mostUncertainFirstMatchesAHandSort()
    {
        SampleTableModel m;
        m.setAspects(aspects());
        m.setRows(rows());
        SampleFilterModel f;
        f.setSourceModel(&m);
        // Already sorted by the step, descending (the inspector's default), as the mode's own sort is.
        f.sort(SampleTableModel::StepColumn, Qt::DescendingOrder);
        f.setUncertaintyMode(true);
        // Largest spread over both aspects: 1 -> 0.30, 2 -> 0.20, 3 (labelled, hidden), 4 -> 0.12, 5 -> 0.25,
        // 6 none (last).
        QCOMPARE(shownIds(&f), (QVector<qint64>{1, 5, 2, 4, 6}));
        // Over politeness only: 5 (0.25), 2 (0.20), 4 (0.10), 1 (0.05), then 6.
        f.setUncertaintyAspects({0});
        QCOMPARE(shownIds(&f), (QVector<qint64>{5, 2, 4, 1, 6}));
        // Disagreement mode replaces it, and off brings the step order back.
        f.setDisagreementMode(true);
        QVERIFY(!f.uncertaintyMode());
        QCOMPARE(shownIds(&f), (QVector<qint64>{3}));
        f.setDisagreementMode(false);
        QCOMPARE(f.rowCount(), 6);   // all back, by step again (ties in any order)
        QCOMPARE(f.sortColumn(), int(SampleTableModel::StepColumn));
        QCOMPARE(f.sortOrder(), Qt::DescendingOrder);
        for (int r = 1; r < 6; ++r)
            QVERIFY(m.sampleAt(m.rowForSampleId(f.sampleIdAt(r - 1))).step >= m.sampleAt(m.rowForSampleId(f.sampleIdAt(r))).step);
    }

    void inspectorQueueWhyAndWeights()
    {
        SampleInspector w;
        w.setAspects(aspects());
        QVector<view::SampleRow> data = rows();
        data[1].weights = {0.25, 0.75};
        w.setSamples(data);
        auto *toggle = w.findChild<QToolButton *>(QStringLiteral("uncertaintyToggle"));
        QVERIFY(toggle && toggle->menu());
        toggle->setChecked(true);
        QCOMPARE(w.labellingQueue(), QStringLiteral("uncertainty"));
        QCOMPARE(w.filterModel()->sampleIdAt(0), 1);
        // Unticking safety in the menu orders by politeness alone.
        for (QAction *a : toggle->menu()->actions())
            if (a->objectName() == QLatin1String("uncertaintyAspect_1"))
                a->setChecked(false);
        QCOMPARE(w.filterModel()->sampleIdAt(0), 5);

        QVERIFY(w.selectSample(2));
        const QString detail = w.findChild<QTextBrowser *>(QStringLiteral("sampleDetail"))->toPlainText();
        QVERIFY2(detail.contains(QStringLiteral("Why this one")), qPrintable(detail));
        QVERIFY2(detail.contains(QStringLiteral("3 members disagree most on politeness (spread 0.200)")), qPrintable(detail));
        QVERIFY2(detail.contains(QStringLiteral("0.500 \u00b1 0.200")), qPrintable(detail));
        QVERIFY2(detail.contains(QStringLiteral("0.30, 0.50, 0.70")), qPrintable(detail));
        QVERIFY2(detail.contains(QStringLiteral("Trained with weights: politeness 0.25, safety 0.75")), qPrintable(detail));

        QSignalSpy submitted(&w, &SampleInspector::labelsSubmitted);
        QTest::keyClick(w.findChild<QTableView *>(QStringLiteral("samplesTable")), Qt::Key_Return);
        QCOMPARE(submitted.count(), 1);
        QCOMPARE(submitted.at(0).at(0).toLongLong(), 2);
        QCOMPARE(submitted.at(0).at(3).toString(), QStringLiteral("uncertainty"));
        toggle->setChecked(false);
        QCOMPARE(w.labellingQueue(), QString());
        // A single-model sample has no "Why this one".
        QVERIFY(w.selectSample(6));
        QVERIFY(!w.findChild<QTextBrowser *>(QStringLiteral("sampleDetail"))->toPlainText().contains(QStringLiteral("Why this one")));

        if (const QByteArray dir = qgetenv("AWB_SCREENSHOT_DIR"); !dir.isEmpty()) {
            toggle->setChecked(true);
            w.resize(1400, 600);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.selectSample(1);
            QVERIFY(w.grab().save(QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("uncertainty-inspector-unit.png"))));
        }
    }

    void rewardModelDockCountsTheUncertaintyQueue()
    {
        RewardModelPanel p;
        p.setActiveVersion(3);
        p.setLabelsSinceTraining(12);
        p.setUncertaintyLabelsSinceTraining(8);
        const QString text = p.findChild<QLabel *>(QStringLiteral("labelsSinceLabel"))->text();
        QVERIFY2(text == QStringLiteral("12 new labels since the version in use (v3) 8 of them from the uncertainty queue."),
                 qPrintable(text));
        auto *spin = p.findChild<QSpinBox *>(QStringLiteral("ensembleSizeSpin"));
        QCOMPARE(p.ensembleSize(), 1);
        spin->setValue(5);
        RewardModelPanel again;
        QCOMPARE(again.ensembleSize(), 5);   // remembered
    }

    void goldPeakByHand()
    {
        // Proxy rises by 0.01 a point; gold rises to point 10 then falls by 0.01 a point.
        QVector<double> proxy, gold;
        for (int i = 0; i < 20; ++i) {
            proxy << 0.5 + 0.01 * i;
            gold << (i <= 10 ? 0.4 + 0.01 * i : 0.5 - 0.01 * (i - 10));
        }
        // Centred means of 7: symmetric about 10 around the peak, so the smoothed peak is point 10.
        QCOMPARE(goldPeak(proxy, gold, 0.02, 0.01), 10);
        // Proxy flat after the peak, or gold still rising at the end: no mark.
        QVector<double> flat = proxy;
        for (int i = 10; i < 20; ++i)
            flat[i] = flat[10];
        QCOMPARE(goldPeak(flat, gold, 0.02, 0.01), -1);
        QVector<double> rising;
        for (int i = 0; i < 20; ++i)
            rising << 0.4 + 0.01 * i;
        QCOMPARE(goldPeak(proxy, rising, 0.02, 0.01), -1);
        QCOMPARE(goldPeak(proxy.mid(0, 5), gold.mid(0, 5), 0.02, 0.01), -1);   // too few points
        // NaN points are skipped; the index refers to the input.
        QVector<double> gapped = gold;
        gapped.insert(3, std::nan(""));
        QVector<double> proxyGapped = proxy;
        proxyGapped.insert(3, 0.52);
        QCOMPARE(goldPeak(proxyGapped, gapped, 0.02, 0.01), 11);
        QCOMPARE(centredMean({1, 2, 3, 4}, 1), (QVector<double>{1.5, 2, 3, 3.5}));
    }

    void sqrtKlAxisAndPeakRing()
    {
        RewardCurvesView v;
        v.setAspects(aspects());
        QVector<view::StepPoint> points;
        for (int s = 1; s <= 20; ++s) {
            view::StepPoint p;
            p.runId = 1;
            p.step = s;
            // KL per completion grows as s^2 / 100, except step 4, which is above step 5's.
            p.sequenceKl = s == 4 ? 0.3 : s * s / 100.0;
            const int i = s - 1;
            p.aspectMeans = {0.5 + 0.01 * i, 0.8};
            p.goldMeans = {i <= 10 ? 0.4 + 0.01 * i : 0.5 - 0.01 * (i - 10), 0.8};
            p.rewardMean = 1.0;
            points << p;
        }
        v.setRun(1, QStringLiteral("run 1"), points);
        v.setXAxis(RewardCurvesView::XAxis::SqrtKl);
        v.redrawNow();
        QVERIFY(std::abs(v.xOf(1, 9) - 0.9) < 1e-12);
        QCPGraph *g = v.graphFor(1, 0, true);
        QVERIFY(g);
        // Sorted by sqrt(KL): step 4 (sqrt 0.3 = 0.548) comes after step 5 (0.5).
        QCOMPARE(g->data()->size(), 20);
        QVERIFY(std::abs(g->data()->at(3)->key - 0.5) < 1e-12);
        QVERIFY(std::abs(g->data()->at(4)->key - std::sqrt(0.3)) < 1e-12);
        // The ring: politeness's gold peaks at step 11 (index 10 in sqrt(KL) order, as in goldPeakByHand's
        // series but for steps 4 and 5 swapped, which the centred mean of 7 does not move); safety is flat.
        QCOMPARE(v.goldPeaks(), (QVector<QPair<int, int>>{{0, 11}}));
        const QStringList csv = v.overoptimisationCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 1 + 20 * 2);
        QCOMPARE(csv[0], QStringLiteral("run,step,sqrt_kl,aspect,proxy,gold,gold_source,gold_peak"));
        QVERIFY(csv.contains(QStringLiteral("run 1,11,1.1,politeness,0.6,0.5,gold,1")));
        QVERIFY(csv.contains(QStringLiteral("run 1,9,0.9,safety,0.8,0.8,gold,0")));
        // Off the demo: the labels' mean stands in for gold.
        for (auto &p : points) {
            p.labelMeans = p.goldMeans;
            p.goldMeans.clear();
        }
        RewardCurvesView labels;
        labels.setAspects(aspects());
        labels.setRun(1, QStringLiteral("run 1"), points);
        labels.setXAxis(RewardCurvesView::XAxis::SqrtKl);
        labels.redrawNow();
        QVERIFY(labels.graphFor(1, 0, true));
        QCOMPARE(labels.graphFor(1, 0, true)->name(), QStringLiteral("labels politeness"));
        QVERIFY(labels.overoptimisationCsv().contains(QStringLiteral("run 1,11,1.1,politeness,0.6,0.5,labels,1")));
    }
};

QTEST_MAIN(TestUncertaintyViews)
#include "tst_uncertainty_views.moc"
