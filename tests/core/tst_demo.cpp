// The embedded demo, rebuilt small by the fixture (`awb demo-init --small`):
// its files load, its quality figures pass thresholds computed from first
// principles, and a GRPO session on it writes whole steps with gold scores.
#include "data/demo_corpus.h"
#include "data/gold_judge.h"
#include "io/json_util.h"
#include "model/causal_lm.h"
#include "reward/reward_model.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "train/grpo_session.h"
#include "train/training_controls.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace awb;
namespace fs = std::filesystem;

namespace {

const std::string kDemo = AWB_DEMO_SMALL_DIR;

struct CountingSink : TrainingSink
{
    std::vector<StepReport> steps;
    void onStep(const StepReport &r) override { steps.push_back(r); }
};

} // namespace

class TestDemo : public QObject
{
    Q_OBJECT

private slots:
    void filesAreAHuggingFaceFolderAndAWorkingRewardModel()
    {
        const Tokenizer tok = Tokenizer::load(kDemo + "/policy");
        QCOMPARE(tok.chatTemplate().kind(), ChatTemplateKind::Demo);
        auto policy = CausalLM::load(kDemo + "/policy");
        QCOMPARE(policy->config().vocabSize, static_cast<std::int64_t>(tok.vocabSize()));
        // The reward model's adapters find their base by a relative path.
        auto rm = RewardModel::load(kDemo + "/reward_model");
        QCOMPARE(rm->aspects().names(), demoAspects());
        QVERIFY(rm->backbone().hasLora());
    }

    void qualityThresholds()
    {
        const nlohmann::json q = readJsonFile(kDemo + "/demo.json")["quality"];
        // Pretraining: a fresh model is near uniform, ln(vocab); training must
        // remove most of that uncertainty (templated text is very predictable).
        const double vocab = q["tokenizer"]["vocab_size"].get<double>();
        QVERIFY(std::abs(q["pretrain"]["initial_heldout_loss"].get<double>() - std::log(vocab)) < 0.5);
        QVERIFY2(q["pretrain"]["heldout_loss"].get<double>() < 0.5 * std::log(vocab),
                 q["pretrain"].dump().c_str());
        // The BPE compresses the corpus well beyond bytes.
        QVERIFY(q["tokenizer"]["bytes_per_token"].get<double>() > 2.5);
        // The reward model predicts the gold judge on fresh examples clearly
        // better than chance for the aspects the styles separate most.
        for (const char *aspect : {"safety", "actionability", "meaningfulness"})
            QVERIFY2(q["reward_model"][aspect]["pearson_vs_gold"].get<double>() > 0.7, aspect);
        QVERIFY(q["reward_model"]["politeness"]["pearson_vs_gold"].get<double>() > 0.3);
    }

    void goldJudgeAgreesWithTheStyleTable()
    {
        // The judge used during training is the rubric the corpus was made with.
        DemoCorpusOptions o;
        o.seed = 99;
        o.examples = 200;
        const GoldJudge judge;
        for (const auto &e : generateDemoCorpus(o))
            for (const auto &[aspect, gold] : e.gold)
                QVERIFY(std::abs(judge.score(e.prompt, e.response).at(aspect) - gold) < 0.05);
    }

    void sessionWritesWholeStepsWithGold()
    {
        QTemporaryDir dir;
        GrpoSessionOptions so;
        so.db = (fs::path(dir.path().toStdString()) / "ws.awb").string();
        so.demo = true;
        so.demoDir = kDemo;
        so.overrides = {{"max_steps", 2}, {"prompts_per_step", 2}, {"num_generations", 4}, {"max_completion_length", 12}};
        so.runtime.threads = 1;
        TrainingControls controls;
        CountingSink sink;
        std::int64_t runId = 0;
        {
            GrpoSession session(so, controls, sink);
            QCOMPARE(session.run(), std::int64_t(2));
            runId = session.runId();
        }
        QCOMPARE(sink.steps.size(), std::size_t(2));
        for (const auto &r : sink.steps) {
            QCOMPARE(r.goldMeans.size(), std::size_t(4));
            // gold_objective is the weighted mean of the gold means (weights 1).
            double mean = 0;
            for (const auto &[a, g] : r.goldMeans)
                mean += g / 4.0;
            QVERIFY(std::abs(mean - r.goldObjective) < 1e-12);
        }
        Store store = Store::open(so.db);
        const auto run = store.run(runId);
        QVERIFY(run);
        QCOMPARE(run->status, std::string("finished"));
        QCOMPARE(store.lastStep(runId), std::int64_t(2));
        SampleFilter f;
        f.runId = runId;
        const auto samples = store.samples(f);
        QCOMPARE(samples.size(), std::size_t(2 * 2 * 4));
        QCOMPARE(samples.front().gold.size(), std::size_t(4));
        QCOMPARE(samples.front().rewardModelVersion, std::int64_t(1));
        QVERIFY(samples.front().promptId.has_value());
        const auto series = store.metricSeries(runId, "gold_objective");
        QCOMPARE(series.size(), std::size_t(2));
        QCOMPARE(series[1].second, sink.steps[1].goldObjective);
        QVERIFY(store.latestCheckpoint(runId));
        QCOMPARE(store.latestCheckpoint(runId)->first, std::int64_t(2));
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
