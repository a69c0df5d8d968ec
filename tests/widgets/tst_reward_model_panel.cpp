// The reward-model panel: progress bar, live loss curve, versions table texts,
// label counts, auto-retrain at the threshold, button states, settings.
#include "reward_model_panel.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace awb;

namespace {

const QStringList kNames = {QStringLiteral("politeness"), QStringLiteral("meaningfulness"),
                            QStringLiteral("actionability"), QStringLiteral("safety")};

QVector<view::AspectSpec> fourAspects()
{
    QVector<view::AspectSpec> out;
    for (const QString &n : kNames)
        out.append({n, 0.0, 1.0});
    return out;
}

// Three versions, given out of order: v1, v3, v2.
QVector<RewardModelVersionRow> threeVersions()
{
    QVector<RewardModelVersionRow> rows;
    RewardModelVersionRow v1;
    v1.version = 1;
    v1.created = QDateTime(QDate(2024, 5, 1), QTime(13, 7));
    v1.labelCount = 120;
    v1.note = QStringLiteral("first");
    v1.metrics[QStringLiteral("politeness")] = {0.1234, 0.87654, -0.5};
    v1.metrics[QStringLiteral("safety")] = {0.2, 0.6, 0.55};
    RewardModelVersionRow v3;
    v3.version = 3;
    v3.created = QDateTime(QDate(2024, 5, 2), QTime(9, 30));
    v3.labelCount = 410;
    for (int i = 0; i < kNames.size(); ++i)
        v3.metrics[kNames[i]] = {0.05 + 0.01 * i, 0.9 - 0.05 * i, 0.88 - 0.05 * i};
    v3.metrics[QStringLiteral("safety")] = {0.0805, view::missing(), 0.7};
    RewardModelVersionRow v2;
    v2.version = 2;
    v2.created = QDateTime(QDate(2024, 5, 1), QTime(17, 45));
    v2.labelCount = 260;
    for (int i = 0; i < kNames.size(); ++i)
        v2.metrics[kNames[i]] = {0.09 + 0.01 * i, 0.8 - 0.05 * i, 0.78 - 0.05 * i};
    rows << v1 << v3 << v2;
    return rows;
}

} // namespace

class TestRewardModelPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void progressDrivesBar();
    void lossPlotHoldsPoints();
    void newTrainingClearsCurve();
    void versionsTableTexts();
    void formatMetric_data();
    void formatMetric();
    void labelCountsTable();
    void autoRetrainOnceAtThreshold();
    void autoRetrainNotWhileTraining();
    void autoRetrainOffNeverEmits();
    void autoRetrainSettingsPersist();
    void buttonsEmitAndCancelState();
    void render();

private:
    QTemporaryDir m_settingsDir;
};

void TestRewardModelPanel::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_reward_model_panel"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
}

void TestRewardModelPanel::init()
{
    QSettings().clear();
}

void TestRewardModelPanel::progressDrivesBar()
{
    RewardModelPanel p;
    auto *bar = p.findChild<QProgressBar *>(QStringLiteral("retrainProgress"));
    QVERIFY(bar);
    p.setTrainingProgress(3, 10, 0.05, 0.06);
    QVERIFY(p.isTraining());
    QCOMPARE(bar->maximum(), 10);
    QCOMPARE(bar->value(), 3);
    QCOMPARE(bar->text(), QStringLiteral("Epoch 3 of 10"));
    p.setTrainingProgress(4, 10, 0.04, 0.055);
    QCOMPARE(bar->value(), 4);
    auto *status = p.findChild<QLabel *>(QStringLiteral("retrainStatus"));
    QCOMPARE(status->text(), QStringLiteral("Epoch 4 of 10: train loss 0.0400, validation loss 0.0550"));
    p.setTrainingFinished(true, QStringLiteral("Published v4"));
    QVERIFY(!p.isTraining());
    QCOMPARE(bar->value(), 10);   // done: full bar
    QCOMPARE(status->text(), QStringLiteral("Published v4"));

    p.setTrainingStarted(6);
    p.setTrainingProgress(2, 6, 0.1, 0.12);
    p.setTrainingFinished(false, QStringLiteral("Cancelled"));
    QCOMPARE(bar->maximum(), 6);
    QCOMPARE(bar->value(), 2);   // a failure leaves the bar where it stopped
}

void TestRewardModelPanel::lossPlotHoldsPoints()
{
    RewardModelPanel p;
    auto *plot = p.findChild<QCustomPlot *>(QStringLiteral("lossPlot"));
    QVERIFY(plot);
    QCOMPARE(plot->graphCount(), 2);
    p.setTrainingStarted(8);
    for (int e = 1; e <= 8; ++e)   // train 0.1/e; validation 0.1/e + 0.01, missing at epoch 5
        p.setTrainingProgress(e, 8, 0.1 / e, e == 5 ? view::missing() : 0.1 / e + 0.01);
    const auto train = plot->graph(0)->data();
    const auto val = plot->graph(1)->data();
    QCOMPARE(train->size(), 8);
    QCOMPARE(val->size(), 7);
    for (int i = 0; i < 8; ++i) {
        QCOMPARE(train->at(i)->key, double(i + 1));
        QCOMPARE(train->at(i)->value, 0.1 / (i + 1));
    }
    QCOMPARE(val->at(3)->key, 4.0);
    QCOMPARE(val->at(4)->key, 6.0);   // epoch 5 skipped
    QCOMPARE(val->at(4)->value, 0.1 / 6 + 0.01);
    // the coalesced redraw fits the axes: x 0.5..8.5 (it starts at 0.5..10.5),
    // y 0..1.1 * max, max = validation at epoch 1 = 0.1 + 0.01
    QTRY_COMPARE(plot->xAxis->range().upper, 8.5);
    QCOMPARE(plot->xAxis->range().lower, 0.5);
    QCOMPARE(plot->yAxis->range().lower, 0.0);
    QVERIFY2(std::abs(plot->yAxis->range().upper - 0.11 * 1.1) < 1e-12,
             qPrintable(QString::number(plot->yAxis->range().upper, 'g', 17)));
}

void TestRewardModelPanel::newTrainingClearsCurve()
{
    RewardModelPanel p;
    auto *plot = p.findChild<QCustomPlot *>(QStringLiteral("lossPlot"));
    p.setTrainingProgress(1, 3, 0.2, 0.3);
    p.setTrainingProgress(2, 3, 0.1, 0.2);
    p.setTrainingFinished(true, QString());
    QCOMPARE(plot->graph(0)->data()->size(), 2);   // the last training stays visible
    p.setTrainingProgress(1, 5, 0.4, 0.5);          // implicitly a new training
    QCOMPARE(plot->graph(0)->data()->size(), 1);
    QCOMPARE(plot->graph(0)->data()->at(0)->value, 0.4);
    QCOMPARE(plot->graph(1)->data()->at(0)->value, 0.5);
}

void TestRewardModelPanel::versionsTableTexts()
{
    RewardModelPanel p;
    p.setAspects(fourAspects());
    p.setVersions(threeVersions());
    p.setActiveVersion(2);
    auto *t = p.findChild<QTableWidget *>(QStringLiteral("versionsTable"));
    QVERIFY(t);
    QCOMPARE(t->rowCount(), 3);
    QCOMPARE(t->columnCount(), 3 + 3 * 4 + 1);   // version, created, labels, 4 x (rmse r rho), note
    // newest first
    QCOMPARE(t->item(0, 0)->text(), QStringLiteral("v3"));
    QCOMPARE(t->item(1, 0)->text(), QStringLiteral("v2 (in use)"));
    QCOMPARE(t->item(2, 0)->text(), QStringLiteral("v1"));
    QVERIFY(t->item(1, 5)->font().bold());
    QVERIFY(!t->item(0, 5)->font().bold());
    // v1: created, labels, politeness {0.1234, 0.87654, -0.5} -> 3 decimals
    QCOMPARE(t->item(2, 1)->text(), QStringLiteral("2024-05-01 13:07"));
    QCOMPARE(t->item(2, 2)->text(), QStringLiteral("120"));
    QCOMPARE(t->item(2, 3)->text(), QStringLiteral("0.123"));
    QCOMPARE(t->item(2, 4)->text(), QStringLiteral("0.877"));
    QCOMPARE(t->item(2, 5)->text(), QStringLiteral("-0.500"));
    // v1 has no meaningfulness metrics (columns 6..8): dashes
    QCOMPARE(t->item(2, 6)->text(), QStringLiteral("\u2013"));
    QCOMPARE(t->item(2, 8)->text(), QStringLiteral("\u2013"));
    // v1 safety (columns 12..14) {0.2, 0.6, 0.55}
    QCOMPARE(t->item(2, 12)->text(), QStringLiteral("0.200"));
    QCOMPARE(t->item(2, 14)->text(), QStringLiteral("0.550"));
    QCOMPARE(t->item(2, 15)->text(), QStringLiteral("first"));
    // v3 actionability (i = 2, columns 9..11): 0.05+0.02 = 0.07, 0.9-0.1 = 0.8, 0.88-0.1 = 0.78
    QCOMPARE(t->item(0, 9)->text(), QStringLiteral("0.070"));
    QCOMPARE(t->item(0, 10)->text(), QStringLiteral("0.800"));
    QCOMPARE(t->item(0, 11)->text(), QStringLiteral("0.780"));
    // v3 safety {0.0805, NaN, 0.7}: the double nearest 0.0805 is 0.080500000000000002109...,
    // just above the tie, so it rounds to 0.081
    QCOMPARE(t->item(0, 12)->text(), QStringLiteral("0.081"));
    QCOMPARE(t->item(0, 13)->text(), QStringLiteral("\u2013"));
    QCOMPARE(t->item(0, 14)->text(), QStringLiteral("0.700"));
    // the headers name the metric, grouped under the aspect (Qt::UserRole)
    QCOMPARE(t->horizontalHeaderItem(3)->text(), QStringLiteral("RMSE"));
    QCOMPARE(t->horizontalHeaderItem(3)->data(Qt::UserRole).toString(), QStringLiteral("politeness"));
    QCOMPARE(t->horizontalHeaderItem(14)->text(), QStringLiteral("\u03c1"));
    QCOMPARE(t->horizontalHeaderItem(14)->data(Qt::UserRole).toString(), QStringLiteral("safety"));
    QVERIFY(t->horizontalHeaderItem(2)->data(Qt::UserRole).toString().isEmpty());
    QCOMPARE(t->horizontalHeaderItem(4)->toolTip(), QStringLiteral("politeness: Pearson correlation with the labels"));

    p.setActiveVersion(3);
    QCOMPARE(t->item(0, 0)->text(), QStringLiteral("v3 (in use)"));
    QCOMPARE(t->item(1, 0)->text(), QStringLiteral("v2"));
}

void TestRewardModelPanel::formatMetric_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("round down") << 0.12341 << QStringLiteral("0.123");
    QTest::newRow("round up") << 0.9996 << QStringLiteral("1.000");
    QTest::newRow("negative") << -0.25 << QStringLiteral("-0.250");
    QTest::newRow("nan") << view::missing() << QStringLiteral("\u2013");
}

void TestRewardModelPanel::formatMetric()
{
    QFETCH(double, value);
    QFETCH(QString, text);
    QCOMPARE(RewardModelPanel::formatMetric(value), text);
}

void TestRewardModelPanel::labelCountsTable()
{
    RewardModelPanel p;
    p.setAspects(fourAspects());
    p.setLabelCounts({{QStringLiteral("politeness"), 12}, {QStringLiteral("safety"), 7},
                      {QStringLiteral("brevity"), 3}});
    auto *t = p.findChild<QTableWidget *>(QStringLiteral("labelCountsTable"));
    QVERIFY(t);
    QCOMPARE(t->rowCount(), 5);   // the four aspects in order, then brevity (unknown, appended)
    QCOMPARE(t->item(0, 0)->text(), QStringLiteral("politeness"));
    QCOMPARE(t->item(0, 1)->text(), QStringLiteral("12"));
    QCOMPARE(t->item(1, 1)->text(), QStringLiteral("0"));
    QCOMPARE(t->item(3, 1)->text(), QStringLiteral("7"));
    QCOMPARE(t->item(4, 0)->text(), QStringLiteral("brevity"));
    QCOMPARE(t->item(4, 1)->text(), QStringLiteral("3"));

    p.setActiveVersion(3);
    p.setLabelsSinceTraining(37);
    QCOMPARE(p.findChild<QLabel *>(QStringLiteral("labelsSinceLabel"))->text(),
             QStringLiteral("37 new labels since the version in use (v3)"));
    p.setLabelsSinceTraining(1);
    QCOMPARE(p.findChild<QLabel *>(QStringLiteral("labelsSinceLabel"))->text(),
             QStringLiteral("1 new label since the version in use (v3)"));
}

void TestRewardModelPanel::autoRetrainOnceAtThreshold()
{
    RewardModelPanel p;
    p.setAutoRetrain(true);
    p.setAutoRetrainEvery(5);
    QSignalSpy spy(&p, &RewardModelPanel::retrainRequested);
    const QVector<int> counts = {1, 3, 4};
    for (int n : counts)
        p.setLabelsSinceTraining(n);
    QCOMPARE(spy.count(), 0);
    p.setLabelsSinceTraining(5);   // reaches N = 5
    QCOMPARE(spy.count(), 1);
    p.setLabelsSinceTraining(6);
    p.setLabelsSinceTraining(9);
    QCOMPARE(spy.count(), 1);   // once
    // the new version resets the count; the next threshold fires again
    p.setTrainingStarted(4);
    p.setTrainingFinished(true, QString());
    p.setLabelsSinceTraining(0);
    p.setLabelsSinceTraining(4);
    QCOMPARE(spy.count(), 1);
    p.setLabelsSinceTraining(5);
    QCOMPARE(spy.count(), 2);
}

void TestRewardModelPanel::autoRetrainNotWhileTraining()
{
    RewardModelPanel p;
    p.setAutoRetrain(true);
    p.setAutoRetrainEvery(5);
    QSignalSpy spy(&p, &RewardModelPanel::retrainRequested);
    p.setTrainingStarted(10);
    p.setLabelsSinceTraining(5);
    p.setLabelsSinceTraining(8);
    QCOMPARE(spy.count(), 0);
    // the training failed, so the count was not reset: the next label asks once
    p.setTrainingFinished(false, QStringLiteral("out of memory"));
    p.setLabelsSinceTraining(9);
    QCOMPARE(spy.count(), 1);
    p.setLabelsSinceTraining(10);
    QCOMPARE(spy.count(), 1);
}

void TestRewardModelPanel::autoRetrainOffNeverEmits()
{
    RewardModelPanel p;
    QVERIFY(!p.autoRetrain());   // off by default
    QCOMPARE(p.autoRetrainEvery(), RewardModelPanel::kDefaultAutoRetrainEvery);
    QSignalSpy spy(&p, &RewardModelPanel::retrainRequested);
    p.setLabelsSinceTraining(50);
    p.setLabelsSinceTraining(500);
    QCOMPARE(spy.count(), 0);
}

void TestRewardModelPanel::autoRetrainSettingsPersist()
{
    {
        RewardModelPanel p;
        auto *check = p.findChild<QCheckBox *>(QStringLiteral("autoRetrainCheck"));
        auto *spin = p.findChild<QSpinBox *>(QStringLiteral("autoRetrainSpin"));
        QVERIFY(check && spin);
        QVERIFY(!spin->isEnabled());
        check->setChecked(true);
        QVERIFY(spin->isEnabled());
        spin->setValue(25);
    }
    QSettings s;
    QCOMPARE(s.value(QStringLiteral("rewardModel/autoRetrain")).toBool(), true);
    QCOMPARE(s.value(QStringLiteral("rewardModel/autoRetrainEvery")).toInt(), 25);
    RewardModelPanel again;
    QVERIFY(again.autoRetrain());
    QCOMPARE(again.autoRetrainEvery(), 25);
}

void TestRewardModelPanel::buttonsEmitAndCancelState()
{
    RewardModelPanel p;
    auto *retrain = p.findChild<QPushButton *>(QStringLiteral("retrainButton"));
    auto *cancel = p.findChild<QPushButton *>(QStringLiteral("cancelRetrainButton"));
    QVERIFY(retrain && cancel);
    QSignalSpy retrainSpy(&p, &RewardModelPanel::retrainRequested);
    QSignalSpy cancelSpy(&p, &RewardModelPanel::cancelRequested);
    QVERIFY(!cancel->isEnabled());
    QVERIFY(retrain->isEnabled());
    QTest::mouseClick(retrain, Qt::LeftButton);
    QCOMPARE(retrainSpy.count(), 1);
    QTest::mouseClick(cancel, Qt::LeftButton);   // disabled: nothing
    QCOMPARE(cancelSpy.count(), 0);

    p.setTrainingStarted(10);
    QVERIFY(cancel->isEnabled());
    QVERIFY(!retrain->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(cancelSpy.count(), 1);
    p.setTrainingFinished(false, QStringLiteral("Cancelled"));
    QVERIFY(!cancel->isEnabled());
    QVERIFY(retrain->isEnabled());
}

void TestRewardModelPanel::render()
{
    RewardModelPanel p;
    p.setAspects(fourAspects());
    p.setLabelCounts({{QStringLiteral("politeness"), 412}, {QStringLiteral("meaningfulness"), 398},
                      {QStringLiteral("actionability"), 377}, {QStringLiteral("safety"), 405}});
    p.setVersions(threeVersions());
    p.setActiveVersion(3);
    p.setLabelsSinceTraining(37);
    p.setAutoRetrain(true);
    p.setTrainingStarted(10);
    for (int e = 1; e <= 10; ++e)   // a curve that flattens, validation a little above
        p.setTrainingProgress(e, 10, 0.02 + 0.08 * std::exp(-0.4 * e), 0.03 + 0.07 * std::exp(-0.3 * e));
    p.setTrainingFinished(true, QStringLiteral("Published v4: 447 labels, validation RMSE 0.071"));
    p.resize(420, 640);   // a dock beside the plots
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    QTest::qWait(2 * RewardModelPanel::kRedrawMs);
    const QImage image = p.grab().toImage();
    QCOMPARE(image.size(), QSize(420, 640) * image.devicePixelRatio());
    QVERIFY(image.save(QStringLiteral("/tmp/reward_model_panel.png")));
}

QTEST_MAIN(TestRewardModelPanel)
#include "tst_reward_model_panel.moc"
