// Learning-rate schedules against values worked out by hand from transformers'
// lr_lambda formulas (get_linear/cosine/constant_schedule_with_warmup).
#include "train/lr_schedule.h"
#include "util/error.h"

#include <QtTest>

#include <cmath>

using namespace awb;

class TestLrSchedule : public QObject
{
    Q_OBJECT

private slots:
    void multiplier_data();
    void multiplier();
    void warmupFromRatio();
    void names();
    void badInput();
};

void TestLrSchedule::multiplier_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<qint64>("warmup");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<double>("expected");

    // linear, 2 warm-up of 10: step/2 while warming up, then (10 - s) / 8.
    QTest::newRow("linear warm-up start") << "linear" << 2LL << 10LL << 0LL << 0.0;
    QTest::newRow("linear warm-up half") << "linear" << 2LL << 10LL << 1LL << 0.5;
    QTest::newRow("linear peak") << "linear" << 2LL << 10LL << 2LL << 1.0;          // 8/8
    QTest::newRow("linear half way") << "linear" << 2LL << 10LL << 6LL << 0.5;      // 4/8
    QTest::newRow("linear last step") << "linear" << 2LL << 10LL << 9LL << 0.125;   // 1/8
    QTest::newRow("linear end") << "linear" << 2LL << 10LL << 10LL << 0.0;
    QTest::newRow("linear past end") << "linear" << 2LL << 10LL << 12LL << 0.0;     // max(0, -2/8)
    // Without warm-up the first update already runs at the full rate: 4/4, then 3/4...
    QTest::newRow("linear no warm-up first") << "linear" << 0LL << 4LL << 0LL << 1.0;
    QTest::newRow("linear no warm-up last") << "linear" << 0LL << 4LL << 3LL << 0.25;

    // cosine, 2 warm-up of 10: progress p = (s - 2) / 8, 0.5 * (1 + cos(pi * 0.5 * 2 * p)).
    QTest::newRow("cosine warm-up") << "cosine" << 2LL << 10LL << 1LL << 0.5;
    QTest::newRow("cosine peak") << "cosine" << 2LL << 10LL << 2LL << 1.0;                   // cos 0
    QTest::newRow("cosine quarter") << "cosine" << 2LL << 10LL << 4LL << 0.5 + std::sqrt(2.0) / 4.0;   // cos(pi/4)
    QTest::newRow("cosine half") << "cosine" << 2LL << 10LL << 6LL << 0.5;                   // cos(pi/2) = 0
    QTest::newRow("cosine end") << "cosine" << 2LL << 10LL << 10LL << 0.0;                   // cos(pi) = -1
    // transformers does not stop at totalSteps: the cosine rises again (p = 1.5, cos(3 pi / 2) = 0).
    QTest::newRow("cosine past end") << "cosine" << 2LL << 10LL << 14LL << 0.5;
    QTest::newRow("cosine no warm-up") << "cosine" << 0LL << 3LL << 0LL << 1.0;
    QTest::newRow("cosine no warm-up 1/3") << "cosine" << 0LL << 3LL << 1LL << 0.75;         // 0.5 (1 + cos(pi/3))

    // constant ignores warm-up entirely (get_constant_schedule).
    QTest::newRow("constant") << "constant" << 5LL << 10LL << 0LL << 1.0;
    QTest::newRow("constant late") << "constant" << 5LL << 10LL << 100LL << 1.0;
    QTest::newRow("constant_with_warmup 1/4") << "constant_with_warmup" << 4LL << 0LL << 1LL << 0.25;
    QTest::newRow("constant_with_warmup done") << "constant_with_warmup" << 4LL << 0LL << 4LL << 1.0;
}

void TestLrSchedule::multiplier()
{
    QFETCH(QString, type);
    QFETCH(qint64, warmup);
    QFETCH(qint64, total);
    QFETCH(qint64, step);
    QFETCH(double, expected);
    LrSchedule schedule;
    schedule.type = parseLrScheduler(type.toStdString());
    schedule.warmupSteps = warmup;
    schedule.totalSteps = total;
    const double got = lrMultiplier(schedule, step);
    QVERIFY2(std::abs(got - expected) < 1e-12, qPrintable(QString("got %1, expected %2").arg(got).arg(expected)));
}

void TestLrSchedule::warmupFromRatio()
{
    QCOMPARE(warmupStepsForRatio(10, 0.15), std::int64_t(2));   // ceil(1.5)
    QCOMPARE(warmupStepsForRatio(10, 0.1), std::int64_t(1));    // 10 * 0.1 rounds to exactly 1.0
    QCOMPARE(warmupStepsForRatio(10, 0.0), std::int64_t(0));
    QCOMPARE(warmupStepsForRatio(10, 0.5, 3), std::int64_t(3)); // explicit warmup_steps win
}

void TestLrSchedule::names()
{
    for (auto type : {LrSchedulerType::Constant, LrSchedulerType::ConstantWithWarmup, LrSchedulerType::Linear,
                      LrSchedulerType::Cosine})
        QCOMPARE(parseLrScheduler(lrSchedulerName(type)), type);
    QCOMPARE(std::string(lrSchedulerName(LrSchedulerType::ConstantWithWarmup)), std::string("constant_with_warmup"));
}

void TestLrSchedule::badInput()
{
    try {
        parseLrScheduler("polynomial");
        QFAIL("no exception");
    } catch (const Error &e) {
        QVERIFY(std::string(e.what()).find("lr_scheduler_type") != std::string::npos);
        QVERIFY(std::string(e.what()).find("'polynomial'") != std::string::npos);
    }
    QVERIFY_THROWS_EXCEPTION(Error, lrMultiplier(LrSchedule{}, -1));
    QVERIFY_THROWS_EXCEPTION(Error, warmupStepsForRatio(10, -0.1));
}

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "tst_lr_schedule.moc"
