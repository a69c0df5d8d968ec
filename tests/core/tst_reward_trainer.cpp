// Reward-model training: the masked MSE and its gradient (by hand and by
// finite differences), correlation metrics against hand-computed values,
// learning a synthetic two-aspect task well below the predict-the-mean
// baseline, early stopping restoring the best epoch, cancellation, the three
// backbone modes and the deterministic validation split.
#include "core/reward_fixtures.h"
#include "reward/reward_trainer.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace awb;
using namespace rewardtest;

namespace {

// Aspect 0: fraction of the letter "a" in the response; aspect 1: response length / 20.
// Each label is missing with probability `missing` (every example keeps at least one).
std::vector<RewardExample> synthetic(int n, std::uint64_t seed, double missing)
{
    std::mt19937_64 rng(seed);
    auto uniform = [&] { return static_cast<double>(rng() >> 11) / 9007199254740992.0; };
    const char *prompts[] = {"rate this", "hi", "what do you say?"};
    std::vector<RewardExample> out;
    for (int i = 0; i < n; ++i) {
        const int length = 1 + static_cast<int>(rng() % 20);
        const int as = static_cast<int>(rng() % static_cast<std::uint64_t>(length + 1));
        std::string response(static_cast<std::size_t>(as), 'a');
        for (int k = as; k < length; ++k)
            response += "bcd"[rng() % 3];
        for (std::size_t k = response.size(); k > 1; --k)
            std::swap(response[k - 1], response[rng() % k]);
        RewardExample e{prompts[rng() % 3], response, {static_cast<double>(as) / length, length / 20.0}};
        const bool drop0 = uniform() < missing, drop1 = uniform() < missing;
        if (drop0 && !drop1)
            e.targets[0].reset();
        else if (drop1 && !drop0)
            e.targets[1].reset();
        out.push_back(e);
    }
    return out;
}

// Masked MSE of the model's scores over examples[indices], computed here in double.
double lossOf(RewardModel &m, const std::vector<RewardExample> &examples, const std::vector<std::size_t> &indices,
              std::int64_t maxLength)
{
    std::vector<std::string> prompts, responses;
    for (auto i : indices) {
        prompts.push_back(examples[i].prompt);
        responses.push_back(examples[i].response);
    }
    const auto scores = m.score(prompts, responses, 8, maxLength);
    double sum = 0, count = 0;
    for (std::size_t j = 0; j < indices.size(); ++j)
        for (std::size_t k = 0; k < scores[j].size(); ++k)
            if (const auto &t = examples[indices[j]].targets[k]) {
                sum += (scores[j][k] - *t) * (scores[j][k] - *t);
                count += 1;
            }
    return sum / count;
}

at::Tensor cloneOf(const at::Tensor &t)
{
    return t.detach().clone();
}

} // namespace

class TestRewardTrainer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void maskedMseByHand();
    void maskedMseGradientThroughHead();
    void correlations();
    void aspectMetricsByHand();
    void learnsSyntheticTask();
    void earlyStoppingRestoresBestEpoch();
    void cancellationKeepsInitialWeights();
    void cancellationKeepsBestEpochSoFar();
    void frozenAndLoraModes();
    void validationSplitIsDeterministic();
    void badInput();

private:
    std::unique_ptr<RewardModel> makeModel(std::uint64_t seed, double initializerRange = 0.2) const;

    QTemporaryDir m_dir;
    std::string m_tokenizer;
    AspectSchema m_aspects;
};

void TestRewardTrainer::initTestCase()
{
    m_tokenizer = writeByteTokenizer(m_dir.path().toStdString(), true);
    m_aspects = AspectSchema({{"a_fraction", 0, 1, ""}, {"length", 0, 1, ""}});
}

std::unique_ptr<RewardModel> TestRewardTrainer::makeModel(std::uint64_t seed, double initializerRange) const
{
    return RewardModel::create(CausalLM::create(tinyLlama(initializerRange), seed, {}), Tokenizer::load(m_tokenizer),
                               m_aspects, seed);
}

void TestRewardTrainer::maskedMseByHand()
{
    const at::Tensor p = at::tensor({1.0, 2.0, 3.0, 4.0}, at::kDouble).view({2, 2}).requires_grad_();
    const at::Tensor t = at::tensor({0.0, 2.5, 1.0, 0.0}, at::kDouble).view({2, 2});
    const at::Tensor m = at::tensor({1.0, 0.0, 1.0, 1.0}, at::kDouble).view({2, 2});
    // (1-0)^2 + (3-1)^2 + (4-0)^2 over 3 labelled entries = 21 / 3.
    const at::Tensor loss = maskedMseLoss(p, t, m);
    QCOMPARE(loss.item<double>(), 7.0);
    loss.backward();
    // d/dp = 2 (p - t) m / 3.
    QVERIFY(at::allclose(p.grad(), at::tensor({2.0 / 3, 0.0, 4.0 / 3, 8.0 / 3}, at::kDouble).view({2, 2})));
    // Nothing labelled: zero, not NaN.
    QCOMPARE(maskedMseLoss(p, t, at::zeros_like(m)).item<double>(), 0.0);
}

void TestRewardTrainer::maskedMseGradientThroughHead()
{
    const auto model = makeModel(1);
    const at::Tensor ids = at::tensor({10, 20, 30, 40, 50, 60, 70, 0, 80, 90, 0, 0}, at::kLong).view({3, 4});
    const at::Tensor lengths = at::tensor({4, 3, 2}, at::kLong);
    at::Tensor f;
    {
        at::NoGradGuard g;
        f = model->features(ids, lengths).to(at::kDouble);
    }
    // Aspect 1 is labelled nowhere; aspect 0 on rows 0 and 2.
    const at::Tensor t = at::tensor({0.9, 0.0, 0.0, 0.0, 0.1, 0.0}, at::kFloat).view({3, 2});
    const at::Tensor mask = at::tensor({1.0, 0.0, 0.0, 0.0, 1.0, 0.0}, at::kFloat).view({3, 2});
    const std::vector<at::Tensor> params = model->headParameters();
    const at::Tensor pred = model->head(f.to(at::kFloat));
    maskedMseLoss(pred, t, mask).backward();

    // By hand: dL/dW_0 = sum over labelled rows b of 2 (p_b0 - t_b0) f_b / 2, dL/db_0 likewise without f.
    const at::Tensor w = params[0].detach().to(at::kDouble), b = params[1].detach().to(at::kDouble);
    at::Tensor gw = at::zeros({2, 32}, at::kDouble), gb = at::zeros({2}, at::kDouble);
    for (std::int64_t row : {0, 2}) {
        const double p0 = (at::dot(w[0], f[row]) + b[0]).item<double>();
        const double r = 2 * (p0 - t[row][0].item<double>()) / 2;
        gw[0] += r * f[row];
        gb[0] += r;
    }
    QVERIFY(at::allclose(params[0].grad().to(at::kDouble), gw, 1e-4, 1e-6));
    QVERIFY(at::allclose(params[1].grad().to(at::kDouble), gb, 1e-4, 1e-6));
    // The unlabelled aspect's head row gets exactly nothing.
    QVERIFY(at::equal(params[0].grad()[1], at::zeros({32})));
    QCOMPARE(params[1].grad()[1].item<float>(), 0.0f);

    // Central finite difference on one weight (the loss is quadratic in it, so the difference is exact
    // up to rounding).
    const double eps = 1e-2;
    const at::Tensor original = params[0].detach().clone();
    auto lossAt = [&](double delta) {
        at::Tensor w2 = original.clone();
        w2[0][5] += delta;
        model->setHeadState(w2, params[1].detach());
        at::NoGradGuard g;
        return maskedMseLoss(model->head(f.to(at::kFloat)), t, mask).item<double>();
    };
    const double fd = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
    model->setHeadState(original, params[1].detach());
    QVERIFY2(std::abs(fd - gw[0][5].item<double>()) < 1e-3 * std::max(1.0, std::abs(fd)),
             (std::to_string(fd) + " vs " + std::to_string(gw[0][5].item<double>())).c_str());
}

void TestRewardTrainer::correlations()
{
    const std::vector<double> x = {1, 2, 3, 4, 5}, y = {2, 4, 5, 4, 5};
    // Means 3 and 4; sum dx dy = 6, sum dx^2 = 10, sum dy^2 = 6.
    QVERIFY(std::abs(pearson(x, y) - 6 / std::sqrt(60.0)) < 1e-12);
    // Ranks of y with ties averaged: 1, 2.5, 4.5, 2.5, 4.5; sum dx dr = 7, sum dr^2 = 9.
    QCOMPARE(averageRanks(y), (std::vector<double>{1, 2.5, 4.5, 2.5, 4.5}));
    QVERIFY(std::abs(spearman(x, y) - 7 / std::sqrt(90.0)) < 1e-12);
    QCOMPARE(averageRanks({3, 1, 3, 2, 3}), (std::vector<double>{4, 1, 4, 2, 4}));
    // Monotone but not linear: Spearman 1, Pearson below 1.
    const std::vector<double> cube = {1, 8, 27, 64, 125};
    QVERIFY(std::abs(spearman(x, cube) - 1) < 1e-12);
    QVERIFY(pearson(x, cube) < 0.99);
    QVERIFY(std::abs(pearson(x, {5, 4, 3, 2, 1}) + 1) < 1e-12);
    QVERIFY(std::isnan(pearson({1, 2, 3}, {2, 2, 2})));
    QVERIFY(std::isnan(spearman({1}, {2})));
    QVERIFY(errorOf([] { pearson({1, 2}, {1}); }).find("differ in size") != std::string::npos);
}

void TestRewardTrainer::aspectMetricsByHand()
{
    const at::Tensor p = at::tensor({0.1, 0.5, 0.2, 0.5, 0.4, 0.9, 0.8, 0.1}, at::kDouble).view({4, 2});
    const at::Tensor t = at::tensor({0.0, 9.0, 0.4, 9.0, 0.4, 9.0, 1.0, 9.0}, at::kDouble).view({4, 2});
    const at::Tensor m = at::tensor({1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0}, at::kDouble).view({4, 2});
    const auto metrics = aspectMetrics(p, t, m);
    QCOMPARE(metrics.size(), 2u);
    QCOMPARE(metrics[0].count, 4);
    // Errors 0.1, -0.2, 0, -0.2: squares sum to 0.09.
    QVERIFY(std::abs(metrics[0].rmse - std::sqrt(0.09 / 4)) < 1e-9);
    QVERIFY(std::abs(metrics[0].pearson - pearson({0.1, 0.2, 0.4, 0.8}, {0.0, 0.4, 0.4, 1.0})) < 1e-12);
    // Targets tied (0.4, 0.4): ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4.
    QVERIFY(std::abs(metrics[0].spearman - 4.5 / std::sqrt(5.0 * 4.5)) < 1e-9);
    QCOMPARE(metrics[1].count, 0);
    QVERIFY(std::isnan(metrics[1].rmse) && std::isnan(metrics[1].pearson));
}

void TestRewardTrainer::learnsSyntheticTask()
{
    const std::vector<RewardExample> train = synthetic(160, 7, 0.25);
    const std::vector<RewardExample> test = synthetic(80, 8, 0.0);
    // The predict-the-mean baseline: each aspect's mean over the labelled training targets.
    double baseline[2], mean[2] = {0, 0}, count[2] = {0, 0};
    for (const auto &e : train)
        for (int k = 0; k < 2; ++k)
            if (e.targets[k]) {
                mean[k] += *e.targets[k];
                count[k] += 1;
            }
    for (int k = 0; k < 2; ++k) {
        mean[k] /= count[k];
        double sq = 0;
        for (const auto &e : test)
            sq += (*e.targets[k] - mean[k]) * (*e.targets[k] - mean[k]);
        baseline[k] = std::sqrt(sq / static_cast<double>(test.size()));
    }

    const auto model = makeModel(3);
    RewardTrainOptions o;
    o.learningRate = 3e-3;
    o.headLearningRate = 1e-2;
    o.epochs = 12;
    o.batchSize = 16;
    o.maxLength = 64;
    o.validationFraction = 0.15;
    o.patience = 3;
    o.seed = 5;
    std::int64_t calls = 0;
    const RewardTrainReport r = trainRewardModel(*model, train, o, [&](std::int64_t, std::int64_t, std::int64_t, double) { ++calls; });
    const auto metrics = evaluateRewardModel(*model, test, 32, 64);
    qDebug("synthetic task: %zu epochs in %.1f s, best %lld; test RMSE %.3f / %.3f vs baseline %.3f / %.3f; "
           "pearson %.2f / %.2f",
           r.trainLoss.size(), r.seconds, static_cast<long long>(r.bestEpoch), metrics[0].rmse, metrics[1].rmse,
           baseline[0], baseline[1], metrics[0].pearson, metrics[1].pearson);
    QCOMPARE(r.validationExamples, 24);   // round(0.15 * 160)
    QCOMPARE(r.trainExamples, 136);
    QCOMPARE(calls, static_cast<std::int64_t>(r.trainLoss.size()) * 9);   // ceil(136 / 16) batches per epoch
    for (int k = 0; k < 2; ++k) {
        QCOMPARE(metrics[k].count, 80);
        QVERIFY2(metrics[k].rmse < 0.5 * baseline[k], ("aspect " + std::to_string(k)).c_str());
    }
    QVERIFY(r.trainLoss.back() < r.trainLoss.front());
    // The info save() will write.
    std::int64_t labels = 0;
    for (const auto &e : train)
        labels += (e.targets[0] ? 1 : 0) + (e.targets[1] ? 1 : 0);
    QCOMPARE(model->info().labelCount, labels);
    QCOMPARE(model->info().backboneKind, std::string("full"));
    QCOMPARE(model->info().metrics.size(), 2u);
    QCOMPARE(model->info().trainingOptions["epochs"].get<int>(), 12);
    QVERIFY(model->backbone().trainableParameters().empty());   // base frozen again for inference
}

void TestRewardTrainer::earlyStoppingRestoresBestEpoch()
{
    // Targets are noise around 0.8, unrelated to the text: the first epochs learn the mean (validation
    // loss falls from the initial 0.5 prediction), then a large learning rate memorises the noise.
    std::mt19937_64 rng(11);
    std::vector<RewardExample> examples = synthetic(40, 12, 0.0);
    for (auto &e : examples)
        for (auto &t : e.targets)
            t = 0.8 + 0.4 * (static_cast<double>(rng() % 1000) / 1000.0 - 0.5);
    const auto model = makeModel(13);
    RewardTrainOptions o;
    o.learningRate = 1e-2;
    o.headLearningRate = 3e-2;
    o.epochs = 40;
    o.batchSize = 4;
    o.maxLength = 64;
    o.validationFraction = 0.25;
    o.patience = 2;
    o.seed = 3;
    const RewardTrainReport r = trainRewardModel(*model, examples, o);
    qDebug("early stopping: initial %.4f, validation losses %s, best %lld", r.initialValidationLoss,
           [&] {
               std::string s;
               for (double v : r.validationLoss)
                   s += std::to_string(v) + " ";
               return s;
           }().c_str(),
           static_cast<long long>(r.bestEpoch));
    QVERIFY2(static_cast<std::int64_t>(r.trainLoss.size()) < o.epochs, "early stopping did not trigger");
    QCOMPARE(static_cast<std::int64_t>(r.trainLoss.size()), r.bestEpoch + o.patience);
    QVERIFY(r.bestEpoch >= 1);
    const double best = *std::min_element(r.validationLoss.begin(), r.validationLoss.end());
    QCOMPARE(r.validationLoss[static_cast<std::size_t>(r.bestEpoch - 1)], best);
    QVERIFY(best < r.initialValidationLoss);
    QVERIFY(r.validationLoss.back() > best);
    // The model ends with the best epoch's weights: its validation loss, recomputed here, is the best one.
    QCOMPARE(r.validationIndices.size(), 10u);
    const double now = lossOf(*model, examples, r.validationIndices, 64);
    QVERIFY2(std::abs(now - best) < 1e-5, (std::to_string(now) + " vs " + std::to_string(best)).c_str());
}

void TestRewardTrainer::cancellationKeepsInitialWeights()
{
    const auto model = makeModel(17);
    const at::Tensor w0 = cloneOf(model->headState()[0].second);
    const at::Tensor e0 = cloneOf(model->backbone().stateDict()[0].second);
    RewardTrainOptions o;
    o.batchSize = 8;
    o.maxLength = 64;
    o.learningRate = 1e-2;
    int polls = 0, steps = 0;
    const RewardTrainReport r = trainRewardModel(
        *model, synthetic(64, 18, 0.0), o, [&](std::int64_t, std::int64_t, std::int64_t, double) { ++steps; },
        [&] { return ++polls > 3; });
    QVERIFY(r.cancelled);
    QCOMPARE(steps, 3);
    QCOMPARE(polls, 4);
    QVERIFY(r.trainLoss.empty());
    QCOMPARE(r.bestEpoch, 0);
    // Three steps were taken, then undone: nothing beat the initial weights yet.
    QVERIFY(at::equal(model->headState()[0].second, w0));
    QVERIFY(at::equal(model->backbone().stateDict()[0].second, e0));
}

void TestRewardTrainer::cancellationKeepsBestEpochSoFar()
{
    const auto model = makeModel(19);
    RewardTrainOptions o;
    o.batchSize = 8;
    o.maxLength = 64;
    o.learningRate = 3e-3;
    o.headLearningRate = 1e-2;
    o.validationFraction = 0.2;
    o.seed = 1;
    at::Tensor afterEpoch1;
    std::int64_t epochSeen = 0;
    const RewardTrainReport r = trainRewardModel(
        *model, synthetic(80, 20, 0.0), o,
        [&](std::int64_t epoch, std::int64_t batch, std::int64_t batches, double) {
            epochSeen = epoch;
            if (epoch == 1 && batch == batches - 1)
                afterEpoch1 = cloneOf(model->headState()[0].second);
        },
        [&] { return epochSeen == 2; });   // stops after the first batch of epoch 2
    QVERIFY(r.cancelled);
    QCOMPARE(r.trainLoss.size(), 1u);
    QCOMPARE(r.validationLoss.size(), 1u);
    QVERIFY(r.validationLoss[0] < r.initialValidationLoss);
    QCOMPARE(r.bestEpoch, 1);
    QVERIFY(at::equal(model->headState()[0].second, afterEpoch1));
}

void TestRewardTrainer::frozenAndLoraModes()
{
    const std::vector<RewardExample> examples = synthetic(48, 21, 0.2);
    RewardTrainOptions o;
    o.batchSize = 8;
    o.maxLength = 64;
    o.epochs = 3;
    o.headLearningRate = 3e-2;
    o.validationFraction = 0.25;
    o.patience = 0;

    auto frozen = makeModel(22);
    const NamedTensors before = frozen->backbone().stateDict();
    std::vector<at::Tensor> copies;
    for (const auto &[n, t] : before)
        copies.push_back(cloneOf(t));
    const at::Tensor head0 = cloneOf(frozen->headState()[0].second);
    o.backboneMode = "frozen";
    RewardTrainReport r = trainRewardModel(*frozen, examples, o);
    QCOMPARE(r.trainLoss.size(), 3u);
    QVERIFY(r.validationLoss[static_cast<std::size_t>(r.bestEpoch - 1)] < r.initialValidationLoss);
    const NamedTensors after = frozen->backbone().stateDict();
    for (std::size_t i = 0; i < after.size(); ++i)
        QVERIFY2(at::equal(after[i].second, copies[i]), after[i].first.c_str());
    QVERIFY(!at::equal(frozen->headState()[0].second, head0));
    QCOMPARE(frozen->info().backboneKind, std::string("frozen"));

    auto lora = makeModel(23);
    const at::Tensor embed0 = cloneOf(lora->backbone().stateDict()[0].second);
    o.backboneMode = "lora";
    o.learningRate = 1e-2;
    o.lora.r = 2;
    o.lora.dropout = 0;
    r = trainRewardModel(*lora, examples, o);
    QVERIFY(lora->backbone().hasLora());
    QVERIFY(at::equal(lora->backbone().stateDict()[0].second, embed0));
    double bNorm = 0;
    for (const auto &[name, t] : lora->backbone().loraStateDict())
        if (name.find("lora_B") != std::string::npos)
            bNorm += t.abs().sum().item<double>();
    QVERIFY(bNorm > 0);   // adapters trained (B starts at zero)
    QVERIFY(r.validationLoss[static_cast<std::size_t>(r.bestEpoch - 1)] < r.initialValidationLoss);
}

void TestRewardTrainer::validationSplitIsDeterministic()
{
    std::vector<RewardExample> examples = synthetic(41, 30, 0.0);
    examples[3].targets = {std::nullopt, std::nullopt};   // never trained on, never validated on
    RewardTrainOptions o;
    o.backboneMode = "frozen";
    o.epochs = 1;
    o.maxLength = 32;
    o.validationFraction = 0.25;
    o.seed = 9;
    const auto model = makeModel(31);
    const auto a = trainRewardModel(*model, examples, o).validationIndices;
    const auto b = trainRewardModel(*model, examples, o).validationIndices;
    o.seed = 10;
    const auto c = trainRewardModel(*model, examples, o).validationIndices;
    QCOMPARE(a.size(), 10u);   // round(0.25 * 40 labelled)
    QCOMPARE(a, b);
    QVERIFY(a != c);
    QVERIFY(std::find(a.begin(), a.end(), 3u) == a.end());
    QVERIFY(std::find(c.begin(), c.end(), 3u) == c.end());
    QVERIFY(std::is_sorted(a.begin(), a.end()));

    o.validationFraction = 0;
    const auto none = trainRewardModel(*model, examples, o);
    QVERIFY(none.validationIndices.empty() && none.validationLoss.empty() && none.validation.empty());
    QCOMPARE(none.trainExamples, 40);
    QCOMPARE(none.bestEpoch, 1);
}

void TestRewardTrainer::badInput()
{
    const auto model = makeModel(40);
    std::vector<RewardExample> examples = synthetic(4, 41, 0.0);
    RewardTrainOptions o;
    o.maxLength = 32;
    examples[2].targets.pop_back();
    std::string e = errorOf([&] { trainRewardModel(*model, examples, o); });
    QVERIFY2(e.find("example 2 has 1 targets but the schema has 2 aspects") != std::string::npos, e.c_str());
    examples = synthetic(4, 41, 0.0);
    examples[1].targets[1] = std::nan("");
    e = errorOf([&] { trainRewardModel(*model, examples, o); });
    QVERIFY2(e.find("example 1 has a non-finite target for aspect \"length\"") != std::string::npos, e.c_str());
    examples = synthetic(4, 41, 0.0);
    o.backboneMode = "half";
    e = errorOf([&] { trainRewardModel(*model, examples, o); });
    QVERIFY2(e.find("backboneMode") != std::string::npos, e.c_str());
    o.backboneMode = "full";
    for (auto &x : examples)
        x.targets = {std::nullopt, std::nullopt};
    e = errorOf([&] { trainRewardModel(*model, examples, o); });
    QVERIFY2(e.find("none of the 4 examples has a label") != std::string::npos, e.c_str());
}

QTEST_GUILESS_MAIN(TestRewardTrainer)
#include "tst_reward_trainer.moc"
