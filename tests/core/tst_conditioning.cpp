// Steerable runs (train/conditioning.h): weight vectors rounded to hundredths,
// the conditioning line's exact text, Dirichlet draws checked against the
// distribution's moments and for determinism, the fixed vectors' rotation,
// per-group rewards against a hand computation, the conditioned prompt's
// rendering, and a resumed steerable run equal to the uninterrupted one.
#include "train/advantages.h"
#include "train/conditioning.h"
#include "train/grpo_batch.h"
#include "train/training_controls.h"

#include <ATen/ATen.h>

#include "tiny_trainer_fixture.h"   // Qt after ATen: Qt's "slots" macro breaks ATen's headers

#include <QtTest>

#include <cmath>

using namespace awb;
using namespace awb::test;

namespace {

const std::vector<std::string> kAspects = {"politeness", "meaningfulness", "actionability", "safety"};

} // namespace

class TestConditioning : public QObject
{
    Q_OBJECT

private slots:
    void quantizeByHand_data()
    {
        QTest::addColumn<std::vector<double>>("in");
        QTest::addColumn<std::vector<double>>("out");
        // 33.33 each: one leftover hundredth to the first of the tied remainders.
        QTest::newRow("thirds") << std::vector<double>{1, 1, 1} << std::vector<double>{0.34, 0.33, 0.33};
        QTest::newRow("3:1") << std::vector<double>{3, 1} << std::vector<double>{0.75, 0.25};
        // 66.67 / 33.33 / 0: floors 66 + 33, the leftover to the larger remainder (.67).
        QTest::newRow("2:1:0") << std::vector<double>{2, 1, 0} << std::vector<double>{0.67, 0.33, 0.0};
        QTest::newRow("corner") << std::vector<double>{0, 5, 0} << std::vector<double>{0.0, 1.0, 0.0};
        // 0.125 x 8 = 12.5 each: four leftovers to the first four.
        QTest::newRow("eighths") << std::vector<double>(8, 0.125)
                                 << std::vector<double>{0.13, 0.13, 0.13, 0.13, 0.12, 0.12, 0.12, 0.12};
    }
    void quantizeByHand()
    {
        QFETCH(std::vector<double>, in);
        QFETCH(std::vector<double>, out);
        const auto q = quantizeWeights(in);
        QCOMPARE(q.size(), out.size());
        for (std::size_t k = 0; k < q.size(); ++k)
            QVERIFY2(std::abs(q[k] - out[k]) < 1e-12, qPrintable(QString::number(q[k])));
    }

    void lineRendersExactly()
    {
        QCOMPARE(conditioningLine(kAspects, {1, 1, 1, 1}),
                 std::string("Preference weights: politeness=0.25, meaningfulness=0.25, actionability=0.25, safety=0.25"));
        QCOMPARE(conditioningLine(kAspects, {0, 0, 3, 1}),
                 std::string("Preference weights: politeness=0.00, meaningfulness=0.00, actionability=0.75, safety=0.25"));
        QVERIFY(errorOf([] { conditioningLine(kAspects, {1, 1}); }).find("2 weights for 4 aspects") != std::string::npos);
        QVERIFY(errorOf([] { quantizeWeights({0, 0}); }).find("all be zero") != std::string::npos);
    }

    // Dirichlet(alpha) over K: E[w_k] = 1/K, Var[w_k] = (K-1) / (K^2 (K alpha + 1)).
    void dirichletMatchesItsMoments_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::newRow("alpha 1") << 1.0;
        QTest::newRow("alpha 0.3") << 0.3;
        QTest::newRow("alpha 5") << 5.0;
    }
    void dirichletMatchesItsMoments()
    {
        QFETCH(double, alpha);
        const std::size_t K = 4;
        const int n = 4000;
        std::vector<double> sum(K, 0.0), sq(K, 0.0);
        for (int i = 0; i < n; ++i) {
            const auto w = dirichletWeights(K, alpha, 7, 1 + i / 8, i % 8);
            double total = 0;
            for (std::size_t k = 0; k < K; ++k) {
                sum[k] += w[k];
                sq[k] += w[k] * w[k];
                total += w[k];
            }
            QVERIFY(std::abs(total - 1.0) < 1e-9);
        }
        const double var = (K - 1.0) / (K * K * (K * alpha + 1.0));
        for (std::size_t k = 0; k < K; ++k) {
            const double mean = sum[k] / n, v = sq[k] / n - mean * mean;
            QVERIFY2(std::abs(mean - 0.25) < 0.015, qPrintable(QString("mean %1").arg(mean)));
            // Rounding to hundredths adds at most 1/1200 of variance; the rest is sampling error.
            QVERIFY2(std::abs(v - var) < 0.12 * var + 1e-3, qPrintable(QString("var %1 vs %2").arg(v).arg(var)));
        }
    }

    void drawsDependOnSeedStepAndGroupOnly()
    {
        const auto a = dirichletWeights(4, 1.0, 42, 3, 5);
        QCOMPARE(dirichletWeights(4, 1.0, 42, 3, 5), a);
        QVERIFY(dirichletWeights(4, 1.0, 42, 3, 6) != a);
        QVERIFY(dirichletWeights(4, 1.0, 42, 4, 5) != a);
        QVERIFY(dirichletWeights(4, 1.0, 43, 3, 5) != a);
    }

    void fixedVectorsRotate()
    {
        const auto fixed = parseConditioningVectors("corners;uniform", kAspects);
        QCOMPARE(fixed.size(), std::size_t(5));
        QCOMPARE(fixed[2], (std::vector<double>{0, 0, 1, 0}));
        QCOMPARE(fixed[4], (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
        // Four fixed groups a step out of five vectors: step 1 takes 0..3, step 2 takes 4, 0, 1, 2.
        const std::size_t expected[2][4] = {{0, 1, 2, 3}, {4, 0, 1, 2}};
        for (int step = 1; step <= 2; ++step)
            for (int g = 0; g < 4; ++g)
                QCOMPARE(groupWeights(fixed, 4, 1.0, 9, step, g, 4), fixed[expected[step - 1][g]]);
        QCOMPARE(groupWeights(fixed, 4, 1.0, 9, 2, 6, 4), dirichletWeights(4, 1.0, 9, 2, 6));
        QCOMPARE(parseConditioningVectors("actionability=3, safety=1", kAspects)[0], (std::vector<double>{0, 0, 0.75, 0.25}));
        QVERIFY(errorOf([] { parseConditioningVectors("harm=1", kAspects); }).find("\"harm\" is not an aspect of this run")
                != std::string::npos);
        QVERIFY(errorOf([] { parseWeightList("safety=-1", kAspects, "--weights"); }).find("--weights") != std::string::npos);
        QVERIFY(errorOf([] { parseWeightList("safety=0", kAspects, "--weights"); }).find("all zero") != std::string::npos);
    }

    // Each group's reward uses its own vector (scaled to sum K); the group-relative advantages
    // equal those of each group on its own.
    void rewardsUseEachGroupsWeights()
    {
        // Two groups of two, two aspects. Group 0 weights (0.75, 0.25) -> x2 = (1.5, 0.5); group 1 (0, 1) -> (0, 2).
        const at::Tensor scores = at::tensor({0.2, 0.8, 0.6, 0.4, 0.1, 0.3, 0.5, 0.9}, at::kDouble).view({4, 2});
        GenerationBatch b;
        b.G = 2;
        b.groupWeights = {{0.75, 0.25}, {0.0, 1.0}};
        b.completions.resize(4);
        const at::Tensor rows = b.weightRows(2);
        const AdvantageResult r =
            computeAdvantages(scores, {1, 1}, 2, Aggregation::SumThenNormalize, ScaleRewards::Group, 1e-4, rows);
        // Rewards by hand: 1.5*0.2+0.5*0.8 = 0.7; 1.5*0.6+0.5*0.4 = 1.1; 2*0.3 = 0.6; 2*0.9 = 1.8.
        const double expected[] = {0.7, 1.1, 0.6, 1.8};
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::abs(r.rewards[i].item<double>() - expected[i]) < 1e-12);
        // Group std of (0.7, 1.1) is 0.2 sqrt(2); advantages -+0.2 / (0.2 sqrt 2 + 1e-4).
        const double a0 = -0.2 / (0.2 * std::sqrt(2.0) + 1e-4);
        QVERIFY(std::abs(r.advantages[0].item<double>() - a0) < 1e-12);
        QVERIFY(std::abs(r.advantages[1].item<double>() + a0) < 1e-12);
        // Shape errors are named.
        QVERIFY(errorOf([&] { computeAdvantages(scores, {1, 1}, 2, Aggregation::SumThenNormalize, ScaleRewards::Group,
                                                1e-4, rows.narrow(0, 0, 2)); })
                    .find("per-completion weights") != std::string::npos);
    }

    // The conditioned prompt in the demo layout, and a long prompt that keeps the line.
    void conditionedPromptRenders()
    {
        Fixture f;
        const Tokenizer tok = Tokenizer::load(f.model);
        const std::string line = conditioningLine(kAspects, {1, 1, 1, 1});
        const auto ids = encodePrompt(tok, "Tell me a joke.", true, 512, line);
        const std::string text = tok.decode(ids, false);
        if (tok.chatTemplate().kind() == ChatTemplateKind::None)
            QCOMPARE(text, line + "\nTell me a joke.");
        const std::string longPrompt(400, 'x');
        const auto cut = encodePrompt(tok, longPrompt + " Tell me a joke.", true, 120, line);
        QVERIFY(static_cast<std::int64_t>(cut.size()) <= 120);
        const std::string cutText = tok.decode(cut, false);
        QVERIFY2(cutText.find(line) != std::string::npos, cutText.c_str());
        QVERIFY(cutText.find("Tell me a joke.") != std::string::npos);
        QVERIFY(errorOf([&] { encodePrompt(tok, "hi", true, 5, line); }).find("raise max_prompt_length") != std::string::npos);
        // The line's own tokens: the conditioned prompt minus the plain one, counted without truncation.
        const auto plain = encodePrompt(tok, "Tell me a joke.", true, 512);
        QCOMPARE(systemTurnTokens(tok, true, line), static_cast<std::int64_t>(ids.size() - plain.size()));
    }

    // A steerable run of either mechanism: samples carry their group's vector, rewards use it, and
    // a resumed run (for "lora", adapters with a preference block read back from the checkpoint)
    // equals the whole one: vectors, completions, rewards and loss.
    void steerableRunResumesExactly_data()
    {
        QTest::addColumn<QString>("mechanism");
        QTest::newRow("prompt") << QStringLiteral("prompt");
        QTest::newRow("lora") << QStringLiteral("lora");
    }
    void steerableRunResumesExactly()
    {
        QFETCH(QString, mechanism);
        Fixture f;
        auto setup = [&](const std::string &dir) {
            GrpoTrainerSetup s = f.setup(dir);
            s.options.conditioning = mechanism.toStdString();
            s.options.useLora = mechanism == QStringLiteral("lora");
            s.options.loraR = 4;
            s.options.conditioningVectors = "corners";
            s.options.promptsPerStep = 3;
            return s;
        };
        RecordingSink full, second;
        runWholeAndResumed(setup, 4, 2, full, second);
        // Step 1: two of three groups are fixed (half, rounded up): corners 0 and 1; group 2 draws.
        const auto &s1 = full.steps[0];
        const std::size_t G = 3;
        for (const auto &smp : s1.samples) {
            const auto g = static_cast<std::size_t>(smp.group);
            const auto want = g == 0 ? std::vector<double>{1, 0, 0, 0}
                              : g == 1 ? std::vector<double>{0, 1, 0, 0}
                                       : dirichletWeights(4, 1.0, 5, 1, 2);
            QCOMPARE(smp.weights, want);
            double reward = 0;
            for (std::size_t k = 0; k < 4; ++k)
                reward += 4.0 * want[k] * smp.scores[k];
            QVERIFY(std::abs(smp.reward - reward) < 1e-5);
        }
        QCOMPARE(s1.samples.size(), 3 * G);
        QVERIFY(s1.metrics.contains("steer/politeness_heavy/safety"));
        for (std::size_t i = 0; i < 2; ++i) {
            const auto &a = full.steps[i + 2], &b = second.steps[i];
            QCOMPARE(a.metrics["loss"].get<double>(), b.metrics["loss"].get<double>());
            for (std::size_t j = 0; j < a.samples.size(); ++j) {
                QCOMPARE(a.samples[j].weights, b.samples[j].weights);
                QCOMPARE(a.samples[j].completion, b.samples[j].completion);
                QCOMPARE(a.samples[j].reward, b.samples[j].reward);
            }
        }
    }

    void badOptionsAreNamed()
    {
        GrpoOptions o = defaultGrpoOptions("grpo");
        o.conditioning = "lora";
        QVERIFY(errorOf([&] { validateGrpoOptions(o); }).find("needs use_lora") != std::string::npos);
        o.useLora = true;
        validateGrpoOptions(o);
        o.useLora = false;
        o.conditioning = "panacea";
        QVERIFY(errorOf([&] { validateGrpoOptions(o); }).find("none, prompt or lora") != std::string::npos);
        o.conditioning = "prompt";
        o.conditioningAlpha = 0;
        QVERIFY(errorOf([&] { validateGrpoOptions(o); }).find("conditioning_alpha") != std::string::npos);
        o.conditioningAlpha = 1;
        o.constraints = {{"safety", ">= 0.9"}};
        QVERIFY(errorOf([&] { validateGrpoOptions(o); }).find("cannot also hold") != std::string::npos);
        QVERIFY(errorOf([] {
                    grpoOptionsFromJson(nlohmann::json{{"algorithm", "dpo"}, {"conditioning", "prompt"}}, "cfg");
                }).find("\"conditioning\" is an option of") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestConditioning)
#include "tst_conditioning.moc"
