// The algorithm tables of the training skeleton against values worked out by
// hand from TRL's trainers: the RLOO leave-one-out baseline (with the KL
// penalty in the reward and normalize_advantages) and its sequence-level
// clipped loss (gradient against finite differences too); PPO's per-token
// rewards with both KL estimators, GAE and returns, whitening, and the
// clipped value loss; and the name -> function tables' errors.
#include "train/algorithms.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include "error_of.h"

#include <cmath>
#include <string>
#include <vector>

using namespace awb;
using awb::test::errorOf;

namespace {

const auto kDouble = at::TensorOptions().dtype(at::kDouble);

at::Tensor vec(const std::vector<double> &v) { return at::tensor(v, kDouble); }

at::Tensor matrix(const std::vector<std::vector<double>> &rows)
{
    std::vector<double> flat;
    for (const auto &row : rows)
        flat.insert(flat.end(), row.begin(), row.end());
    return at::tensor(flat, kDouble).view({static_cast<std::int64_t>(rows.size()), -1});
}

std::vector<double> values(const at::Tensor &t)
{
    const at::Tensor c = t.to(at::kDouble).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}


} // namespace

Q_DECLARE_METATYPE(std::vector<double>)

class TestAlgorithms : public QObject
{
    Q_OBJECT

private slots:
    // Two groups of G = 3 with two aspects weighted (1, 2):
    //   group 0 scores (1,0) (0,1) (2,2) -> r = 1, 2, 6; sum 9
    //     baselines (9-1)/2 = 4, (9-2)/2 = 3.5, (9-6)/2 = 1.5 -> A = -3, -1.5, 4.5
    //   group 1 scores (1,1) (1,1) (0,0) -> r = 3, 3, 0; sum 6
    //     baselines 1.5, 1.5, 3 -> A = 1.5, 1.5, -3
    // With sequence KL (1, 0, -1, 0, 0, 2) and beta 0.5: r = 0.5, 2, 6.5 | 3, 3, -1
    //   group 0 sum 9: baselines 4.25, 3.5, 1.25 -> A = -3.75, -1.5, 5.25
    //   group 1 sum 5: baselines 1, 1, 3 -> A = 2, 2, -4
    // normalize_advantages on the first case: mean 0, unbiased std sqrt((9+2.25+20.25+2.25+2.25+9)/5) = 3.
    void leaveOneOut_data()
    {
        QTest::addColumn<std::vector<double>>("kl");
        QTest::addColumn<double>("beta");
        QTest::addColumn<bool>("normalize");
        QTest::addColumn<std::vector<double>>("expected");
        QTest::newRow("plain") << std::vector<double>{} << 0.0 << false
                               << std::vector<double>{-3, -1.5, 4.5, 1.5, 1.5, -3};
        QTest::newRow("kl in reward") << std::vector<double>{1, 0, -1, 0, 0, 2} << 0.5 << false
                                      << std::vector<double>{-3.75, -1.5, 5.25, 2, 2, -4};
        QTest::newRow("kl ignored at beta 0") << std::vector<double>{1, 0, -1, 0, 0, 2} << 0.0 << false
                                              << std::vector<double>{-3, -1.5, 4.5, 1.5, 1.5, -3};
        const double s = 3.0 + 1e-4;
        QTest::newRow("normalized") << std::vector<double>{} << 0.0 << true
                                    << std::vector<double>{-3 / s, -1.5 / s, 4.5 / s, 1.5 / s, 1.5 / s, -3 / s};
    }
    void leaveOneOut()
    {
        QFETCH(std::vector<double>, kl);
        QFETCH(double, beta);
        QFETCH(bool, normalize);
        QFETCH(std::vector<double>, expected);
        AdvantageInputs in;
        in.scores = matrix({{1, 0}, {0, 1}, {2, 2}, {1, 1}, {1, 1}, {0, 0}});
        in.weights = {1, 2};
        in.G = 3;
        if (!kl.empty())
            in.sequenceKl = vec(kl);
        in.klCoef = beta;
        in.normalize = normalize;
        const AdvantageResult r = advantageEstimator("rloo")(in);
        const auto got = values(r.advantages);
        QCOMPARE(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i)
            QVERIFY2(std::abs(got[i] - expected[i]) < 1e-12, qPrintable(QString("row %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
        // The plotted reward is the weighted score, without the KL penalty.
        const auto rewards = values(r.rewards);
        const std::vector<double> weighted{1, 2, 6, 3, 3, 0};
        for (std::size_t i = 0; i < rewards.size(); ++i)
            QCOMPARE(rewards[i], weighted[i]);
        // Neither group is constant.
        QCOMPARE(r.fracZeroStd, 0.0);
    }

    void leaveOneOutFlagsConstantGroups()
    {
        AdvantageInputs in;
        in.scores = matrix({{1}, {1}, {0}, {2}});
        in.weights = {1};
        in.G = 2;
        const AdvantageResult r = leaveOneOutAdvantages(in);
        QCOMPARE(r.zeroStdGroup, (std::vector<bool>{true, false}));
        QCOMPARE(r.fracZeroStd, 0.5);
        QCOMPARE(values(r.advantages), (std::vector<double>{0, 0, -2, 2}));
    }

    void leaveOneOutNeedsTwoCompletions()
    {
        AdvantageInputs in;
        in.scores = matrix({{1}, {2}});
        in.weights = {1};
        in.G = 1;
        QVERIFY(errorOf([&] { leaveOneOutAdvantages(in); }).find("num_generations must be at least 2") != std::string::npos);
    }

    // N = 2, T = 2. Row 0 (A = +1): logps (-1, -2), old (-1.1, -2) -> ratio exp(0.1) = 1.10517,
    // clipped at 1.05 (epsilon 0.05): -min(1.10517, 1.05) = -1.05, no gradient (clipped).
    // Row 1 (A = -1): logps (-0.5, [masked]), old (-0.5, [masked]) -> ratio 1: -min(-1, -1) = 1;
    // d loss / d logp(1,0) = -A * ratio / N = 0.5. Loss (-1.05 + 1) / 2 = -0.025.
    void sequenceClippedLossByHand()
    {
        GrpoLossInputs in;
        in.logps = matrix({{-1, -2}, {-0.5, -0.5}}).requires_grad_(true);
        in.oldLogps = matrix({{-1.1, -2}, {-0.5, -3}});
        in.mask = matrix({{1, 1}, {1, 0}});
        in.advantages = vec({1, -1});
        GrpoLossOptions o;
        o.epsilonLow = o.epsilonHigh = 0.05;
        const GrpoLossOutput out = policyLoss("rloo")(in, o);
        QVERIFY(std::abs(out.loss.item<double>() - (-0.025)) < 1e-12);
        out.loss.backward();
        const auto g = values(in.logps.grad());
        QCOMPARE(g, (std::vector<double>{0, 0, 0.5, 0}));
        QCOMPARE(out.clipRatioHigh, 0.5);
        QCOMPARE(out.clipRatioLow, 0.0);
        QCOMPARE(out.clipRatioRegion, 0.5);
        // gradient_accumulation_steps divides the loss.
        o.gradientAccumulationSteps = 4;
        QVERIFY(std::abs(policyLoss("rloo")(in, o).loss.item<double>() - (-0.025 / 4)) < 1e-12);
    }

    void sequenceClippedLossGradientMatchesFiniteDifferences()
    {
        at::manual_seed(3);
        GrpoLossInputs in;
        in.logps = (at::randn({3, 4}, kDouble) * 0.1 - 1).requires_grad_(true);
        in.oldLogps = in.logps.detach() + at::randn({3, 4}, kDouble) * 0.02;
        in.mask = matrix({{1, 1, 1, 0}, {1, 1, 0, 0}, {1, 1, 1, 1}});
        in.advantages = vec({0.7, -1.2, 0.4});
        GrpoLossOptions o;
        o.epsilonLow = o.epsilonHigh = 0.5;   // nothing clipped: the loss is smooth here
        policyLoss("rloo")(in, o).loss.backward();
        const auto analytic = values(in.logps.grad());
        const double h = 1e-6;
        for (std::int64_t k = 0; k < 12; ++k) {
            GrpoLossInputs p = in, m = in;
            p.logps = in.logps.detach().clone();
            m.logps = in.logps.detach().clone();
            p.logps.view({-1})[k] += h;
            m.logps.view({-1})[k] -= h;
            const double fd = (sequenceClippedLoss(p, o).loss.item<double>() - sequenceClippedLoss(m, o).loss.item<double>()) / (2 * h);
            QVERIFY2(std::abs(fd - analytic[static_cast<std::size_t>(k)]) < 1e-7, qPrintable(QString("element %1").arg(k)));
        }
    }

    void sequenceKlSumsTheMaskedTokens()
    {
        const at::Tensor kl = sequenceKl(matrix({{-1, -2, -3}, {-0.5, -0.5, -9}}), matrix({{-1.5, -1, -1}, {-1, -1, 0}}),
                                         matrix({{1, 1, 0}, {1, 1, 0}}));
        QCOMPARE(values(kl), (std::vector<double>{0.5 - 1, 0.5 + 0.5}));
    }

    void tablesNameTheKnownEntries()
    {
        QCOMPARE(advantageEstimatorNames(), (std::vector<std::string>{"gae", "grpo", "rloo"}));
        QCOMPARE(policyLossNames(), (std::vector<std::string>{"grpo", "ppo", "rloo"}));
        QCOMPARE(errorOf([] { advantageEstimator("gea"); }),
                 std::string("advantage estimator: unknown name \"gea\" (known: gae, grpo, rloo)"));
        QCOMPARE(errorOf([] { policyLoss("ppo2"); }),
                 std::string("policy loss: unknown name \"ppo2\" (known: grpo, ppo, rloo)"));
        QCOMPARE(errorOf([] { algorithmSpec("dpo2"); }),
                 std::string("algorithm: unknown name \"dpo2\" (known: dpo, grpo, ppo, rloo)"));
        QVERIFY(algorithmSpec("ppo").valueModel && algorithmSpec("ppo").klInReward);
        QVERIFY(algorithmSpec("rloo").klInReward);
        QVERIFY(!algorithmSpec("grpo").klInReward);
    }

    // PPO's GAE on one completion of three tokens, worked by hand: score 1 (one
    // aspect, weight 1), kl_coef 0.5, old - ref = (0.2, 0, -0.2), values
    // (0.5, 0.4, 0.3), gamma 1, lam 0.5.
    //   k1: KL = (0.2, 0, -0.2); non-score rewards (-0.1, 0, 0.1); the score joins the last token: (-0.1, 0, 1.1)
    //   t=2: delta = 1.1 - 0.3 = 0.8;          A = 0.8
    //   t=1: delta = 0 + 0.3 - 0.4 = -0.1;     A = -0.1 + 0.5 * 0.8 = 0.3
    //   t=0: delta = -0.1 + 0.4 - 0.5 = -0.2;  A = -0.2 + 0.5 * 0.3 = -0.05
    //   returns = A + V = (0.45, 0.7, 1.1); advantages whitened: mean 0.35, unbiased var 0.365 / 2
    // A second completion of one counted token (then padding), without EOS, penalised by 0.25:
    // score 2 - 0.25 = 1.75, V 1: A = 1.75 - 1 = 0.75, return 1.75. Whitening is over all four tokens.
    void gaeByHand()
    {
        AdvantageInputs in;
        in.scores = matrix({{1}, {2}});
        in.weights = {1};
        in.oldLogps = matrix({{-1.0, -2.0, -1.2}, {-0.5, 0, 0}});
        in.refLogps = matrix({{-1.2, -2.0, -1.0}, {-0.5, 0, 0}});
        in.values = matrix({{0.5, 0.4, 0.3}, {1.0, 9, 9}});   // beyond the mask: ignored
        in.mask = matrix({{1, 1, 1}, {1, 0, 0}});
        in.missingEos = {false, true};
        in.klCoef = 0.5;
        in.missingEosPenalty = 0.25;
        in.gamma = 1.0;
        in.lam = 0.5;
        const AdvantageResult r = advantageEstimator("gae")(in);
        const auto returns = values(r.returns);
        const std::vector<double> expectedReturns{0.45, 0.7, 1.1, 1.75, 0, 0};
        for (std::size_t i = 0; i < 6; ++i)
            QVERIFY2(std::abs(returns[i] - expectedReturns[i]) < 1e-12, qPrintable(QString("return %1: %2").arg(i).arg(returns[i])));
        const std::vector<double> raw{-0.05, 0.3, 0.8, 0.75};
        const double mean = (raw[0] + raw[1] + raw[2] + raw[3]) / 4;
        double ss = 0;
        for (double a : raw)
            ss += (a - mean) * (a - mean);
        const double scale = 1 / std::sqrt(ss / 3 + 1e-8);
        const auto adv = values(r.advantages);
        const std::vector<double> expected{(raw[0] - mean) * scale, (raw[1] - mean) * scale, (raw[2] - mean) * scale,
                                           (raw[3] - mean) * scale, 0, 0};
        for (std::size_t i = 0; i < 6; ++i)
            QVERIFY2(std::abs(adv[i] - expected[i]) < 1e-9, qPrintable(QString("advantage %1: %2 vs %3").arg(i).arg(adv[i]).arg(expected[i])));
        // Row sums of -kl_coef * KL: 0 and 0; the views' reward is the weighted score, without the penalty.
        QVERIFY(std::abs(r.nonScoreReward) < 1e-12);
        QCOMPARE(values(r.rewards), (std::vector<double>{1, 2}));
        QCOMPARE(values(r.aggregated), (std::vector<double>{1, 1.75}));
    }

    // k3: logr = ref - old = (-0.2, 0, 0.2): KL = exp(logr) - 1 - logr = (0.0187307531, 0, 0.0214027582),
    // always >= 0 where k1 gives (0.2, 0, -0.2). Sequence KL is the row sum.
    void gaeKlEstimators_data()
    {
        QTest::addColumn<QString>("estimator");
        QTest::addColumn<double>("kl");
        QTest::newRow("k1") << "k1" << 0.0;
        QTest::newRow("k3") << "k3" << (std::exp(-0.2) - 1 + 0.2) + (std::exp(0.2) - 1 - 0.2);
    }
    void gaeKlEstimators()
    {
        QFETCH(QString, estimator);
        QFETCH(double, kl);
        AdvantageInputs in;
        in.scores = matrix({{1}});
        in.weights = {1};
        in.oldLogps = matrix({{-1.0, -2.0, -1.2}});
        in.refLogps = matrix({{-1.2, -2.0, -1.0}});
        in.values = matrix({{0, 0, 0}});
        in.mask = matrix({{1, 1, 1}});
        in.klCoef = 2.0;
        in.lam = 1.0;
        in.klEstimator = estimator.toStdString();
        const AdvantageResult r = gaeAdvantages(in);
        QVERIFY(std::abs(r.sequenceKl - kl) < 1e-12);
        QVERIFY(std::abs(r.nonScoreReward + 2.0 * kl) < 1e-12);
        // With V = 0, gamma 1 and lam 1 the return at t = 0 is the whole reward: score - kl_coef * KL.
        QVERIFY(std::abs(values(r.returns)[0] - (1 - 2.0 * kl)) < 1e-12);
    }

    // whiten_rewards keeps the mean: rewards (-0.1, 0, 1.1) -> mean 1/3 + (r - 1/3) / std.
    void maskedWhitenKeepsTheMeanWhenAsked()
    {
        const at::Tensor r = matrix({{-0.1, 0, 1.1, 7}});
        const at::Tensor m = matrix({{1, 1, 1, 0}});
        const auto w = values(maskedWhiten(r, m, false));
        const double mean = 1.0 / 3, var = ((-0.1 - mean) * (-0.1 - mean) + mean * mean + (1.1 - mean) * (1.1 - mean)) / 2;
        QVERIFY(std::abs(w[0] - (mean + (-0.1 - mean) / std::sqrt(var + 1e-8))) < 1e-12);
        QVERIFY(std::abs(w[2] - (mean + (1.1 - mean) / std::sqrt(var + 1e-8))) < 1e-12);
    }

    // V = (1, 2), old V = (0.5, 2), returns (2, 1), cliprange_value 0.2: clip(V) = (0.7, 2).
    // (V - R)^2 = (1, 1); (clip(V) - R)^2 = (1.69, 1); max (1.69, 1): loss 0.5 * 2.69 / 2 = 0.6725,
    // clip fraction 1/2. The first element's clipped term is constant in V (no gradient); the
    // second's gradient is 0.5 * 2 (V - R) / 2 = 0.5.
    void clippedValueLossByHand()
    {
        const at::Tensor v = vec({1, 2}).view({1, 2}).requires_grad_(true);
        const ValueLossOutput out = clippedValueLoss(v, vec({0.5, 2}).view({1, 2}), vec({2, 1}).view({1, 2}),
                                                     vec({1, 1}).view({1, 2}), 0.2);
        QVERIFY(std::abs(out.loss.item<double>() - 0.6725) < 1e-12);
        QCOMPARE(out.clipFraction, 0.5);
        out.loss.backward();
        const auto g = values(v.grad());
        QVERIFY(std::abs(g[0]) < 1e-12 && std::abs(g[1] - 0.5) < 1e-12);
    }

    // The "grpo" estimator is computeAdvantages itself.
    void groupNormalisedIsTrlGrpo()
    {
        AdvantageInputs in;
        in.scores = matrix({{1}, {3}});
        in.weights = {1};
        in.G = 2;
        const auto got = values(advantageEstimator("grpo")(in).advantages);
        const double s = std::sqrt(2.0) + 1e-4;   // unbiased std of (1, 3)
        QVERIFY(std::abs(got[0] + 1 / s) < 1e-12 && std::abs(got[1] - 1 / s) < 1e-12);
    }
};

QTEST_APPLESS_MAIN(TestAlgorithms)
#include "tst_algorithms.moc"
