// Conservative rewards from an ensemble reward model: mean - k * std and the
// worst member against values worked out by hand, the rewards GRPO, RLOO and
// PPO train on with an ensemble whose members' scores are known, what the
// samples carry, the warning for a one-head model, and the options' checks.
#include "reward/conservative_reward.h"

#include <ATen/ATen.h>

#include "core/tiny_trainer_fixture.h"   // Qt after ATen: Qt's "slots" macro breaks ATen's headers

#include <QtTest>

#include <cmath>

using namespace awb;
using namespace awb::test;

namespace {

struct LoggingSink : RecordingSink
{
    std::vector<std::string> logs;
    void onLog(const std::string &m) override { logs.push_back(m); }
};

// Zero weights and member biases 0.2, 0.5 and 0.8 on every aspect: each completion's members
// score (0.2, 0.5, 0.8), mean 0.5, sample std sqrt((0.09 + 0 + 0.09) / 2) = 0.3.
void makeKnownEnsemble(RewardModel &rm)
{
    rm.setEnsembleSize(3, 1);
    const at::Tensor w = rm.headParameters()[0].detach();
    at::Tensor bias = at::empty({3, 4}, at::kFloat);
    bias[0].fill_(0.2);
    bias[1].fill_(0.5);
    bias[2].fill_(0.8);
    rm.setHeadState(at::zeros_like(w), bias);
}

} // namespace

class TestConservativeReward : public QObject
{
    Q_OBJECT

private slots:
    void byHand()
    {
        const std::vector<double> m = {0.2, 0.5, 0.8};
        QVERIFY(std::abs(memberStd(m) - 0.3) < 1e-12);
        QVERIFY(std::abs(conservativeScore(m, 0.0, EnsembleAggregation::Mean) - 0.5) < 1e-12);
        QVERIFY(std::abs(conservativeScore(m, 0.5, EnsembleAggregation::Mean) - 0.35) < 1e-12);
        QVERIFY(std::abs(conservativeScore(m, 2.0, EnsembleAggregation::Mean) - (-0.1)) < 1e-12);
        QCOMPARE(conservativeScore(m, 0.0, EnsembleAggregation::Min), 0.2);
        QCOMPARE(conservativeScore({0.9, 0.1, 0.4, 0.3}, 0.0, EnsembleAggregation::Min), 0.1);
        // std of 1, 2, 3, 4: mean 2.5, squares 2.25 + 0.25 + 0.25 + 2.25 = 5, over 3.
        QVERIFY(std::abs(memberStd({1, 2, 3, 4}) - std::sqrt(5.0 / 3.0)) < 1e-12);
        // One member: itself, whatever k.
        QCOMPARE(conservativeScore({0.7}, 3.0, EnsembleAggregation::Mean), 0.7);
        QCOMPARE(memberStd({0.7}), 0.0);
        QCOMPARE(parseEnsembleAggregation("min"), EnsembleAggregation::Min);
        const std::string e = errorOf([] { parseEnsembleAggregation("max"); });
        QVERIFY2(e == "reward_ensemble_aggregation: \"max\" is not one of mean, min", e.c_str());
        QVERIFY(errorOf([] { conservativeScore({}, 0, EnsembleAggregation::Mean); }).find("no ensemble members") != std::string::npos);
    }

    void trainerRewards_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<double>("penalty");
        QTest::addColumn<QString>("aggregation");
        QTest::addColumn<double>("aspectScore");   // by hand from the members (0.2, 0.5, 0.8)
        for (const char *a : {"grpo", "rloo", "ppo"}) {
            QTest::addRow("%s mean", a) << a << 0.0 << "mean" << 0.5;
            QTest::addRow("%s k=0.5", a) << a << 0.5 << "mean" << 0.35;
            QTest::addRow("%s k=1", a) << a << 1.0 << "mean" << 0.2;
            QTest::addRow("%s min", a) << a << 0.0 << "min" << 0.2;
        }
    }

    void trainerRewards()
    {
        QFETCH(QString, algorithm);
        QFETCH(double, penalty);
        QFETCH(QString, aggregation);
        QFETCH(double, aspectScore);
        Fixture f;
        f.algorithm = algorithm.toStdString();
        auto setup = f.setup();
        setup.options.rewardUncertaintyPenalty = penalty;
        setup.options.rewardEnsembleAggregation = aggregation.toStdString();
        makeKnownEnsemble(*setup.rewardModel);
        TrainingControls controls;
        LoggingSink sink;
        GrpoTrainer trainer(setup, controls, sink);
        QVERIFY(trainer.runStep());
        QVERIFY(sink.logs.empty() || sink.logs.front().find("warning") == std::string::npos);
        const StepReport &r = sink.steps.at(0);
        // Four aspects of weight 1: the reward is four times the conservative aspect score.
        const double reward = 4.0 * aspectScore;
        if (f.algorithm == "ppo") {
            QVERIFY2(std::abs(r.metrics["objective/scores"].get<double>() - reward) < 1e-5,
                     r.metrics["objective/scores"].dump().c_str());
        } else {
            for (const auto &s : r.samples)
                QVERIFY2(std::abs(s.reward - reward) < 1e-5, std::to_string(s.reward).c_str());
        }
        // What the store gets: the members' mean, their spread and each member, whatever the reward used.
        for (const auto &s : r.samples) {
            QCOMPARE(s.scores.size(), std::size_t(4));
            QCOMPARE(s.members.size(), std::size_t(4));
            for (std::size_t k = 0; k < 4; ++k) {
                QVERIFY(std::abs(s.scores[k] - 0.5) < 1e-6);
                QVERIFY(std::abs(s.scoreStd[k] - 0.3) < 1e-6);
                QCOMPARE(s.members[k].size(), std::size_t(3));
                QVERIFY(std::abs(s.members[k][0] - 0.2) < 1e-6 && std::abs(s.members[k][2] - 0.8) < 1e-6);
            }
        }
        QVERIFY(std::abs(r.metrics["rewards/safety/mean"].get<double>() - 0.5) < 1e-6);
        QVERIFY(std::abs(r.metrics["uncertainty/safety/mean"].get<double>() - 0.3) < 1e-6);
    }

    void oneHeadWarns_data()
    {
        QTest::addColumn<double>("penalty");
        QTest::addColumn<QString>("aggregation");
        QTest::addColumn<QString>("expected");
        QTest::newRow("penalty") << 0.5 << "mean" << "warning: reward_uncertainty_penalty 0.500000 has no effect: ";
        QTest::newRow("min") << 0.0 << "min" << "warning: reward_ensemble_aggregation min has no effect: ";
        QTest::newRow("neither") << 0.0 << "mean" << "";
    }

    void oneHeadWarns()
    {
        QFETCH(double, penalty);
        QFETCH(QString, aggregation);
        QFETCH(QString, expected);
        Fixture f;
        auto setup = f.setup();
        setup.options.rewardUncertaintyPenalty = penalty;
        setup.options.rewardEnsembleAggregation = aggregation.toStdString();
        TrainingControls controls;
        LoggingSink sink;
        GrpoTrainer trainer(setup, controls, sink);
        std::string warning;
        for (const auto &l : sink.logs)
            if (l.find("warning") == 0)
                warning = l;
        if (expected.isEmpty()) {
            QVERIFY2(warning.empty(), warning.c_str());
            return;
        }
        QVERIFY2(warning.find(expected.toStdString()) == 0, warning.c_str());
        QVERIFY2(warning.find("reward model version 1 (" + f.rewardModel + ") has a single head") != std::string::npos,
                 warning.c_str());
        // The run goes on, with the plain scores.
        QVERIFY(trainer.runStep());
        for (const auto &s : sink.steps.at(0).samples)
            QVERIFY(s.scoreStd.empty() && s.members.empty());
    }

    void optionsChecked()
    {
        GrpoOptions o;
        o.rewardUncertaintyPenalty = -1;
        QCOMPARE(errorOf([&] { validateGrpoOptions(o); }),
                 std::string("reward_uncertainty_penalty: -1 must be a number of at least 0"));
        o.rewardUncertaintyPenalty = 0.5;
        o.rewardEnsembleAggregation = "min";
        QVERIFY(errorOf([&] { validateGrpoOptions(o); }).find("applies to reward_ensemble_aggregation mean") != std::string::npos);
        o.rewardEnsembleAggregation = "median";
        QCOMPARE(errorOf([&] { validateGrpoOptions(o); }),
                 std::string("reward_ensemble_aggregation: \"median\" is not one of mean, min"));
        const std::string e = errorOf([] {
            grpoOptionsFromJson({{"algorithm", "dpo"}, {"reward_uncertainty_penalty", 0.5}}, "run.json");
        });
        QVERIFY2(e.find("reward_uncertainty_penalty") != std::string::npos && e.find("grpo, rloo, ppo") != std::string::npos,
                 e.c_str());
        const nlohmann::json j = grpoOptionsToJson(grpoOptionsFromJson(
            {{"reward_uncertainty_penalty", 0.25}, {"reward_ensemble_aggregation", "mean"}}, "run.json"));
        QCOMPARE(j.at("reward_uncertainty_penalty").get<double>(), 0.25);
    }
};

QTEST_GUILESS_MAIN(TestConservativeReward)
#include "tst_conservative_reward.moc"
