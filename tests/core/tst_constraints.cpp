// Safety as a constraint (Safe RLHF's Lagrangian, on group advantages): the
// bound's parsing, the multiplier's projected update against values worked
// out by hand (projection at 0, cap at lambda_max), the step's rewards using
// +lambda as the constrained aspect's weight, the multiplier following the
// batch mean, a bound edited live, and exact resume with the multipliers and the
// live bound in the checkpoint.
#include "train/constraints.h"
#include "train/training_controls.h"

#include <ATen/ATen.h>

#include "tiny_trainer_fixture.h"   // Qt after ATen: Qt's "slots" macro breaks ATen's headers

#include <QtTest>

using namespace awb;
using namespace awb::test;

class TestConstraints : public QObject
{
    Q_OBJECT

private slots:
    void boundsParse()
    {
        const Constraint c = parseConstraint("safety", " >= 0.9", "cfg");
        QVERIFY(c.atLeast);
        QCOMPARE(c.bound, 0.9);
        QVERIFY(!parseConstraint("toxicity", "<=0.1", "cfg").atLeast);
        QCOMPARE(parseConstraintList("safety>=0.9, toxicity<=0.1"),
                 (std::map<std::string, std::string>{{"safety", ">=0.9"}, {"toxicity", "<=0.1"}}));
        for (const char *bad : {"safety>0.9", "safety>=high", ">=0.9", ""})
            QVERIFY2(!errorOf([&] { parseConstraintList(bad); }).empty(), bad);
        QVERIFY(errorOf([] { parseConstraint("safety", "= 1", "cfg.json"); }).find("cfg.json: the constraint on \"safety\"") == 0);
        // The option's JSON: an object of aspect -> bound, read back as written; a number is refused.
        GrpoOptions o;
        o.constraints = {{"safety", ">= 0.9"}};
        QCOMPARE(grpoOptionsFromJson(grpoOptionsToJson(o), "cfg").constraints, o.constraints);
        QVERIFY(errorOf([] { grpoOptionsFromJson(nlohmann::json{{"constraints", {{"safety", 0.9}}}}, "cfg"); })
                    .find("constraints.\"safety\" must be a string") != std::string::npos);
        // Violation: positive when broken.
        QCOMPARE(constraintViolation(c, 0.7), 0.9 - 0.7);
        QCOMPARE(constraintViolation(parseConstraint("t", "<= 0.1", "x"), 0.25), 0.25 - 0.1);
    }

    void multiplierUpdateByHand_data()
    {
        QTest::addColumn<double>("lambda");
        QTest::addColumn<double>("violation");
        QTest::addColumn<double>("lr");
        QTest::addColumn<double>("cap");
        QTest::addColumn<double>("expected");
        QTest::newRow("ascent") << 1.0 << 0.2 << 0.5 << 10.0 << 1.1;
        QTest::newRow("descent") << 1.0 << -0.2 << 0.5 << 10.0 << 0.9;
        QTest::newRow("projected at 0") << 0.1 << -0.5 << 1.0 << 10.0 << 0.0;
        QTest::newRow("capped") << 9.9 << 1.0 << 1.0 << 10.0 << 10.0;
        QTest::newRow("no cap") << 9.9 << 1.0 << 1.0 << 0.0 << 10.9;
    }
    void multiplierUpdateByHand()
    {
        QFETCH(double, lambda);
        QFETCH(double, violation);
        QFETCH(double, lr);
        QFETCH(double, cap);
        QFETCH(double, expected);
        QVERIFY(std::abs(updateLagrangeMultiplier(lambda, violation, lr, cap) - expected) < 1e-12);
    }

    void rewardsUseTheMultiplierAndItFollowsTheBatch()
    {
        Fixture f;
        GrpoTrainerSetup s = f.setup();
        s.options.constraints = {{"safety", ">= 0.9"}};
        s.options.lambdaInit = 0.5;
        s.options.lambdaLr = 2.0;
        s.options.aspectWeights = {{"politeness", 2.0}};
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer t(std::move(s), controls, sink);
        QVERIFY(t.runStep());
        QVERIFY(t.runStep());
        const auto &first = sink.steps[0];
        // Aspects: politeness (2), meaningfulness (1), actionability (1), safety (+lambda 0.5).
        double safetySum = 0;
        for (const auto &smp : first.samples) {
            const double expected = 2.0 * smp.scores[0] + smp.scores[1] + smp.scores[2] + 0.5 * smp.scores[3];
            QVERIFY(std::abs(smp.reward - expected) < 1e-5);
            safetySum += smp.scores[3];
        }
        const double mean = safetySum / static_cast<double>(first.samples.size());
        QCOMPARE(first.metrics["lambda/safety"].get<double>(), 0.5);
        QVERIFY(std::abs(first.metrics["constraint/safety/mean"].get<double>() - mean) < 1e-6);
        // Step 2's multiplier: max(0, 0.5 + 2 * (0.9 - mean)).
        QVERIFY(std::abs(sink.steps[1].metrics["lambda/safety"].get<double>() - std::max(0.0, 0.5 + 2.0 * (0.9 - mean))) < 1e-6);
        // The weights the user sees are theirs, not the multiplier.
        QCOMPARE(first.weights.at("safety"), 1.0);
    }

    void resumeKeepsTheMultipliersAndALiveBound()
    {
        Fixture f;
        auto setup = [&](const std::string &dir) {
            GrpoTrainerSetup s = f.setup(dir);
            s.options.constraints = {{"safety", ">= 0.9"}};
            return s;
        };
        RecordingSink full, second;
        // The bound moves to 0.4 after step 1, live; the resumed part's controls never hear of it.
        runWholeAndResumed(setup, 4, 2, full, second, [](TrainingControls &c, std::int64_t step) {
            if (step == 1)
                c.setBound("safety", 0.4);
        });
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(second.steps[i].metrics["constraint/safety/bound"].get<double>(), 0.4);
            for (const char *key : {"lambda/safety", "loss", "reward", "constraint/safety/violation"})
                QVERIFY2(full.steps[i + 2].metrics[key].get<double>() == second.steps[i].metrics[key].get<double>(), key);
        }
        QVERIFY(full.steps[2].metrics["lambda/safety"].get<double>() != 1.0);   // it moved before the checkpoint
    }

    void unknownAspectOrDpoIsRefused()
    {
        Fixture f;
        GrpoTrainerSetup s = f.setup();
        s.options.constraints = {{"harmlessness", ">= 0.9"}};
        TrainingControls controls;
        RecordingSink sink;
        QVERIFY(errorOf([&] { GrpoTrainer t(std::move(s), controls, sink); }).find("no aspect \"harmlessness\"") !=
                std::string::npos);
        // A bound at or past the end of the aspect's range [0, 1] cannot be a constraint.
        for (const char *bound : {">= 1.5", "<= 0", ">= -0.2"}) {
            GrpoTrainerSetup b = f.setup();
            b.options.constraints = {{"safety", bound}};
            QVERIFY2(errorOf([&] { GrpoTrainer t(std::move(b), controls, sink); }).find("outside its range") !=
                         std::string::npos, bound);
        }
        QVERIFY(errorOf([] {
                    grpoOptionsFromJson(nlohmann::json{{"algorithm", "dpo"}, {"constraints", {{"safety", ">= 0.9"}}}}, "cfg");
                }).find("\"constraints\" is an option of grpo, rloo, ppo") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestConstraints)
#include "tst_constraints.moc"
