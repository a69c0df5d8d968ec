// DPO and MODPO: the four losses and the MODPO margin against values worked
// out by hand, their gradients against finite differences, pairs from groups
// and from files, and the trainer's offline path end to end on a tiny policy:
// the first step's loss is log 2 (the policy is its reference), pairs whose
// order is known are learnt (rewards/accuracies above 0.8), resume is exact,
// live weights reach MODPO, and bad pairs get one clear message.
#include "reward/reward_data.h"
#include "train/dpo_loss.h"
#include "train/preference_pairs.h"
#include "train/training_controls.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "tiny_trainer_fixture.h"   // Qt after ATen: Qt's "slots" macro breaks ATen's headers

#include <QtTest>

#include <cmath>
#include <fstream>

using namespace awb;
using namespace awb::test;

namespace {

at::Tensor vec(std::vector<double> v)
{
    return at::tensor(v, at::kDouble);
}

// Two pairs: log-ratio differences h = [0.3, -0.5]; lengths for ipo.
DpoLossInputs twoPairs()
{
    DpoLossInputs in;
    in.policyChosen = vec({-1.0, -2.0});
    in.policyRejected = vec({-1.5, -1.0});
    in.refChosen = vec({-1.2, -1.8});
    in.refRejected = vec({-1.4, -1.3});
    in.chosenTokens = vec({2, 4});
    in.rejectedTokens = vec({5, 1});
    return in;
}

void writeText(const std::string &path, const std::string &text)
{
    std::ofstream(path) << text;
}

} // namespace

class TestDpo : public QObject
{
    Q_OBJECT

private slots:
    void lossesMatchHandValues_data()
    {
        QTest::addColumn<QString>("loss");
        QTest::addColumn<double>("smoothing");
        QTest::addColumn<double>("first");
        QTest::addColumn<double>("second");
        // beta 0.1: beta*h = [0.03, -0.05]; log(1 + e^-x) and friends by hand.
        QTest::newRow("sigmoid") << "sigmoid" << 0.0 << 0.6782596763414485 << 0.7184596480132863;
        QTest::newRow("sigmoid smoothed") << "sigmoid" << 0.1 << 0.6812596763414485 << 0.7134596480132863;
        QTest::newRow("robust") << "robust" << 0.1 << 0.6745096763414484 << 0.7247096480132862;
        QTest::newRow("hinge") << "hinge" << 0.0 << 0.97 << 1.05;
        // Token means: chosen [0.1, -0.05], rejected [-0.02, 0.3]; (d - 1/(2*0.1))^2.
        QTest::newRow("ipo") << "ipo" << 0.0 << 23.8144 << 28.6225;
    }
    void lossesMatchHandValues()
    {
        QFETCH(QString, loss);
        QFETCH(double, smoothing);
        QFETCH(double, first);
        QFETCH(double, second);
        DpoLossOptions o;
        o.beta = 0.1;
        o.labelSmoothing = smoothing;
        const DpoLossOutput out = dpoLoss(loss.toStdString())(twoPairs(), o);
        QVERIFY(std::abs(out.losses[0].item<double>() - first) < 1e-12);
        QVERIFY(std::abs(out.losses[1].item<double>() - second) < 1e-12);
        // TRL's rewards: beta times each log-ratio.
        QVERIFY(std::abs(out.chosenRewards[0].item<double>() - 0.02) < 1e-12);
        QVERIFY(std::abs(out.chosenRewards[1].item<double>() + 0.02) < 1e-12);
        QVERIFY(std::abs(out.rejectedRewards[0].item<double>() + 0.01) < 1e-12);
        QVERIFY(std::abs(out.rejectedRewards[1].item<double>() - 0.03) < 1e-12);
    }

    void unknownLossListsTheKnownOnes()
    {
        try {
            dpoLoss("kto");
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("sigmoid, robust, hinge, ipo") != std::string::npos);
        }
    }

    void modpoMarginWithTheLiveWeights()
    {
        // Weights [2, 1, 1] normalise to [0.5, 0.25, 0.25]; aspect 0 is supervised.
        double w = 0;
        const at::Tensor m = modpoMargin(at::tensor({0.8, 0.2, 0.5}, at::kDouble).view({1, 3}),
                                         at::tensor({0.3, 0.6, 0.5}, at::kDouble).view({1, 3}), {2, 1, 1}, 0, "a", w);
        QVERIFY(std::abs(w - 0.5) < 1e-12);
        QVERIFY(std::abs(m[0].item<double>() - (0.25 * (0.2 - 0.6))) < 1e-12);
        // The sigmoid loss with that margin: beta z = (0.1*0.3 + 0.1) / 0.5 = 0.26.
        DpoLossInputs in = twoPairs();
        for (auto *t : {&in.policyChosen, &in.policyRejected, &in.refChosen, &in.refRejected, &in.chosenTokens,
                        &in.rejectedTokens})
            *t = t->narrow(0, 0, 1);
        in.margin = m;
        in.weight = w;
        DpoLossOptions o;
        o.beta = 0.1;
        QVERIFY(std::abs(dpoLoss("sigmoid")(in, o).losses[0].item<double>() - 0.5715734864417374) < 1e-12);
        // MODPO divides by the supervised aspect's weight: zero is refused, by name.
        try {
            modpoMargin(at::zeros({1, 2}, at::kDouble), at::zeros({1, 2}, at::kDouble), {0, 1}, 0, "safety", w);
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("\"safety\" must be positive") != std::string::npos);
        }
    }

    void gradientsMatchFiniteDifferences_data()
    {
        QTest::addColumn<QString>("loss");
        for (const char *n : {"sigmoid", "robust", "hinge", "ipo"})
            QTest::newRow(n) << n;
    }
    void gradientsMatchFiniteDifferences()
    {
        QFETCH(QString, loss);
        DpoLossOptions o;
        o.beta = 0.1;
        o.labelSmoothing = 0.1;
        const DpoLoss fn = dpoLoss(loss.toStdString());
        auto total = [&](const at::Tensor &pc, const at::Tensor &pr, bool margin) {
            DpoLossInputs in = twoPairs();
            in.policyChosen = pc;
            in.policyRejected = pr;
            if (margin) {
                in.margin = vec({0.02, -0.03});
                in.weight = 0.6;
            }
            return fn(in, o).losses.sum();
        };
        for (bool margin : {false, true}) {
            at::Tensor pc = twoPairs().policyChosen.clone().requires_grad_(true);
            at::Tensor pr = twoPairs().policyRejected.clone().requires_grad_(true);
            const auto grads = torch::autograd::grad({total(pc, pr, margin)}, {pc, pr});
            const double eps = 1e-6;
            for (int which = 0; which < 2; ++which)
                for (int i = 0; i < 2; ++i) {
                    at::Tensor up = (which ? pr : pc).detach().clone(), down = up.clone();
                    up[i] += eps;
                    down[i] -= eps;
                    const double fd = which ? (total(pc.detach(), up, margin) - total(pc.detach(), down, margin)).item<double>()
                                            : (total(up, pr.detach(), margin) - total(down, pr.detach(), margin)).item<double>();
                    QVERIFY2(std::abs(fd / (2 * eps) - grads[static_cast<std::size_t>(which)][i].item<double>()) < 1e-6,
                             qPrintable(QStringLiteral("%1 %2 %3").arg(loss).arg(which).arg(i)));
                }
        }
    }

    void pairsWithinGroupsTakeBestAgainstWorst()
    {
        const std::vector<std::string> aspects = {"a", "b"};
        // Group g1: keys (with weights a:3, b:1) 0.75, 0.25, 0.5 -> best x, worst y.
        // Group g2: keys 0.5 and 0.52: below the margin 0.05. Group g3: one response.
        const std::vector<GroupedResponse> rs = {
            {"g1", "p1", "x", {{"a", 1.0}, {"b", 0.0}}}, {"g1", "p1", "y", {{"a", 0.0}, {"b", 1.0}}},
            {"g1", "p1", "z", {{"a", 0.5}, {"b", 0.5}}}, {"g2", "p2", "u", {{"a", 0.5}, {"b", 0.5}}},
            {"g2", "p2", "v", {{"a", 0.52}, {"b", 0.52}}}, {"g3", "p3", "w", {{"a", 1.0}}}};
        const auto pairs = pairsWithinGroups(rs, aspects, {{"a", 3.0}}, "", 0.05);
        QCOMPARE(pairs.size(), std::size_t(1));
        QCOMPARE(pairs[0].prompt, std::string("p1"));
        QCOMPARE(pairs[0].chosen, std::string("x"));
        QCOMPARE(pairs[0].rejected, std::string("y"));
        // MODPO orders by the supervised aspect alone: in g1 "b" prefers y over x.
        const auto byB = pairsWithinGroups(rs, aspects, {{"a", 3.0}}, "b", 0.05);
        QCOMPARE(byB.size(), std::size_t(1));
        QCOMPARE(byB[0].chosen, std::string("y"));
        QCOMPARE(byB[0].rejected, std::string("x"));
        QCOMPARE(*orderKey({{"a", 1.0}, {"b", 0.0}}, aspects, {{"a", 3.0}}, ""), 0.75);
    }

    void preferenceFilesAndTheirErrors()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        std::vector<std::string> warnings;
        writeText(d + "/hh.jsonl",
                  "{\"chosen\": \"\\n\\nHuman: Hi?\\n\\nAssistant: Hello!\", \"rejected\": \"\\n\\nHuman: Hi?\\n\\nAssistant: Go away.\"}\n");
        const auto hh = loadPreferenceFile(d + "/hh.jsonl", warnings);
        QCOMPARE(hh.size(), std::size_t(1));
        QCOMPARE(hh[0].prompt, std::string("Human: Hi?"));
        QCOMPARE(hh[0].chosen, std::string("Hello!"));
        QCOMPARE(hh[0].rejected, std::string("Go away."));
        // A file of scores holds no pairs; an empty file neither.
        writeText(d + "/scores.jsonl", "{\"prompt\": \"p\", \"response\": \"r\", \"safety\": 1}\n");
        writeText(d + "/empty.jsonl", "");
        for (const char *name : {"/scores.jsonl", "/empty.jsonl"}) {
            const std::string e = errorOf([&] { loadPreferenceFile(d + name, warnings); });
            QVERIFY2(e.find(d + name) == 0, e.c_str());
            QVERIFY2(e.find("pairs") != std::string::npos, e.c_str());
        }
    }

    void firstStepLossIsLogTwoAndKnownPairsAreLearnt()
    {
        Fixture f;
        f.algorithm = "dpo";
        GrpoTrainerSetup s = f.setup();
        s.options.maxSteps = 12;
        s.options.promptsPerStep = 4;
        s.options.learningRate = 3e-3;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer t(std::move(s), controls, sink);
        QCOMPARE(t.run(), std::int64_t(12));
        // Before the first update the policy is the reference: z = 0, -log sigmoid(0) = log 2.
        QVERIFY(std::abs(sink.steps[0].metrics["loss"].get<double>() - std::log(2.0)) < 1e-6);
        QCOMPARE(sink.steps[0].metrics["rewards/accuracies"].get<double>(), 0.0);
        QVERIFY(sink.steps.back().metrics["rewards/accuracies"].get<double>() > 0.8);
        QVERIFY(sink.steps.back().metrics["rewards/margins"].get<double>() > 0.0);
        // Evaluation generations at steps 1, 5, 10 and 12 (eval_steps 5), with samples; none between.
        for (const auto &r : sink.steps) {
            const bool eval = r.step == 1 || r.step % 5 == 0 || r.step == 12;
            QCOMPARE(!r.samples.empty(), eval);
            QCOMPARE(r.metrics.contains("reward"), eval);
        }
        QCOMPARE(sink.steps[0].samples.size(), std::size_t(2 * 3));   // two held-out prompts x G
        // Full fine-tuning keeps a reference copy; the reward model scores the evaluations.
        QCOMPARE(t.modelsInMemory(), (std::vector<std::string>{"policy", "reference", "reward model"}));
    }

    void ipoAndPrecomputedReference()
    {
        Fixture f;
        f.algorithm = "dpo";
        GrpoTrainerSetup s = f.setup();
        s.options.lossType = "ipo";
        s.options.precomputeRefLogProbs = true;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer t(std::move(s), controls, sink);
        QVERIFY(t.runStep());
        // (0 - 1/(2 beta))^2 with beta 0.1.
        QVERIFY(std::abs(sink.steps[0].metrics["loss"].get<double>() - 25.0) < 1e-4);
        // No reference copy: the policy as it started is the reference.
        QCOMPARE(t.modelsInMemory(), (std::vector<std::string>{"policy", "reward model"}));
    }

    void resumeIsExactWithGoldPairs()
    {
        Fixture f;
        f.algorithm = "dpo";
        auto gold = [](const std::string &, const std::string &c) {
            // Longer answers are "better" on every aspect: an order the test controls.
            std::map<std::string, double> m;
            for (const auto &a : AspectSchema::defaults().names())
                m[a] = std::min(1.0, static_cast<double>(c.size()) / 20.0);
            return m;
        };
        auto setup = [&](const std::string &dir) {
            GrpoTrainerSetup s = f.setup(dir);
            s.pairs.clear();
            s.pairSource = "gold";
            s.goldScorer = gold;
            s.options.pairMinMargin = 0.0;
            s.options.evalSteps = 2;
            return s;
        };
        QTemporaryDir ckA, ckB;
        TrainingControls c1;
        RecordingSink full;
        {
            GrpoTrainer t(setup(ckA.path().toStdString()), c1, full);
            QCOMPARE(t.run(), std::int64_t(4));
        }
        QVERIFY(fs::exists(pairsCachePath(ckA.path().toStdString())));
        TrainingControls c2;
        RecordingSink first;
        first.hook = [&](const StepReport &r) {
            if (r.step == 2)
                c2.requestStop();
        };
        {
            GrpoTrainer t(setup(ckB.path().toStdString()), c2, first);
            QCOMPARE(t.run(), std::int64_t(2));
        }
        TrainingControls c3;
        RecordingSink second;
        GrpoTrainer t(setup(ckB.path().toStdString()), c3, second);
        QCOMPARE(t.resumeFrom(GrpoTrainer::latestCheckpoint(ckB.path().toStdString())), std::int64_t(2));
        QCOMPARE(t.run(), std::int64_t(4));
        QCOMPARE(second.steps.size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i)
            for (const char *key : {"loss", "rewards/chosen", "rewards/rejected", "logps/chosen", "grad_norm"})
                QVERIFY2(full.steps[i + 2].metrics[key].get<double>() == second.steps[i].metrics[key].get<double>(), key);
        QCOMPARE(second.steps[0].samples.size(), full.steps[2].samples.size());
        for (std::size_t k = 0; k < second.steps[0].samples.size(); ++k)
            QCOMPARE(second.steps[0].samples[k].completion, full.steps[2].samples[k].completion);
    }

    void liveWeightsReachModpo()
    {
        Fixture f;
        f.algorithm = "dpo";
        GrpoTrainerSetup s = f.setup();
        s.options.modpoAspect = "safety";
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer t(std::move(s), controls, sink);
        QVERIFY(t.runStep());
        // Weights 1 each: w_safety = 1/4.
        QVERIFY(std::abs(sink.steps[0].metrics["modpo/weight"].get<double>() - 0.25) < 1e-12);
        controls.setWeights({{"safety", 3.0}, {"politeness", 0.0}});
        QVERIFY(t.runStep());
        // 3 / (3 + 0 + 1 + 1).
        QVERIFY(std::abs(sink.steps[1].metrics["modpo/weight"].get<double>() - 0.6) < 1e-12);
        QVERIFY(sink.steps[1].metrics["modpo/margin"].get<double>() != sink.steps[0].metrics["modpo/margin"].get<double>());
    }

    void longPairsStopAtTheModelsContext()
    {
        // The tiny policy's context is 128 tokens, max_length 1024: a chosen response of
        // several hundred tokens is cut to what fits instead of failing the step.
        Fixture f;
        f.algorithm = "dpo";
        GrpoTrainerSetup s = f.setup();
        std::string longAnswer;
        for (int i = 0; i < 80; ++i)
            longAnswer += "First, mix the flour. ";
        for (auto &p : s.pairs)
            p.chosen = longAnswer;
        TrainingControls controls;
        RecordingSink sink;
        GrpoTrainer t(std::move(s), controls, sink);
        QVERIFY(t.runStep());
        const auto &m = sink.steps[0].metrics;
        QVERIFY(std::isfinite(m["logps/chosen"].get<double>()));
        // Two prompts' pairs: every row at most 128 tokens, prompt included.
        QVERIFY(m["tokens/trained"].get<double>() <= 2.0 * 2.0 * 128.0);
    }

    void identicalPairsAreOneClearError()
    {
        Fixture f;
        f.algorithm = "dpo";
        GrpoTrainerSetup s = f.setup();
        for (auto &p : s.pairs)
            p.rejected = p.chosen;
        TrainingControls controls;
        RecordingSink sink;
        const std::string e = errorOf([&] { GrpoTrainer t(std::move(s), controls, sink); });
        QVERIFY2(e.find("identical chosen and rejected") != std::string::npos, e.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDpo)
#include "tst_dpo.moc"
