// core/model/stored_ops.h against independent computations:
//  - tokenLogProbs against the unfused path (full logits, then TRL's
//    selective_log_softmax and entropy_from_logits as grpo_loss.h implements
//    them), values and gradients, over chunk sizes that split the tokens
//    unevenly, temperatures and head dtypes; and against central finite
//    differences in float64;
//  - storedLinear with a bfloat16 weight against at::linear on the widened
//    weight, on the kernels (one chunk of rows and several), and with a
//    float16 weight on the tiled path, forward and backward;
//  - droppedLinear against at::linear(at::dropout(...)) from the same seed,
//    values and both gradients;
//  - siluGate against the at:: expression under autograd, values and gradient.
#include "model/stored_ops.h"
#include "train/grpo_loss.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>

using namespace awb;

namespace {

at::Tensor randn(std::vector<std::int64_t> shape, std::uint64_t seed, at::ScalarType dtype = at::kFloat)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    return at::randn(shape, gen, at::TensorOptions().dtype(dtype));
}

double maxAbs(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

} // namespace

class TestStoredOps : public QObject
{
    Q_OBJECT

private slots:
    void logProbsMatchUnfused_data();
    void logProbsMatchUnfused();
    void logProbsFiniteDifferences();
    void logProbsRejectBadInput();
    void storedLinearMatchesWidened_data();
    void storedLinearMatchesWidened();
    void droppedLinearMatchesDropout();
    void siluGateMatchesAutograd();
};

void TestStoredOps::logProbsMatchUnfused_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("vocab");
    QTest::addColumn<double>("temperature");
    QTest::addColumn<qint64>("maxLogitBytes");   // small values split the tokens into chunks
    QTest::addColumn<bool>("bf16Head");
    QTest::addColumn<bool>("trainHead");
    QTest::newRow("one chunk") << 3 << 5 << 50 << 1.0 << qint64(64 << 20) << false << false;
    QTest::newRow("chunks of 2 tokens, T 0.7") << 3 << 5 << 50 << 0.7 << qint64(2 * 50 * 4) << false << false;
    QTest::newRow("chunks of 1 token") << 2 << 4 << 33 << 1.3 << qint64(1) << false << false;
    QTest::newRow("chunks of 4, trainable head") << 3 << 5 << 40 << 0.9 << qint64(4 * 40 * 4) << false << true;
    QTest::newRow("bf16 head (kernel rows)") << 4 << 6 << 300 << 1.0 << qint64(64 << 20) << true << false;
    QTest::newRow("bf16 head, chunks of 7") << 4 << 6 << 300 << 0.8 << qint64(7 * 300 * 4) << true << false;
}

// Values, entropy and gradients equal those of the full-logits path: logits =
// hidden head^T, selectiveLogSoftmax, entropyFromLogits, loss = sum c * logp.
void TestStoredOps::logProbsMatchUnfused()
{
    QFETCH(int, rows);
    QFETCH(int, width);
    QFETCH(int, vocab);
    QFETCH(double, temperature);
    QFETCH(qint64, maxLogitBytes);
    QFETCH(bool, bf16Head);
    QFETCH(bool, trainHead);
    const std::int64_t H = 16;
    const at::Tensor hiddenInit = randn({rows, width, H}, 1);
    at::Tensor head = randn({vocab, H}, 2) * 0.5;
    if (bf16Head)
        head = head.to(at::kBFloat16);
    const at::Tensor widened = head.to(at::kFloat);
    at::Generator gen = at::detail::createCPUGenerator(3);
    const at::Tensor targets = at::randint(vocab, {rows, width}, gen, at::kLong);
    const at::Tensor coef = randn({rows, width}, 4);   // stands in for the loss's per-token gradient

    at::Tensor h1 = hiddenInit.clone().requires_grad_(true);
    at::Tensor head1 = trainHead ? widened.clone().requires_grad_(true) : head;
    at::Tensor entropy1;
    const at::Tensor logp1 = tokenLogProbs(h1, head1, targets, temperature, &entropy1, maxLogitBytes);
    (logp1 * coef).sum().backward();

    at::Tensor h2 = hiddenInit.clone().requires_grad_(true);
    at::Tensor head2 = trainHead ? widened.clone().requires_grad_(true) : widened;
    const at::Tensor logits = at::matmul(h2, head2.t());
    const at::Tensor logp2 = selectiveLogSoftmax(logits, targets, temperature);
    const at::Tensor entropy2 = entropyFromLogits(logits.detach(), temperature);
    (logp2 * coef).sum().backward();

    QCOMPARE(logp1.sizes(), logp2.sizes());
    QVERIFY2(maxAbs(logp1, logp2) < 2e-5, qPrintable(QString::number(maxAbs(logp1, logp2))));
    QVERIFY2(maxAbs(entropy1, entropy2) < 2e-5, qPrintable(QString::number(maxAbs(entropy1, entropy2))));
    QVERIFY(!entropy1.requires_grad());
    QVERIFY2(maxAbs(h1.grad(), h2.grad()) < 2e-5, qPrintable(QString::number(maxAbs(h1.grad(), h2.grad()))));
    if (trainHead)
        QVERIFY2(maxAbs(head1.grad(), head2.grad()) < 2e-5,
                 qPrintable(QString::number(maxAbs(head1.grad(), head2.grad()))));
}

// In float64 the analytic gradients match central differences of the values.
void TestStoredOps::logProbsFiniteDifferences()
{
    const std::int64_t R = 3, H = 5, V = 7;
    const double temperature = 0.8, step = 1e-6;
    at::Tensor hidden = randn({R, H}, 5, at::kDouble);
    at::Tensor head = randn({V, H}, 6, at::kDouble);
    const at::Tensor targets = at::tensor({2, 0, 6}, at::kLong);
    const at::Tensor coef = at::tensor({0.5, -1.25, 2.0}, at::kDouble);
    const auto loss = [&](const at::Tensor &h, const at::Tensor &w) {
        return (tokenLogProbs(h, w, targets, temperature, nullptr, V * 4) * coef).sum().item<double>();
    };
    at::Tensor h = hidden.clone().requires_grad_(true);
    at::Tensor w = head.clone().requires_grad_(true);
    (tokenLogProbs(h, w, targets, temperature, nullptr, V * 4) * coef).sum().backward();
    for (const bool ofHead : {false, true}) {
        const at::Tensor &base = ofHead ? head : hidden;
        const at::Tensor grad = ofHead ? w.grad() : h.grad();
        for (std::int64_t i = 0; i < base.numel(); ++i) {
            at::Tensor plus = base.clone(), minus = base.clone();
            plus.view({-1})[i] += step;
            minus.view({-1})[i] -= step;
            const double numeric = ofHead ? (loss(hidden, plus) - loss(hidden, minus)) / (2 * step)
                                          : (loss(plus, head) - loss(minus, head)) / (2 * step);
            const double analytic = grad.view({-1})[i].item<double>();
            QVERIFY2(std::abs(numeric - analytic) < 1e-6 * (1.0 + std::abs(numeric)),
                     qPrintable(QString("%1 %2: numeric %3, analytic %4")
                                    .arg(ofHead ? "head" : "hidden").arg(i).arg(numeric).arg(analytic)));
        }
    }
}

void TestStoredOps::logProbsRejectBadInput()
{
    const at::Tensor hidden = randn({2, 3, 4}, 7);
    const at::Tensor head = randn({10, 4}, 8);
    const auto message = [](const std::function<void()> &fn) {
        try {
            fn();
        } catch (const std::exception &e) {
            return QString::fromStdString(e.what());
        }
        return QString();
    };
    QVERIFY(message([&] { tokenLogProbs(hidden, head, at::full({2, 3}, 10, at::kLong), 1.0); })
                .contains("outside the vocabulary of 10"));
    QVERIFY(message([&] { tokenLogProbs(hidden, head, at::zeros({2, 4}, at::kLong), 1.0); })
                .contains("targets must have shape"));
    QVERIFY(message([&] { tokenLogProbs(hidden, randn({10, 5}, 9), at::zeros({2, 3}, at::kLong), 1.0); })
                .contains("do not match the head"));
    QVERIFY(message([&] { tokenLogProbs(hidden, head, at::zeros({2, 3}, at::kLong), 0.0); })
                .contains("temperature must be positive"));
}

void TestStoredOps::storedLinearMatchesWidened_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("in");
    QTest::addColumn<int>("out");
    QTest::addColumn<bool>("half");
    QTest::newRow("decode: 1 row (kernels)") << 1 << 96 << 70 << false;
    QTest::newRow("40 rows (kernels)") << 40 << 96 << 70 << false;
    QTest::newRow("600 rows (kernels, 3 chunks of rows)") << 600 << 200 << 130 << false;
    // float16 widens tiles for the BLAS; a weight above one tile (8 MB
    // widened): 5 tiles, 4 of 256 rows.
    QTest::newRow("300 rows, float16, tiled") << 300 << 8192 << 1100 << true;
}

void TestStoredOps::storedLinearMatchesWidened()
{
    QFETCH(int, rows);
    QFETCH(int, in);
    QFETCH(int, out);
    QFETCH(bool, half);
    const at::Tensor w = (randn({out, in}, 10) * 0.05).to(half ? at::kHalf : at::kBFloat16);
    const at::Tensor x0 = randn({rows, in}, 11);
    const at::Tensor gy = randn({rows, out}, 12);

    at::Tensor x1 = x0.clone().requires_grad_(true);
    const at::Tensor y1 = storedLinear(x1, w);
    y1.backward(gy);
    at::Tensor x2 = x0.clone().requires_grad_(true);
    const at::Tensor y2 = at::linear(x2, w.to(at::kFloat));
    y2.backward(gy);

    QCOMPARE(y1.scalar_type(), at::kFloat);
    QVERIFY2(maxAbs(y1, y2) < 1e-4, qPrintable(QString::number(maxAbs(y1, y2))));
    QVERIFY2(maxAbs(x1.grad(), x2.grad()) < 1e-4, qPrintable(QString::number(maxAbs(x1.grad(), x2.grad()))));
    // Without grad the same values come back, with no graph.
    at::NoGradGuard noGrad;
    const at::Tensor y3 = storedLinear(x0, w);
    QVERIFY(!y3.requires_grad());
    QCOMPARE(maxAbs(y3, y1), 0.0);
}

void TestStoredOps::droppedLinearMatchesDropout()
{
    const double p = 0.3;
    const at::Tensor x0 = randn({3, 7, 40}, 20);   // batch, tokens, features
    const at::Tensor a0 = randn({4, 40}, 21) * 0.1;
    const at::Tensor gy = randn({3, 7, 4}, 22);

    at::manual_seed(5);
    at::Tensor x1 = x0.clone().requires_grad_(true), a1 = a0.clone().requires_grad_(true);
    const at::Tensor y1 = droppedLinear(x1, a1, p);
    y1.backward(gy);
    at::manual_seed(5);
    at::Tensor x2 = x0.clone().requires_grad_(true), a2 = a0.clone().requires_grad_(true);
    const at::Tensor y2 = at::linear(at::dropout(x2, p, true), a2);
    y2.backward(gy);

    QCOMPARE(y1.sizes(), y2.sizes());
    QCOMPARE(maxAbs(y1, y2), 0.0);   // the same mask, the same product
    QVERIFY2(maxAbs(x1.grad(), x2.grad()) < 1e-6, qPrintable(QString::number(maxAbs(x1.grad(), x2.grad()))));
    QVERIFY2(maxAbs(a1.grad(), a2.grad()) < 1e-5, qPrintable(QString::number(maxAbs(a1.grad(), a2.grad()))));
    // Some inputs were dropped and some kept: the mask is not all ones or zeros.
    const double dropped = (x2.grad() == 0).to(at::kDouble).mean().item<double>();
    QVERIFY2(dropped > 0.15 && dropped < 0.45, qPrintable(QString::number(dropped)));

    QVERIFY_THROWS_EXCEPTION(Error, droppedLinear(x0, a0, 0.0));
    QVERIFY_THROWS_EXCEPTION(Error, droppedLinear(x0, a0.t(), p));
}

void TestStoredOps::siluGateMatchesAutograd()
{
    const std::int64_t inter = 24;
    const at::Tensor h0 = randn({2, 5, 2 * inter}, 30) * 3.0;
    const at::Tensor gy = randn({2, 5, inter}, 31);
    at::Tensor h1 = h0.clone().requires_grad_(true);
    const at::Tensor y1 = siluGate(h1, inter);
    y1.backward(gy);
    at::Tensor h2 = h0.clone().requires_grad_(true);
    const at::Tensor y2 = at::silu(h2.narrow(-1, 0, inter)) * h2.narrow(-1, inter, inter);
    y2.backward(gy);
    QCOMPARE(maxAbs(y1, y2), 0.0);
    QCOMPARE(maxAbs(h1.grad(), h2.grad()), 0.0);
    // By hand for one element: d/dg [silu(g) u] = u s (1 + g (1 - s)), d/du = silu(g).
    const double g = h0[0][0][0].item<double>(), u = h0[0][0][inter].item<double>(), s = 1.0 / (1.0 + std::exp(-g));
    const double w = gy[0][0][0].item<double>();
    QVERIFY(std::abs(h1.grad()[0][0][0].item<double>() - w * u * s * (1 + g * (1 - s))) < 1e-5);
    QVERIFY(std::abs(h1.grad()[0][0][inter].item<double>() - w * g * s) < 1e-5);
    QVERIFY_THROWS_EXCEPTION(Error, siluGate(h0, inter + 1));
}

QTEST_APPLESS_MAIN(TestStoredOps)
#include "tst_stored_ops.moc"
