// GrpoTrainer end to end on a tiny policy and reward model: KL and ratios at
// the first step, controls taking effect at the next step, pause/stop, and
// exact resumption from a checkpoint.
#include "model/causal_lm.h"
#include "reward/aspect_schema.h"
#include "reward/reward_model.h"
#include "text/bpe_trainer.h"
#include "text/tokenizer.h"
#include "train/grpo_checkpoint.h"
#include "train/grpo_options.h"
#include "train/grpo_trainer.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include "tiny_trainer_fixture.h"   // Qt after ATen: Qt's "slots" macro breaks ATen's headers

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace awb;
namespace fs = std::filesystem;

using namespace awb::test;

class TestGrpoTrainer : public QObject
{
    Q_OBJECT

private slots:
    void firstStepHasNoKlAndNoClipping()
    {
        // Before the first update the policy is the reference and the sampling
        // policy: KL is 0 and every ratio is exactly 1, so nothing is clipped.
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer trainer(f.setup(), controls, sink);
        QVERIFY(trainer.runStep());
        const auto &m = sink.steps.at(0).metrics;
        QVERIFY(std::abs(m["kl"].get<double>()) < 1e-7);
        QCOMPARE(m["clip_ratio/region_mean"].get<double>(), 0.0);
        QCOMPARE(sink.steps[0].samples.size(), std::size_t(6));
        // Rewards are the weighted sums of the scores (weights 1).
        for (const auto &s : sink.steps[0].samples) {
            double sum = 0;
            for (double v : s.scores)
                sum += v;
            QVERIFY(std::abs(sum - s.reward) < 1e-5);
        }
        // Group-relative advantages sum to zero within each group.
        for (int g = 0; g < 2; ++g) {
            double a = 0;
            for (int i = 0; i < 3; ++i)
                a += sink.steps[0].samples[static_cast<std::size_t>(g * 3 + i)].advantage;
            QVERIFY(std::abs(a) < 1e-5);
        }
        // The second step's policy has moved away from the reference.
        QVERIFY(trainer.runStep());
        QVERIFY(sink.steps.at(1).metrics["kl"].get<double>() > 0.0);
    }

    void controlsTakeEffectAtTheNextStep()
    {
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        auto setup = f.setup();
        setup.options.maxSteps = 3;
        GrpoTrainer trainer(setup, controls, sink);
        auto newRm = std::shared_ptr<RewardModel>(RewardModel::load(f.rewardModel));
        sink.hook = [&](const StepReport &r) {
            if (r.step == 1) {
                controls.setWeight("safety", 3.0);
                controls.setAggregation("normalize_then_sum");
                controls.publishRewardModel(newRm, 2);
            }
            if (r.step == 2)
                controls.requestStop();
        };
        QCOMPARE(trainer.run(), std::int64_t(2));
        QCOMPARE(sink.steps.size(), std::size_t(2));
        QCOMPARE(sink.steps[0].weights.at("safety"), 1.0);
        QCOMPARE(sink.steps[0].rewardModelVersion, std::int64_t(1));
        QCOMPARE(sink.steps[1].weights.at("safety"), 3.0);
        QCOMPARE(sink.steps[1].aggregation, std::string("normalize_then_sum"));
        QCOMPARE(sink.steps[1].rewardModelVersion, std::int64_t(2));
        // Reward with weights (1, 1, 1, 3) on step 2.
        const auto &s = sink.steps[1].samples.front();
        QVERIFY(std::abs(s.scores[0] + s.scores[1] + s.scores[2] + 3 * s.scores[3] - s.reward) < 1e-5);
    }

    void stopBeforeTheFirstStep()
    {
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer trainer(f.setup(), controls, sink);
        controls.requestStop();
        QCOMPARE(trainer.run(), std::int64_t(0));
        QVERIFY(sink.steps.empty());
    }

    void pauseBlocksUntilResumed()
    {
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        auto setup = f.setup();
        setup.options.maxSteps = 2;
        GrpoTrainer trainer(setup, controls, sink);
        controls.requestPause();
        std::atomic<bool> finished{false};
        std::thread worker([&] {
            trainer.run();
            finished = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        QVERIFY(!finished);
        QVERIFY(sink.steps.empty());
        controls.resume();
        worker.join();
        QCOMPARE(sink.steps.size(), std::size_t(2));
    }

    void resumeReproducesTheUninterruptedRun_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::newRow("grpo") << "grpo";
        QTest::newRow("rloo") << "rloo";
        QTest::newRow("ppo") << "ppo";
    }
    void resumeReproducesTheUninterruptedRun()
    {
        QFETCH(QString, algorithm);
        Fixture f;
        f.algorithm = algorithm.toStdString();
        QTemporaryDir ckA, ckB;
        // Uninterrupted: 4 steps.
        TrainingControls c1;
        RecordingSink full;
        {
            GrpoTrainer t(f.setup(ckA.path().toStdString()), c1, full);
            QCOMPARE(t.run(), std::int64_t(4));
        }
        // Stopped after step 2 (checkpoint at 2), then resumed in a new trainer.
        TrainingControls c2;
        RecordingSink first;
        first.hook = [&](const StepReport &r) {
            if (r.step == 2)
                c2.requestStop();
        };
        {
            GrpoTrainer t(f.setup(ckB.path().toStdString()), c2, first);
            QCOMPARE(t.run(), std::int64_t(2));
        }
        const std::string latest = GrpoTrainer::latestCheckpoint(ckB.path().toStdString());
        QVERIFY(latest.find("checkpoint-2") != std::string::npos);
        TrainingControls c3;
        RecordingSink second;
        GrpoTrainer t(f.setup(ckB.path().toStdString()), c3, second);
        QCOMPARE(t.resumeFrom(latest), std::int64_t(2));
        QCOMPARE(t.run(), std::int64_t(4));
        QCOMPARE(second.steps.size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i) {
            const auto &a = full.steps[i + 2];
            const auto &b = second.steps[i];
            QCOMPARE(b.step, a.step);
            for (const char *key : {"loss", "kl", "reward", "reward_std", "entropy", "grad_norm", "learning_rate"})
                QVERIFY2(a.metrics[key].get<double>() == b.metrics[key].get<double>(), key);
            for (std::size_t s = 0; s < a.samples.size(); ++s)
                QCOMPARE(b.samples[s].completion, a.samples[s].completion);
        }
        // The policy moved (the run trained) and, for RLOO, the KL penalty was in play.
        QVERIFY(full.steps.back().metrics["kl"].get<double>() != 0.0);
        // A checkpoint of one algorithm does not resume a run of another.
        Fixture other;
        other.algorithm = f.algorithm == "grpo" ? "rloo" : "grpo";
        if (f.algorithm == "ppo") {
            // A recorded value model of another size is refused by name before any tensor is read.
            const std::string state = latest + "/trainer_state.json";
            nlohmann::json j = nlohmann::json::parse(std::ifstream(state));
            QCOMPARE(j["value_model"]["hidden_size"].get<int>(), 32);
            j["value_model"]["hidden_size"] = 64;
            std::ofstream(state) << j.dump();
            TrainingControls c5;
            RecordingSink none;
            GrpoTrainer t5(f.setup(), c5, none);
            QVERIFY(errorOf([&] { t5.resumeFrom(latest); }).find("value model has hidden size 64 but this run's") !=
                    std::string::npos);
        }
        TrainingControls c4;
        RecordingSink none;
        GrpoTrainer wrong(other.setup(), c4, none);
        QVERIFY(errorOf([&] { wrong.resumeFrom(latest); }).find("was written by a " + f.algorithm + " run") != std::string::npos);
    }

    void groupsWithEqualRewardsTeachNothing()
    {
        // A reward model whose head ignores the text scores every completion
        // alike: every group has zero std, so every advantage is 0 and
        // frac_reward_zero_std is 1. Dynamic sampling spends its extra rounds
        // but finds nothing better to swap in. With no advantage and no KL at
        // step 1, the loss is exactly 0.
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        auto setup = f.setup();
        setup.options.dynamicSampling = true;
        setup.options.dynamicSamplingMaxRounds = 2;
        at::Tensor w = setup.rewardModel->headState()[0].second;
        setup.rewardModel->setHeadState(at::zeros_like(w), at::full({4}, 0.5));
        GrpoTrainer trainer(setup, controls, sink);
        QVERIFY(trainer.runStep());
        const auto &m = sink.steps.at(0).metrics;
        QCOMPARE(m["frac_reward_zero_std"].get<double>(), 1.0);
        QCOMPARE(m["dynamic_sampling/replaced_groups"].get<double>(), 0.0);
        QCOMPARE(m["loss"].get<double>(), 0.0);
        for (const auto &s : sink.steps[0].samples) {
            QCOMPARE(s.advantage, 0.0);
            QVERIFY(std::abs(s.reward - 2.0) < 1e-6);   // 4 aspects x 0.5
        }
    }

    // Bad input stops the step before anything is reported (so nothing is
    // stored), with one message saying what is wrong.
    void nanFromTheRewardModelIsAClearError()
    {
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        auto setup = f.setup();
        at::Tensor w = setup.rewardModel->headState()[0].second;
        at::Tensor bias = at::full({4}, 0.5);
        bias[2] = std::nan("");
        setup.rewardModel->setHeadState(at::zeros_like(w), bias);
        GrpoTrainer trainer(setup, controls, sink);
        const std::string m = errorOf([&] { trainer.runStep(); });
        QVERIFY2(m.find("step 1: reward model version 1 (" + f.rewardModel + ") scored actionability as ") == 0,
                 m.c_str());
        QVERIFY2(m.find("nan for completion 0 of prompt") != std::string::npos, m.c_str());
        QVERIFY2(m.find("the step was not recorded") != std::string::npos, m.c_str());
        QVERIFY(sink.steps.empty());
        QCOMPARE(trainer.step(), std::int64_t(0));
    }

    void allWeightsZeroIsAClearError()
    {
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer trainer(f.setup(), controls, sink);
        controls.setWeights({{"politeness", 0}, {"meaningfulness", 0}, {"actionability", 0}, {"safety", 0}});
        const std::string m = errorOf([&] { trainer.runStep(); });
        QVERIFY2(m.find("aspect weights: all are 0 (politeness, meaningfulness, actionability, safety)") == 0,
                 m.c_str());
        QVERIFY(sink.steps.empty());
        // One non-zero weight is enough; weights of other aspects are ignored here.
        controls.setWeights({{"politeness", 0}, {"safety", 0.5}, {"other", 0}});
        QVERIFY(trainer.runStep());
        QCOMPARE(sink.steps.size(), std::size_t(1));

        QVERIFY(errorOf([] { checkAspectWeights({"a", "b"}, {{"c", 1}}, "--weights"); })
                    .find("--weights: the reward model has no aspect \"c\" (its aspects: a, b)") == 0);
        QVERIFY(errorOf([] { checkAspectWeights({"a", "b"}, {{"a", 0}}); }).empty());   // b weighs 1
        QVERIFY(errorOf([] { checkAspectWeights({"a"}, {{"a", std::nan("")}}); }).find("not a finite number") !=
                std::string::npos);
    }

    void rewardModelWithOtherAspectsIsRefused()
    {
        Fixture f;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer trainer(f.setup(), controls, sink);
        QVERIFY(trainer.runStep());
        AspectSchema other = AspectSchema::defaults();
        other.rename("safety", "harmlessness");
        auto renamed = std::shared_ptr<RewardModel>(
            RewardModel::create(CausalLM::load(f.model), Tokenizer::load(f.model), other, 3));
        controls.publishRewardModel(renamed, 2);
        const std::string m = errorOf([&] { trainer.runStep(); });
        QVERIFY2(m.find("reward model version 2 scores the aspects (politeness, meaningfulness, actionability, "
                        "harmlessness) but this run's are (politeness, meaningfulness, actionability, safety)") == 0,
                 m.c_str());
        QCOMPARE(sink.steps.size(), std::size_t(1));
    }

    void checkpointFromAnotherSetUpIsRefused()
    {
        Fixture f;
        QTemporaryDir ck;
        TrainingControls c;
        RecordingSink sink;
        auto setup = f.setup(ck.path().toStdString());
        setup.options.maxSteps = 1;
        {
            GrpoTrainer t(setup, c, sink);
            t.run();
        }
        setup.options.useLora = true;
        GrpoTrainer lora(setup, c, sink);
        try {
            lora.resumeFrom(GrpoTrainer::latestCheckpoint(ck.path().toStdString()));
            QFAIL("a full fine-tuning checkpoint was loaded into a LoRA run");
        } catch (const FormatError &e) {
            QVERIFY(std::string(e.what()).find("trainer_state.json") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestGrpoTrainer)
#include "tst_grpo_trainer.moc"
