// Preference aspects of the reward model: the Bradley-Terry loss and its
// gradient against values worked out by hand, pairwise accuracy by hand, and a
// preference-trained safety aspect on demo-corpus pairs ordered by the gold
// judge, which must rank held-out chosen above rejected at least 90% of the
// time (counted here from the model's own scores, not from the trainer's
// metric), alone and mixed with a regression aspect.
#include "core/reward_fixtures.h"
#include "data/demo_corpus.h"
#include "data/gold_judge.h"
#include "reward/reward_model.h"
#include "reward/reward_trainer.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <numeric>

using namespace awb;

namespace {

const std::string kDemoPolicy = std::string(AWB_SOURCE_DIR) + "/resources/demo/policy";

// Pairs on adversarial prompts: a response the gold judge rates safe against one it
// rates unsafe, both under the same prompt, chosen = the safer one.
std::vector<RewardPreference> goldSafetyPairs(std::size_t want, std::size_t aspect)
{
    DemoCorpusOptions o;
    o.examples = 6000;
    const auto corpus = generateDemoCorpus(o);
    GoldJudge judge;
    std::vector<const DemoExample *> safe, unsafe;
    for (const auto &e : corpus)
        if (e.adversarial)
            (judge.score(e.prompt, e.response).at("safety") >= 0.5 ? safe : unsafe).push_back(&e);
    std::vector<RewardPreference> pairs;
    for (std::size_t i = 0; i < unsafe.size() && i < safe.size() && pairs.size() < want; ++i) {
        const std::string &prompt = unsafe[i]->prompt;
        const double a = judge.score(prompt, safe[i]->response).at("safety");
        const double b = judge.score(prompt, unsafe[i]->response).at("safety");
        if (std::abs(a - b) < 0.5)
            continue;
        pairs.push_back({prompt, a > b ? safe[i]->response : unsafe[i]->response,
                         a > b ? unsafe[i]->response : safe[i]->response, aspect});
    }
    return pairs;
}

double heldOutAccuracy(RewardModel &model, const std::vector<RewardPreference> &pairs,
                       const std::vector<std::size_t> &heldOut)
{
    std::vector<std::string> prompts, responses;
    for (auto i : heldOut) {
        prompts.insert(prompts.end(), {pairs[i].prompt, pairs[i].prompt});
        responses.insert(responses.end(), {pairs[i].chosen, pairs[i].rejected});
    }
    const auto scores = model.score(prompts, responses, 16, 128);
    double right = 0;
    for (std::size_t j = 0; j < heldOut.size(); ++j) {
        const std::size_t a = pairs[heldOut[j]].aspect;
        right += scores[2 * j][a] > scores[2 * j + 1][a] ? 1.0 : 0.0;
    }
    return right / static_cast<double>(heldOut.size());
}

std::unique_ptr<RewardModel> freshModel(const std::vector<Aspect> &aspects)
{
    return RewardModel::create(CausalLM::load(kDemoPolicy), Tokenizer::load(kDemoPolicy), AspectSchema(aspects), 11);
}

} // namespace

class TestRewardPreferences : public QObject
{
    Q_OBJECT

private slots:
    void bradleyTerryByHand();
    void pairwiseAccuracyByHand();
    void learnsGoldSafetyOrder();
    void mixesRegressionAndPreferenceAspects();
    void badPairs();
};

// d = c - r = 1, 0, -2: -log sigmoid(d) = log(1 + e^-d) = 0.3132617, 0.6931472, 2.1269280; the mean is
// 1.0444456. d/dc_i = -(1 - sigmoid(d_i)) / 3 = -0.0896471, -0.1666667, -0.2935992; d/dr_i the opposite.
void TestRewardPreferences::bradleyTerryByHand()
{
    const at::Tensor c = at::tensor({2.0, 0.0, -1.0}, at::kDouble).requires_grad_(true);
    const at::Tensor r = at::tensor({1.0, 0.0, 1.0}, at::kDouble).requires_grad_(true);
    const at::Tensor loss = bradleyTerryLoss(c, r);
    QVERIFY(std::abs(loss.item<double>() - 1.0444456) < 1e-6);
    loss.backward();
    const double dc[] = {-0.0896471, -0.1666667, -0.2935992};
    for (int i = 0; i < 3; ++i) {
        QVERIFY(std::abs(c.grad()[i].item<double>() - dc[i]) < 1e-6);
        QVERIFY(std::abs(r.grad()[i].item<double>() + dc[i]) < 1e-6);
    }
    // Large margins stay finite: softplus(-1000) is 0, softplus(1000) is 1000.
    const at::Tensor big = bradleyTerryLoss(at::tensor({1000.0, -1000.0}, at::kDouble), at::tensor({0.0, 0.0}, at::kDouble));
    QVERIFY(std::abs(big.item<double>() - 500.0) < 1e-9);
    QCOMPARE(bradleyTerryLoss(at::zeros({0}), at::zeros({0})).item<double>(), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, bradleyTerryLoss(at::zeros({2}), at::zeros({3})));
}

void TestRewardPreferences::pairwiseAccuracyByHand()
{
    std::vector<AspectMetrics> m(3);
    // Aspect 0: right, wrong, tie -> 1.5 / 3; aspect 2: right -> 1; aspect 1: no pairs.
    addPairwiseAccuracy(m, {2, 0, 1, 5}, {1, 1, 1, 4}, {0, 0, 0, 2});
    QCOMPARE(m[0].pairs, 3);
    QCOMPARE(m[0].pairwiseAccuracy, 0.5);
    QCOMPARE(m[1].pairs, 0);
    QVERIFY(std::isnan(m[1].pairwiseAccuracy));
    QCOMPARE(m[2].pairwiseAccuracy, 1.0);
    const nlohmann::json j = aspectMetricsJson(m[0]);
    QCOMPARE(j["pairs"].get<int>(), 3);
    QVERIFY(!aspectMetricsJson(m[1]).contains("pairwise_accuracy"));
}

void TestRewardPreferences::learnsGoldSafetyOrder()
{
    const auto pairs = goldSafetyPairs(240, 0);
    QVERIFY2(pairs.size() >= 200, std::to_string(pairs.size()).c_str());
    auto model = freshModel({{"safety", 0, 1, ""}});
    const double before = [&] {
        std::vector<std::size_t> all(pairs.size());
        std::iota(all.begin(), all.end(), std::size_t{0});
        return heldOutAccuracy(*model, pairs, all);
    }();
    RewardTrainOptions o;
    o.backboneMode = "lora";
    o.epochs = 2;
    o.batchSize = 16;
    o.maxLength = 128;
    o.validationFraction = 0.25;
    o.learningRate = 1e-3;
    const RewardTrainReport report = trainRewardModel(*model, {}, pairs, o);
    QCOMPARE(report.validationPairs, static_cast<std::int64_t>(report.validationPairIndices.size()));
    QVERIFY(report.validationPairs >= 50);
    QCOMPARE(report.trainExamples, 0);
    const double accuracy = heldOutAccuracy(*model, pairs, report.validationPairIndices);
    qInfo("held-out pairwise accuracy %.3f (before training %.3f over all pairs), %lld held out", accuracy, before,
          static_cast<long long>(report.validationPairs));
    QVERIFY2(accuracy >= 0.9, std::to_string(accuracy).c_str());
    QCOMPARE(report.validation.at(0).pairs, report.validationPairs);
    QVERIFY(std::abs(report.validation.at(0).pairwiseAccuracy - accuracy) < 1e-9);
    QCOMPARE(model->info().labelCount, static_cast<std::int64_t>(pairs.size()));
}

void TestRewardPreferences::mixesRegressionAndPreferenceAspects()
{
    // Aspect 0 (politeness) by regression on the corpus's gold scores, aspect 1 (safety) by pairs.
    DemoCorpusOptions co;
    co.examples = 300;
    co.seed = 3;
    std::vector<RewardExample> examples;
    for (const auto &e : generateDemoCorpus(co))
        examples.push_back({e.prompt, e.response, {e.gold.at("politeness"), std::nullopt}});
    const auto pairs = goldSafetyPairs(200, 1);
    auto model = freshModel({{"politeness", 0, 1, ""}, {"safety", 0, 1, ""}});
    RewardTrainOptions o;
    o.backboneMode = "lora";
    o.epochs = 2;
    o.batchSize = 16;
    o.maxLength = 128;
    o.validationFraction = 0.2;
    o.learningRate = 1e-3;
    const RewardTrainReport report = trainRewardModel(*model, examples, pairs, o);
    QVERIFY(report.validationExamples > 0 && report.validationPairs > 0);
    QCOMPARE(report.trainExamples + report.validationExamples, static_cast<std::int64_t>(examples.size()));
    QCOMPARE(report.trainPairs + report.validationPairs, static_cast<std::int64_t>(pairs.size()));
    const double accuracy = heldOutAccuracy(*model, pairs, report.validationPairIndices);
    QVERIFY2(accuracy >= 0.9, std::to_string(accuracy).c_str());
    // The regression aspect learns too: its held-out RMSE is below that of predicting the mean.
    double mean = 0;
    for (const auto &e : examples)
        mean += *e.targets[0] / static_cast<double>(examples.size());
    double baseline = 0;
    for (auto i : report.validationIndices)
        baseline += std::pow(*examples[i].targets[0] - mean, 2) / static_cast<double>(report.validationIndices.size());
    QVERIFY2(report.validation.at(0).rmse < 0.7 * std::sqrt(baseline),
             (std::to_string(report.validation.at(0).rmse) + " vs " + std::to_string(std::sqrt(baseline))).c_str());
    QCOMPARE(report.validation.at(0).pairs, 0);
    QCOMPARE(report.validation.at(1).count, 0);
}

void TestRewardPreferences::badPairs()
{
    auto model = freshModel({{"safety", 0, 1, ""}});
    RewardTrainOptions o;
    o.epochs = 1;
    const std::string same =
        rewardtest::errorOf([&] { trainRewardModel(*model, {}, {{"p", "same", "same", 0}}, o); });
    QVERIFY2(same.find("same chosen and rejected") != std::string::npos, same.c_str());
    const std::string aspect = rewardtest::errorOf([&] { trainRewardModel(*model, {}, {{"p", "a", "b", 3}}, o); });
    QVERIFY2(aspect.find("aspect 3") != std::string::npos, aspect.c_str());
    const std::string none = rewardtest::errorOf([&] { trainRewardModel(*model, {}, {}, o); });
    QVERIFY2(none.find("no preference pairs") != std::string::npos || none.find("has a label") != std::string::npos,
             none.c_str());
}

QTEST_GUILESS_MAIN(TestRewardPreferences)
#include "tst_reward_preferences.moc"
