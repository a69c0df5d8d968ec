// Group-relative advantages against values worked out by hand from TRL's
// formulas: both multi_objective_aggregation modes, the three scale_rewards,
// frac_reward_zero_std, G = 1, and bad input.
#include "train/advantages.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <vector>

using namespace awb;

namespace {

constexpr double kEps = 1e-4;   // TRL's std epsilon

at::Tensor scoresOf(const std::vector<std::vector<double>> &rows)
{
    std::vector<double> flat;
    for (const auto &row : rows)
        flat.insert(flat.end(), row.begin(), row.end());
    return at::tensor(flat, at::kDouble).view({static_cast<std::int64_t>(rows.size()), -1});
}

void expectValues(const at::Tensor &got, const std::vector<double> &expected, double tol = 1e-12)
{
    QCOMPARE(got.dim(), 1);
    QCOMPARE(got.size(0), static_cast<std::int64_t>(expected.size()));
    const at::Tensor cpu = got.cpu().to(at::kDouble);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const double v = cpu[static_cast<std::int64_t>(i)].item<double>();
        QVERIFY2(std::abs(v - expected[i]) <= tol,
                 qPrintable(QString("element %1: got %2, expected %3").arg(i).arg(v, 0, 'g', 17).arg(expected[i], 0, 'g', 17)));
    }
}

// Two prompts, G = 3, aspects weighted [1, 0.5].
//   prompt 0: [1, 0], [0, 2], [0.5, 1] -> rewards 1, 1, 1: a zero-std group
//   prompt 1: [1, 2], [0, 0], [0, 2]   -> rewards 2, 0, 1: mean 1, sample std sqrt((1 + 1 + 0) / 2) = 1
at::Tensor mixedScores()
{
    return scoresOf({{1, 0}, {0, 2}, {0.5, 1}, {1, 2}, {0, 0}, {0, 2}});
}
const std::vector<double> kMixedWeights = {1.0, 0.5};

} // namespace

class TestAdvantages : public QObject
{
    Q_OBJECT

private slots:
    void sumThenNormalizeGroup();
    void sumThenNormalizeBatch();
    void sumThenNormalizeNone();
    void normalizeThenSum();
    void normalizeThenSumZeroGroupIgnoresScale();
    void aggregationsDiffer();
    void singleGeneration();
    void floatScoresOnTheirDevice();
    void names();
    void badInput();
};

void TestAdvantages::sumThenNormalizeGroup()
{
    const AdvantageResult r =
        computeAdvantages(mixedScores(), kMixedWeights, 3, Aggregation::SumThenNormalize, ScaleRewards::Group);
    expectValues(r.rewards, {1, 1, 1, 2, 0, 1});
    expectValues(r.aggregated, {1, 1, 1, 2, 0, 1});
    // prompt 0: (1 - 1) / (0 + 1e-4) = 0; prompt 1: (r - 1) / (1 + 1e-4).
    const double a = 1.0 / (1.0 + kEps);
    expectValues(r.advantages, {0, 0, 0, a, -a, 0});
    QCOMPARE(r.zeroStdGroup, (std::vector<bool>{true, false}));
    QCOMPARE(r.fracZeroStd, 0.5);
    QCOMPARE(r.trlFracRewardZeroStd, 0.5);   // 3 of 6 completions have a zero group std
}

void TestAdvantages::sumThenNormalizeBatch()
{
    const AdvantageResult r =
        computeAdvantages(mixedScores(), kMixedWeights, 3, Aggregation::SumThenNormalize, ScaleRewards::Batch);
    // Still centred on the group mean, but divided by the batch std:
    // rewards 1 1 1 2 0 1 have mean 1, squared deviations 0 0 0 1 1 0, sample variance 2/5.
    const double a = 1.0 / (std::sqrt(0.4) + kEps);
    expectValues(r.advantages, {0, 0, 0, a, -a, 0});
    QCOMPARE(r.zeroStdGroup, (std::vector<bool>{true, false}));
    QCOMPARE(r.fracZeroStd, 0.5);
    QCOMPARE(r.trlFracRewardZeroStd, 0.0);   // TRL looks at the one batch std, which is not 0
}

void TestAdvantages::sumThenNormalizeNone()
{
    const AdvantageResult r =
        computeAdvantages(mixedScores(), kMixedWeights, 3, Aggregation::SumThenNormalize, ScaleRewards::None);
    expectValues(r.advantages, {0, 0, 0, 1, -1, 0});   // r - group mean, unscaled
    QCOMPARE(r.fracZeroStd, 0.5);
    QCOMPARE(r.trlFracRewardZeroStd, 0.5);   // "none" still logs the group std
}

void TestAdvantages::normalizeThenSum()
{
    // weights [1, 2]; c = 1 / (1 + 1e-4).
    //   prompt 0: aspect 0 = 0 1 2 (mean 1, std 1) -> z = -c 0 c; aspect 1 = 5 5 5 -> z = 0 0 0
    //             aggregated = -c, 0, c
    //   prompt 1: aspect 0 = 3 3 3 -> 0; aspect 1 = 2 1 0 -> z = c 0 -c; aggregated = 2c, 0, -2c
    // Batch: mean 0, sample variance (c^2 + c^2 + 4c^2 + 4c^2) / 5 = 2c^2, std sqrt(2) c.
    const at::Tensor scores = scoresOf({{0, 5}, {1, 5}, {2, 5}, {3, 2}, {3, 1}, {3, 0}});
    const AdvantageResult r =
        computeAdvantages(scores, {1.0, 2.0}, 3, Aggregation::NormalizeThenSum, ScaleRewards::Group);
    const double c = 1.0 / (1.0 + kEps);
    expectValues(r.rewards, {10, 11, 12, 7, 5, 3});   // 1*a0 + 2*a1 of the raw scores
    expectValues(r.aggregated, {-c, 0, c, 2 * c, 0, -2 * c});
    const double d = std::sqrt(2.0) * c + kEps;
    expectValues(r.advantages, {-c / d, 0, c / d, 2 * c / d, 0, -2 * c / d});
    QCOMPARE(r.zeroStdGroup, (std::vector<bool>{false, false}));
    QCOMPARE(r.fracZeroStd, 0.0);
    QCOMPARE(r.trlFracRewardZeroStd, 0.0);
}

void TestAdvantages::normalizeThenSumZeroGroupIgnoresScale()
{
    // prompt 1 is constant in both aspects: every z is 0/(0 + 1e-4) = 0, so its
    // aggregated rewards are 0 and, the batch mean being 0, so are its advantages.
    // Batch of -c 0 c 0 0 0: mean 0, sample variance 2c^2 / 5.
    const at::Tensor scores = scoresOf({{0, 5}, {1, 5}, {2, 5}, {3, 1}, {3, 1}, {3, 1}});
    const double c = 1.0 / (1.0 + kEps);
    const double d = c * std::sqrt(0.4) + kEps;
    for (ScaleRewards scale : {ScaleRewards::Group, ScaleRewards::Batch, ScaleRewards::None}) {
        const AdvantageResult r = computeAdvantages(scores, {1.0, 2.0}, 3, Aggregation::NormalizeThenSum, scale);
        expectValues(r.advantages, {-c / d, 0, c / d, 0, 0, 0});
        QCOMPARE(r.zeroStdGroup, (std::vector<bool>{false, true}));
        QCOMPARE(r.fracZeroStd, 0.5);
        QCOMPARE(r.trlFracRewardZeroStd, 0.0);
    }
}

void TestAdvantages::aggregationsDiffer()
{
    // Two aspects that trade off exactly: the weighted sum is constant (sum_then_normalize
    // sees nothing to learn), but normalize_then_sum puts both aspects on one scale first,
    // so the aspect with the larger weight wins.
    //   aspect 0: 0 1 2 (mean 1, std 1), aspect 1: 4 2 0 (mean 2, std 2); weights 1, 0.5 -> sums 2 2 2.
    //   z0 = (-1, 0, 1) / (1 + 1e-4) = -c 0 c;  z1 = (2, 0, -2) / (2 + 1e-4) = e 0 -e
    //   aggregated = z0 + 0.5 z1 = -g 0 g with g = c - e/2 (about 0.49993).
    const at::Tensor scores = scoresOf({{0, 4}, {1, 2}, {2, 0}});
    const AdvantageResult sum =
        computeAdvantages(scores, {1.0, 0.5}, 3, Aggregation::SumThenNormalize, ScaleRewards::Group);
    expectValues(sum.advantages, {0, 0, 0});
    QCOMPARE(sum.fracZeroStd, 1.0);
    const AdvantageResult norm =
        computeAdvantages(scores, {1.0, 0.5}, 3, Aggregation::NormalizeThenSum, ScaleRewards::Group);
    const double c = 1.0 / (1.0 + kEps);
    const double e = 2.0 / (2.0 + kEps);
    const double g = c - 0.5 * e;
    expectValues(norm.aggregated, {-g, 0, g});
    // Batch of -g 0 g: sample std g, advantages -g/(g + 1e-4), 0, g/(g + 1e-4).
    expectValues(norm.advantages, {-g / (g + kEps), 0, g / (g + kEps)});
}

void TestAdvantages::singleGeneration()
{
    // G = 1: TRL takes the group std as 0, so a lone completion's advantage is 0.
    const at::Tensor scores = scoresOf({{0.2, 0.4}, {0.9, 0.1}});
    const AdvantageResult r =
        computeAdvantages(scores, {1.0, 1.0}, 1, Aggregation::SumThenNormalize, ScaleRewards::Group);
    expectValues(r.advantages, {0, 0});
    QCOMPARE(r.fracZeroStd, 1.0);
    QCOMPARE(r.trlFracRewardZeroStd, 1.0);
    // Batch scaling still centres on the (single-member) group: 0 again.
    const AdvantageResult b =
        computeAdvantages(scores, {1.0, 1.0}, 1, Aggregation::SumThenNormalize, ScaleRewards::Batch);
    expectValues(b.advantages, {0, 0});
}

void TestAdvantages::floatScoresOnTheirDevice()
{
    // The reward model hands over float32; the result is float64 on the same device.
    const at::Tensor scores = mixedScores().to(at::kFloat);
    const AdvantageResult r =
        computeAdvantages(scores, kMixedWeights, 3, Aggregation::SumThenNormalize, ScaleRewards::Group);
    QCOMPARE(r.advantages.scalar_type(), at::kDouble);
    QCOMPARE(r.advantages.device(), scores.device());
    const double a = 1.0 / (1.0 + kEps);
    expectValues(r.advantages, {0, 0, 0, a, -a, 0});
}

void TestAdvantages::names()
{
    QCOMPARE(parseAggregation("sum_then_normalize"), Aggregation::SumThenNormalize);
    QCOMPARE(parseAggregation("normalize_then_sum"), Aggregation::NormalizeThenSum);
    QCOMPARE(std::string(aggregationName(Aggregation::NormalizeThenSum)), std::string("normalize_then_sum"));
    for (ScaleRewards s : {ScaleRewards::Group, ScaleRewards::Batch, ScaleRewards::None})
        QCOMPARE(parseScaleRewards(scaleRewardsName(s)), s);
    // GRPOConfig's legacy booleans.
    QCOMPARE(parseScaleRewards("true"), ScaleRewards::Group);
    QCOMPARE(parseScaleRewards("false"), ScaleRewards::None);
}

void TestAdvantages::badInput()
{
    const auto message = [](auto &&call) -> std::string {
        try {
            call();
        } catch (const Error &e) {
            return e.what();
        }
        return {};
    };
    std::string m = message([] { parseAggregation("mean"); });
    QVERIFY(m.find("multi_objective_aggregation") != std::string::npos && m.find("'mean'") != std::string::npos);
    m = message([] { parseScaleRewards("std"); });
    QVERIFY(m.find("scale_rewards") != std::string::npos && m.find("'std'") != std::string::npos);

    m = message([] { computeAdvantages(mixedScores(), {1.0}, 3, Aggregation::SumThenNormalize, ScaleRewards::Group); });
    QVERIFY2(m.find("1 aspect weights for 2 score columns") != std::string::npos, m.c_str());
    m = message([] { computeAdvantages(mixedScores(), kMixedWeights, 4, Aggregation::SumThenNormalize, ScaleRewards::Group); });
    QVERIFY2(m.find("num_generations 4") != std::string::npos, m.c_str());
    m = message([] { computeAdvantages(mixedScores(), kMixedWeights, 0, Aggregation::SumThenNormalize, ScaleRewards::Group); });
    QVERIFY2(m.find("at least 1") != std::string::npos, m.c_str());
    at::Tensor nan = mixedScores();
    nan[4][1] = std::nan("");
    m = message([&] { computeAdvantages(nan, kMixedWeights, 3, Aggregation::SumThenNormalize, ScaleRewards::Group); });
    QVERIFY2(m.find("completion 4") != std::string::npos, m.c_str());
    m = message([] { computeAdvantages(at::zeros({6}), kMixedWeights, 3, Aggregation::SumThenNormalize, ScaleRewards::Group); });
    QVERIFY2(m.find("[N, K]") != std::string::npos, m.c_str());
}

QTEST_GUILESS_MAIN(TestAdvantages)
#include "tst_advantages.moc"
