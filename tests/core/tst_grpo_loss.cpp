// The GRPO loss (every loss_type), its KL term and clip counters against
// values worked out by hand from TRL's _compute_loss, its gradient against
// finite differences, and the per-token log-prob / entropy helpers against
// hand values and the plain full-tensor formulas.
#include "train/grpo_loss.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <vector>

using namespace awb;

Q_DECLARE_METATYPE(awb::LossType)

namespace {

const auto kDouble = at::TensorOptions().dtype(at::kDouble);

at::Tensor matrix(const std::vector<std::vector<double>> &rows)
{
    std::vector<double> flat;
    for (const auto &row : rows)
        flat.insert(flat.end(), row.begin(), row.end());
    return at::tensor(flat, kDouble).view({static_cast<std::int64_t>(rows.size()), -1});
}

void expectNear(double got, double expected, double tol, const char *what)
{
    QVERIFY2(std::abs(got - expected) <= tol,
             qPrintable(QString("%1: got %2, expected %3").arg(what).arg(got, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

void expectTensorNear(const at::Tensor &got, const at::Tensor &expected, double tol, const char *what)
{
    QCOMPARE(got.sizes().vec(), expected.sizes().vec());
    const double diff = (got.to(at::kDouble) - expected.to(at::kDouble)).abs().max().item<double>();
    QVERIFY2(diff <= tol, qPrintable(QString("%1: max difference %2").arg(what).arg(diff, 0, 'g', 6)));
}

// The hand case: N = 2 completions, T = 3 tokens, advantages [+1, -0.5], the
// third token of row 0 masked out. oldLogps is built so that the policy ratios
// exp(logp - old) are exactly these:
//   row 0 (A = +1):   1.5  0.7  [2.0 masked]
//   row 1 (A = -0.5): 0.7  1.1  1.3
// With epsilon 0.2 (clip to [0.8, 1.2]), per-token loss -min(r A, clip(r) A):
//   row 0: -min(1.5, 1.2) = -1.2;  -min(0.7, 0.8) = -0.7                       sum -1.9
//   row 1: -min(-0.35, -0.4) = 0.4; -min(-0.55, -0.55) = 0.55; -min(-0.65, -0.6) = 0.65   sum 1.6
// Clipped (TRL): low = r < 0.8 with A < 0: row 1 token 0; high = r > 1.2 with A > 0: row 0
// token 0 (token 2 is masked). 5 active tokens.
struct HandCase
{
    at::Tensor logps;
    at::Tensor ratios = matrix({{1.5, 0.7, 2.0}, {0.7, 1.1, 1.3}});
    at::Tensor advantages = at::tensor(std::vector<double>{1.0, -0.5}, kDouble);
    at::Tensor mask = matrix({{1, 1, 0}, {1, 1, 1}});

    HandCase() { logps = matrix({{-1.0, -2.0, -0.5}, {-1.5, -0.7, -3.0}}).requires_grad_(true); }

    GrpoLossInputs inputs() const
    {
        GrpoLossInputs in;
        in.logps = logps;
        in.oldLogps = logps.detach() - at::log(ratios);
        in.advantages = advantages;
        in.mask = mask;
        return in;
    }
};

GrpoLossOptions noKl(LossType type)
{
    GrpoLossOptions o;
    o.lossType = type;
    o.beta = 0.0;
    return o;
}

} // namespace

class TestGrpoLoss : public QObject
{
    Q_OBJECT

private slots:
    void lossTypes_data();
    void lossTypes();
    void handGradient();
    void clipCounters();
    void asymmetricClipping();
    void ratioOneWithoutOldLogps();
    void klIsZeroAgainstItself();
    void klHandCase();
    void gradientMatchesFiniteDifferences_data();
    void gradientMatchesFiniteDifferences();
    void floatInputs();
    void names();
    void badInput();
    void selectiveLogSoftmaxHandValues();
    void selectiveLogSoftmaxMatchesFullSoftmax();
    void selectiveLogSoftmaxHalfPrecision();
    void entropyHandValues();
    void entropyChunked();
};

void TestGrpoLoss::lossTypes_data()
{
    QTest::addColumn<LossType>("type");
    QTest::addColumn<qint64>("gas");
    QTest::addColumn<double>("numItems");
    QTest::addColumn<double>("expected");

    // grpo: mean over rows of each row's token mean: (-1.9/2 + 1.6/3) / 2, then / GAS.
    const double grpo = (-1.9 / 2.0 + 1.6 / 3.0) / 2.0;
    QTest::newRow("grpo") << LossType::Grpo << 1LL << 0.0 << grpo;
    QTest::newRow("grpo gas 2") << LossType::Grpo << 2LL << 0.0 << grpo / 2.0;
    // bnpo: token mean over the micro-batch: (-1.9 + 1.6) / 5, then / GAS.
    QTest::newRow("bnpo") << LossType::Bnpo << 1LL << 0.0 << -0.06;
    QTest::newRow("bnpo gas 4") << LossType::Bnpo << 4LL << 0.0 << -0.015;
    // dr_grpo: token sum / (N * max_completion_length) = -0.3 / (2 * 4), then / GAS.
    QTest::newRow("dr_grpo") << LossType::DrGrpo << 1LL << 0.0 << -0.0375;
    QTest::newRow("dr_grpo gas 2") << LossType::DrGrpo << 2LL << 0.0 << -0.01875;
    // dapo: token sum / num_items_in_batch; GAS plays no part.
    QTest::newRow("dapo generation batch of 10 tokens") << LossType::Dapo << 1LL << 10.0 << -0.03;
    QTest::newRow("dapo ignores gas") << LossType::Dapo << 3LL << 10.0 << -0.03;
    QTest::newRow("dapo default: this mask's 5 tokens") << LossType::Dapo << 1LL << 0.0 << -0.06;
}

void TestGrpoLoss::lossTypes()
{
    QFETCH(LossType, type);
    QFETCH(qint64, gas);
    QFETCH(double, numItems);
    QFETCH(double, expected);
    HandCase c;
    GrpoLossInputs in = c.inputs();
    in.numItemsInBatch = numItems;
    GrpoLossOptions o = noKl(type);
    o.maxCompletionLength = 4;
    o.gradientAccumulationSteps = gas;
    const GrpoLossOutput out = grpoLoss(in, o);
    QCOMPARE(out.loss.dim(), 0);
    QCOMPARE(out.loss.scalar_type(), at::kDouble);
    QVERIFY(out.loss.requires_grad());
    expectNear(out.loss.item<double>(), expected, 1e-12, "loss");
    QCOMPARE(out.kl, 0.0);
}

void TestGrpoLoss::handGradient()
{
    // bnpo, d/d logp of -min(r A, clip(r) A) / 5 with r = exp(logp - old):
    //   where the unclipped term is the minimum, -r A / 5; where the clipped one is, 0.
    //   row 0: clipped (1.5), -0.7 * 1 / 5, masked  -> 0, -0.14, 0
    //   row 1: clipped (0.7), 1.1 * 0.5 / 5, 1.3 * 0.5 / 5 -> 0, 0.11, 0.13
    HandCase c;
    const GrpoLossOutput out = grpoLoss(c.inputs(), noKl(LossType::Bnpo));
    out.loss.backward();
    expectTensorNear(c.logps.grad(), matrix({{0, -0.14, 0}, {0, 0.11, 0.13}}), 1e-12, "d loss / d logps");
}

void TestGrpoLoss::clipCounters()
{
    HandCase c;
    const GrpoLossOutput out = grpoLoss(c.inputs(), noKl(LossType::Dapo));
    // One low-clipped and one high-clipped token of 5 active ones. Row 0 token 1
    // (r 0.7, A > 0) and row 1 token 2 (r 1.3, A < 0) are outside the range too,
    // but on the side where the unclipped objective is the minimum: TRL does not
    // count them.
    expectNear(out.clipRatioLow, 0.2, 1e-15, "clip_ratio/low_mean");
    expectNear(out.clipRatioHigh, 0.2, 1e-15, "clip_ratio/high_mean");
    expectNear(out.clipRatioRegion, 0.4, 1e-15, "clip_ratio/region_mean");
}

void TestGrpoLoss::asymmetricClipping()
{
    HandCase c;
    GrpoLossOptions o = noKl(LossType::Bnpo);
    // epsilon_high 0.28 (DAPO's clip-higher): row 0 token 0 is clipped at 1.28 instead of 1.2.
    // (-1.28 - 0.7 + 0.4 + 0.55 + 0.65) / 5 = -0.38 / 5.
    o.epsilonHigh = 0.28;
    GrpoLossOutput out = grpoLoss(c.inputs(), o);
    expectNear(out.loss.item<double>(), -0.076, 1e-12, "loss, epsilon_high 0.28");
    expectNear(out.clipRatioHigh, 0.2, 1e-15, "high clip, epsilon_high 0.28");
    // epsilon_high 0.6: 1.5 is inside [0.8, 1.6], nothing high-clipped; (-1.5 - 0.7 + 1.6) / 5.
    o.epsilonHigh = 0.6;
    out = grpoLoss(c.inputs(), o);
    expectNear(out.loss.item<double>(), -0.12, 1e-12, "loss, epsilon_high 0.6");
    QCOMPARE(out.clipRatioHigh, 0.0);
    expectNear(out.clipRatioLow, 0.2, 1e-15, "low clip, epsilon_high 0.6");
    expectNear(out.clipRatioRegion, 0.2, 1e-15, "region clip, epsilon_high 0.6");
}

void TestGrpoLoss::ratioOneWithoutOldLogps()
{
    // num_iterations == 1: old = logp.detach(), every ratio is 1, nothing is clipped,
    // and the loss is -A averaged: grpo = (-1 + 0.5) / 2. Its gradient is that of
    // -exp(logp - stop_grad(logp)) A, i.e. -A / (row tokens * rows).
    HandCase c;
    GrpoLossInputs in = c.inputs();
    in.oldLogps = at::Tensor();
    const GrpoLossOutput out = grpoLoss(in, noKl(LossType::Grpo));
    expectNear(out.loss.item<double>(), -0.25, 1e-15, "loss");
    QCOMPARE(out.clipRatioLow, 0.0);
    QCOMPARE(out.clipRatioHigh, 0.0);
    QCOMPARE(out.clipRatioRegion, 0.0);
    out.loss.backward();
    const at::Tensor expected = matrix({{-0.25, -0.25, 0}, {0.5 / 6, 0.5 / 6, 0.5 / 6}});
    expectTensorNear(c.logps.grad(), expected, 1e-15, "gradient at ratio 1");

    // An explicit old == logp gives the same loss and gradient.
    HandCase d;
    GrpoLossInputs same = d.inputs();
    same.oldLogps = d.logps.detach().clone();
    const GrpoLossOutput out2 = grpoLoss(same, noKl(LossType::Grpo));
    expectNear(out2.loss.item<double>(), -0.25, 1e-15, "loss with old == logp");
    out2.loss.backward();
    expectTensorNear(d.logps.grad(), expected, 1e-15, "gradient with old == logp");
}

void TestGrpoLoss::klIsZeroAgainstItself()
{
    HandCase c;
    GrpoLossInputs in = c.inputs();
    in.refLogps = c.logps.detach().clone();
    GrpoLossOptions o = noKl(LossType::Bnpo);
    o.beta = 0.04;
    const GrpoLossOutput out = grpoLoss(in, o);
    QCOMPARE(out.kl, 0.0);
    expectNear(out.loss.item<double>(), -0.06, 1e-12, "loss with a zero KL");
}

void TestGrpoLoss::klHandCase()
{
    // ref - logp = [[ln 2, 0, 5 (masked)], [0, -ln 2, 0]]; k3 = exp(d) - d - 1:
    //   ln 2 -> 2 - ln 2 - 1 = 1 - ln 2;  -ln 2 -> 1/2 + ln 2 - 1 = ln 2 - 1/2;  0 -> 0
    //   masked mean = (1 - ln 2 + ln 2 - 1/2) / 5 = 0.1
    // bnpo with beta 0.04: (-0.3 + 0.04 * 0.5) / 5 = -0.056.
    const double ln2 = std::log(2.0);
    HandCase c;
    GrpoLossInputs in = c.inputs();
    in.refLogps = c.logps.detach() + matrix({{ln2, 0, 5}, {0, -ln2, 0}});
    GrpoLossOptions o = noKl(LossType::Bnpo);
    o.beta = 0.04;
    const GrpoLossOutput out = grpoLoss(in, o);
    expectNear(out.kl, 0.1, 1e-15, "kl");
    expectNear(out.loss.item<double>(), -0.056, 1e-12, "loss");
    // d k3 / d logp = 1 - exp(ref - logp): -1 at ln 2, +1/2 at -ln 2; times beta / 5,
    // added to the surrogate's gradient from handGradient.
    out.loss.backward();
    const at::Tensor expected = matrix({{0 - 0.04 / 5, -0.14, 0}, {0, 0.11 + 0.04 * 0.5 / 5, 0.13}});
    expectTensorNear(c.logps.grad(), expected, 1e-12, "gradient with KL");

    // beta 0 with a reference: reported, not optimised.
    HandCase d;
    GrpoLossInputs monitored = d.inputs();
    monitored.refLogps = in.refLogps;
    const GrpoLossOutput plain = grpoLoss(monitored, noKl(LossType::Bnpo));
    expectNear(plain.kl, 0.1, 1e-15, "kl at beta 0");
    expectNear(plain.loss.item<double>(), -0.06, 1e-12, "loss at beta 0");
}

void TestGrpoLoss::gradientMatchesFiniteDifferences_data()
{
    QTest::addColumn<LossType>("type");
    QTest::newRow("grpo") << LossType::Grpo;
    QTest::newRow("bnpo") << LossType::Bnpo;
    QTest::newRow("dr_grpo") << LossType::DrGrpo;
    QTest::newRow("dapo") << LossType::Dapo;
}

void TestGrpoLoss::gradientMatchesFiniteDifferences()
{
    QFETCH(LossType, type);
    at::manual_seed(7);
    const std::int64_t N = 4;
    const std::int64_t T = 5;
    const at::Tensor logps0 = -at::rand({N, T}, kDouble) * 3.0 - 0.1;
    // Ratios spread across both clip edges (exp(+-0.4) covers 0.67..1.49).
    const at::Tensor old = logps0 - at::randn({N, T}, kDouble) * 0.25;
    const at::Tensor ref = logps0 + at::randn({N, T}, kDouble) * 0.3;
    const at::Tensor advantages = at::randn({N}, kDouble);
    at::Tensor mask = (at::rand({N, T}, kDouble) > 0.3).to(at::kDouble);
    mask.select(1, 0).fill_(1.0);   // every completion has at least one token

    GrpoLossOptions o;
    o.lossType = type;
    o.beta = 0.04;
    o.epsilonHigh = 0.28;
    o.maxCompletionLength = 7;
    o.gradientAccumulationSteps = 2;
    const auto lossAt = [&](const at::Tensor &logps) {
        GrpoLossInputs in;
        in.logps = logps;
        in.oldLogps = old;
        in.refLogps = ref;
        in.advantages = advantages;
        in.mask = mask;
        in.numItemsInBatch = 37.0;
        return grpoLoss(in, o).loss;
    };

    const at::Tensor logps = logps0.clone().requires_grad_(true);
    lossAt(logps).backward();
    const at::Tensor analytic = logps.grad();

    const double h = 1e-6;
    at::Tensor numeric = at::zeros({N, T}, kDouble);
    for (std::int64_t i = 0; i < N; ++i) {
        for (std::int64_t t = 0; t < T; ++t) {
            at::Tensor plus = logps0.clone();
            at::Tensor minus = logps0.clone();
            plus[i][t] += h;
            minus[i][t] -= h;
            numeric[i][t] = (lossAt(plus).item<double>() - lossAt(minus).item<double>()) / (2.0 * h);
        }
    }
    QVERIFY(analytic.abs().max().item<double>() > 1e-3);   // not a vacuous comparison
    expectTensorNear(analytic, numeric, 1e-8, "autograd vs central differences");
    // Masked tokens get no gradient at all.
    QCOMPARE((analytic * (1.0 - mask)).abs().max().item<double>(), 0.0);
}

void TestGrpoLoss::floatInputs()
{
    // float32 log-probs with float64 advantages and an int mask: the loss follows logps' dtype.
    HandCase c;
    GrpoLossInputs in = c.inputs();
    in.logps = c.logps.detach().to(at::kFloat).requires_grad_(true);
    in.oldLogps = in.oldLogps.to(at::kFloat);
    in.mask = c.mask.to(at::kInt);
    const GrpoLossOutput out = grpoLoss(in, noKl(LossType::Bnpo));
    QCOMPARE(out.loss.scalar_type(), at::kFloat);
    expectNear(out.loss.item<double>(), -0.06, 1e-6, "float32 loss");
}

void TestGrpoLoss::names()
{
    for (LossType t : {LossType::Grpo, LossType::Bnpo, LossType::DrGrpo, LossType::Dapo})
        QCOMPARE(parseLossType(lossTypeName(t)), t);
    QCOMPARE(std::string(lossTypeName(LossType::DrGrpo)), std::string("dr_grpo"));
    GrpoLossOptions defaults;
    QCOMPARE(defaults.lossType, LossType::Dapo);
    QCOMPARE(defaults.epsilonHigh, defaults.epsilonLow);
}

void TestGrpoLoss::badInput()
{
    const auto message = [](auto &&call) -> std::string {
        try {
            call();
        } catch (const Error &e) {
            return e.what();
        }
        return {};
    };
    std::string m = message([] { parseLossType("ppo"); });
    QVERIFY(m.find("loss_type") != std::string::npos && m.find("'ppo'") != std::string::npos);

    HandCase c;
    GrpoLossInputs in = c.inputs();
    GrpoLossOptions o = noKl(LossType::Grpo);
    o.beta = 0.04;
    m = message([&] { grpoLoss(in, o); });
    QVERIFY2(m.find("reference") != std::string::npos, m.c_str());

    in.mask = at::ones({2, 4}, kDouble);
    m = message([&] { grpoLoss(in, noKl(LossType::Grpo)); });
    QVERIFY2(m.find("mask has shape [2, 4], expected [2, 3]") != std::string::npos, m.c_str());

    in = c.inputs();
    in.advantages = at::ones({3}, kDouble);
    m = message([&] { grpoLoss(in, noKl(LossType::Grpo)); });
    QVERIFY2(m.find("advantages") != std::string::npos, m.c_str());
}

void TestGrpoLoss::selectiveLogSoftmaxHandValues()
{
    // Row 0, token 0: logits 0 0 0, target 1 -> log(1/3).
    // Row 0, token 1: logits log 1, log 2, log 5, target 2 -> log(5/8);
    //   at temperature 0.5 the weights square: 1, 4, 25 -> log(25/30).
    const at::Tensor logits =
        at::stack({at::zeros({3}, kDouble), at::log(at::tensor(std::vector<double>{1, 2, 5}, kDouble))}).unsqueeze(0);
    const at::Tensor targets = at::tensor(std::vector<std::int64_t>{1, 2}).view({1, 2});
    const at::Tensor lp = selectiveLogSoftmax(logits, targets);
    expectTensorNear(lp, matrix({{std::log(1.0 / 3.0), std::log(5.0 / 8.0)}}), 1e-15, "log-probs");
    const at::Tensor cold = selectiveLogSoftmax(logits, targets, 0.5);
    expectTensorNear(cold, matrix({{std::log(1.0 / 3.0), std::log(25.0 / 30.0)}}), 1e-15, "log-probs at T = 0.5");
}

void TestGrpoLoss::selectiveLogSoftmaxMatchesFullSoftmax()
{
    at::manual_seed(3);
    const at::Tensor logits = at::randn({3, 4, 11}, kDouble) * 2.0;
    const at::Tensor targets = at::randint(0, 11, {3, 4}, at::kLong);
    const double temperature = 0.7;

    const at::Tensor a = logits.clone().requires_grad_(true);
    const at::Tensor got = selectiveLogSoftmax(a, targets, temperature);
    const at::Tensor b = logits.clone().requires_grad_(true);
    const at::Tensor expected = at::log_softmax(b / temperature, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
    expectTensorNear(got, expected, 1e-12, "selective log-softmax");
    // Differentiable like the full formula.
    const at::Tensor weights = at::randn({3, 4}, kDouble);
    (got * weights).sum().backward();
    (expected * weights).sum().backward();
    expectTensorNear(a.grad(), b.grad(), 1e-12, "gradient w.r.t. logits");

    QVERIFY_THROWS_EXCEPTION(Error, selectiveLogSoftmax(logits, at::full({3, 4}, 11, at::kLong)));
    QVERIFY_THROWS_EXCEPTION(Error, selectiveLogSoftmax(logits, targets.slice(1, 0, 2)));
}

void TestGrpoLoss::selectiveLogSoftmaxHalfPrecision()
{
    // bf16 takes the log_softmax branch; it must agree with float32 to bf16's precision.
    at::manual_seed(5);
    const at::Tensor logits = at::randn({2, 3, 9});
    const at::Tensor targets = at::randint(0, 9, {2, 3}, at::kLong);
    const at::Tensor half = selectiveLogSoftmax(logits.to(at::kBFloat16), targets);
    QCOMPARE(half.scalar_type(), at::kBFloat16);
    expectTensorNear(half, selectiveLogSoftmax(logits, targets), 0.05, "bf16 vs float32");
}

void TestGrpoLoss::entropyHandValues()
{
    // Uniform over 4: ln 4. Logits 0, ln 3: p = 1/4, 3/4, H = -(1/4 ln 1/4 + 3/4 ln 3/4).
    const double h13 = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
    expectNear(entropyFromLogits(at::zeros({4}, kDouble)).item<double>(), std::log(4.0), 1e-15, "uniform");
    const at::Tensor twoWay = at::tensor(std::vector<double>{0.0, std::log(3.0)}, kDouble);
    expectNear(entropyFromLogits(twoWay).item<double>(), h13, 1e-15, "1/4, 3/4");
    // Temperature 2 on logits 0, 2 ln 3 gives the same distribution.
    expectNear(entropyFromLogits(twoWay * 2.0, 2.0).item<double>(), h13, 1e-15, "1/4, 3/4 at T = 2");
}

void TestGrpoLoss::entropyChunked()
{
    at::manual_seed(11);
    const at::Tensor logits = (at::randn({3, 50, 7}, kDouble) * 3.0).requires_grad_(true);
    const at::Tensor got = entropyFromLogits(logits, 1.0, 16);   // 150 rows in chunks of 16
    QCOMPARE(got.sizes().vec(), (std::vector<std::int64_t>{3, 50}));
    QVERIFY(!got.requires_grad());   // a metric, computed without grad as in TRL
    const at::Tensor d = logits.detach();
    const at::Tensor reference = -(at::softmax(d, -1) * at::log_softmax(d, -1)).sum(-1);
    expectTensorNear(got, reference, 1e-12, "chunked entropy");
}

QTEST_GUILESS_MAIN(TestGrpoLoss)
#include "tst_grpo_loss.moc"
