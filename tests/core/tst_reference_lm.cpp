// The naive reference forward pass checked against values worked out by hand
// or by closed formulas: RoPE as a 2D rotation, llama3/linear frequency
// scaling, RMSNorm, LayerNorm, activations, one-layer models whose attention
// output is computable on paper, causality, grouped-query attention, tying,
// and Hugging Face folders written and read back.
#include "core/reference_lm.h"

#include "io/safetensors.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <complex>
#include <filesystem>
#include <functional>

using namespace awb;
using namespace awb::reference;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(std::vector<double>)

namespace {

// Empty when every element agrees within tol, otherwise what differs.
QString mismatch(const std::vector<double> &got, const std::vector<double> &want, double tol)
{
    if (got.size() != want.size())
        return QStringLiteral("size %1, expected %2").arg(got.size()).arg(want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        if (!(std::abs(got[i] - want[i]) <= tol))
            return QStringLiteral("[%1] = %2, expected %3").arg(i).arg(got[i], 0, 'g', 17).arg(want[i], 0, 'g', 17);
    return {};
}

std::vector<double> row(const at::Tensor &logits, std::int64_t t)
{
    const at::Tensor r = logits[t].to(at::kDouble).contiguous();
    return std::vector<double>(r.data_ptr<double>(), r.data_ptr<double>() + r.numel());
}

at::Tensor mat(std::int64_t rows, std::int64_t cols, std::vector<double> values = {})
{
    at::Tensor t = at::zeros({rows, cols}, at::kDouble);
    for (std::size_t i = 0; i < values.size(); ++i)
        t.view({-1})[static_cast<std::int64_t>(i)].fill_(values[i]);
    return t.to(at::kFloat);
}

at::Tensor eye(std::int64_t n) { return at::eye(n, at::kFloat); }

// Llama, one layer, one head, no MLP contribution (down_proj is zero), unit
// norm weights, identity v/o/lm_head, and one-hot token embeddings.
RefModel handLlama(std::int64_t hidden, std::int64_t vocab, bool zeroQk)
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    c.vocabSize = vocab;
    c.hiddenSize = hidden;
    c.numLayers = 1;
    c.numHeads = c.numKvHeads = 1;
    c.headDim = hidden;
    c.intermediateSize = 2;
    c.normEps = 1e-12;
    c.ropeTheta = 10000.0;
    RefModel m{c, {}};
    const std::string p = "model.layers.0.";
    m.weights["model.embed_tokens.weight"] = eye(vocab).narrow(1, 0, hidden).contiguous();
    m.weights[p + "input_layernorm.weight"] = at::ones({hidden});
    m.weights[p + "post_attention_layernorm.weight"] = at::ones({hidden});
    m.weights[p + "self_attn.q_proj.weight"] = zeroQk ? at::zeros({hidden, hidden}) : eye(hidden);
    m.weights[p + "self_attn.k_proj.weight"] = zeroQk ? at::zeros({hidden, hidden}) : eye(hidden);
    m.weights[p + "self_attn.v_proj.weight"] = eye(hidden);
    m.weights[p + "self_attn.o_proj.weight"] = eye(hidden);
    m.weights[p + "mlp.gate_proj.weight"] = at::ones({2, hidden});
    m.weights[p + "mlp.up_proj.weight"] = at::ones({2, hidden});
    m.weights[p + "mlp.down_proj.weight"] = at::zeros({hidden, 2});
    m.weights["model.norm.weight"] = at::ones({hidden});
    m.weights["lm_head.weight"] = eye(vocab).narrow(1, 0, hidden).contiguous();
    return m;
}

// Copies K/V rows so that head h of an MHA model reads what head h reads in
// the GQA model: KV head kvOf(h).
at::Tensor duplicateHeads(const at::Tensor &w, std::int64_t heads, std::int64_t headDim,
                          const std::function<std::int64_t(std::int64_t)> &kvOf)
{
    std::vector<at::Tensor> parts;
    for (std::int64_t h = 0; h < heads; ++h)
        parts.push_back(w.narrow(0, kvOf(h) * headDim, headDim));
    return at::cat(parts, 0);
}

RefModel toMha(const RefModel &gqa, const std::function<std::int64_t(std::int64_t)> &kvOf)
{
    RefModel mha = gqa;
    mha.config.numKvHeads = gqa.config.numHeads;
    for (std::int64_t l = 0; l < gqa.config.numLayers; ++l)
        for (const char *proj : {"k_proj", "v_proj"})
            for (const char *kind : {".weight", ".bias"}) {
                const std::string name = "model.layers." + std::to_string(l) + ".self_attn." + proj + kind;
                if (gqa.weights.count(name))
                    mha.weights[name] = duplicateHeads(gqa.weights.at(name), gqa.config.numHeads,
                                                       gqa.config.headDim, kvOf);
            }
    return mha;
}

const std::vector<std::int64_t> kIds = {5, 17, 3, 99, 42, 0, 64, 8, 23, 100, 7};

} // namespace

class TestReferenceLm : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void defaultInvFreq();
    void ropeIsRotationOfHalves_data();
    void ropeIsRotationOfHalves();
    void ropeScoresDependOnRelativePosition();
    void scaledInvFreq_data();
    void scaledInvFreq();
    void rmsNormByHand();
    void layerNormByHand();
    void activations_data();
    void activations();
    void llamaUniformAttentionByHand();
    void llamaRotaryAttentionByHand();
    void gpt2OneLayerByHand();
    void gpt2ScaledAttentionByHand();
    void causality_data();
    void causality();
    void groupedQueryAttentionEqualsDuplicatedHeads_data();
    void groupedQueryAttentionEqualsDuplicatedHeads();
    void tiedHeadEqualsCopiedEmbeddings();
    void qwen2WithZeroBiasesIsLlama();
    void ropeScalingOnlyMovesLaterPositions();
    void randomModelExercisesEveryWeight_data();
    void randomModelExercisesEveryWeight();
    void folderRoundTrip_data();
    void folderRoundTrip();
    void originalGpt2Layout();
    void errorsNameTheProblem();

private:
    QTemporaryDir m_dir;
};

void TestReferenceLm::init()
{
    QVERIFY(m_dir.isValid());
}

void TestReferenceLm::defaultInvFreq()
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    c.ropeTheta = 10000.0;
    c.headDim = 8;
    // 1 / 10000^(i/8) for i = 0, 2, 4, 6.
    const QString m = mismatch(ropeInvFreq(c), {1.0, 0.1, 0.01, 0.001}, 1e-15);
    QVERIFY2(m.isEmpty(), qPrintable(m));
}

void TestReferenceLm::ropeIsRotationOfHalves_data()
{
    QTest::addColumn<int>("position");
    QTest::newRow("0") << 0;
    QTest::newRow("1") << 1;
    QTest::newRow("5") << 5;
    QTest::newRow("13") << 13;
    QTest::newRow("1000") << 1000;
}

void TestReferenceLm::ropeIsRotationOfHalves()
{
    QFETCH(int, position);
    const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<double> inv = {1.0, 0.1, 0.01, 0.001};
    // rotate_half pairs element i with element i + d/2; the pair turns
    // counter-clockwise by position * inv[i], i.e. multiplies x_i + i x_{i+4}
    // by e^{i angle}.
    std::vector<double> want(8);
    for (int i = 0; i < 4; ++i) {
        const std::complex<double> z = std::complex<double>(x[i], x[i + 4]) * std::polar(1.0, position * inv[i]);
        want[i] = z.real();
        want[i + 4] = z.imag();
    }
    const QString m = mismatch(applyRope(x, position, inv), want, 1e-12);
    QVERIFY2(m.isEmpty(), qPrintable(m));

    // By hand: [1, 0] at position 1 with frequency 1 is [cos 1, sin 1].
    const QString m2 = mismatch(applyRope({1.0, 0.0}, 1, {1.0}), {0.5403023058681398, 0.8414709848078965}, 1e-15);
    QVERIFY2(m2.isEmpty(), qPrintable(m2));
}

void TestReferenceLm::ropeScoresDependOnRelativePosition()
{
    const std::vector<double> q = {0.3, -1.2, 0.7, 2.0, -0.4, 0.1};
    const std::vector<double> k = {1.1, 0.5, -0.9, 0.2, 0.8, -1.5};
    const std::vector<double> inv = {1.0, 0.05, 0.0025};
    auto score = [&](int m, int n) {
        const auto a = applyRope(q, m, inv), b = applyRope(k, n, inv);
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            s += a[i] * b[i];
        return s;
    };
    QVERIFY(std::abs(score(7, 3) - score(4, 0)) < 1e-12);
    QVERIFY(std::abs(score(12, 12) - score(0, 0)) < 1e-12);
    QVERIFY(std::abs(score(7, 3) - score(3, 7)) > 1e-3);
}

void TestReferenceLm::scaledInvFreq_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<double>("theta");
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<int>("original");
    QTest::addColumn<std::vector<double>>("want");

    // theta 1e4, d 8: inv = 1, 0.1, 0.01, 0.001; wavelengths 2pi/inv = 6.28,
    // 62.8, 628.3, 6283. Bands: < 1024/4 = 256 kept, > 1024/1 divided by 8,
    // between smoothed with s = (1024/628.3 - 1)/(4 - 1) = 0.2099155:
    // (1 - s) * 0.01 / 8 + s * 0.01 = 0.0030867610.
    QTest::newRow("llama3 small") << "llama3" << 10000.0 << 8.0 << 1.0 << 4.0 << 1024
                                  << std::vector<double>{1.0, 0.1, 0.003086760967011274, 0.001 / 8};
    // Llama 3.2's scaling: theta 5e5, factor 32, bands 8192/4 = 2048 and 8192.
    // inv = 1, 5e5^-1/4 = 0.0376060, 5e5^-1/2 = 0.00141421, 5e5^-3/4 = 5.3183e-5;
    // wavelengths 6.3, 167, 4443 (s = (8192/4442.88 - 1)/3 = 0.2812826), 118143.
    QTest::newRow("llama3.2") << "llama3" << 500000.0 << 32.0 << 1.0 << 4.0 << 8192
                              << std::vector<double>{1.0, 0.03760603093086393, 0.00042955679655936815,
                                                     5.318295896944988e-05 / 32};
    QTest::newRow("linear") << "linear" << 10000.0 << 4.0 << 1.0 << 4.0 << 8192
                            << std::vector<double>{0.25, 0.025, 0.0025, 0.00025};
}

void TestReferenceLm::scaledInvFreq()
{
    QFETCH(QString, type);
    QFETCH(double, theta);
    QFETCH(double, factor);
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(int, original);
    QFETCH(std::vector<double>, want);
    ModelConfig c = tinyConfig(Architecture::Llama);
    c.headDim = 8;
    c.ropeTheta = theta;
    c.ropeScaling.type = type.toStdString();
    c.ropeScaling.factor = factor;
    c.ropeScaling.lowFreqFactor = low;
    c.ropeScaling.highFreqFactor = high;
    c.ropeScaling.originalMaxPositionEmbeddings = original;
    const auto got = ropeInvFreq(c);
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::abs(got[i] / want[i] - 1.0) < 1e-13,
                 qPrintable(QStringLiteral("[%1] = %2, expected %3").arg(i).arg(got[i], 0, 'g', 17).arg(want[i], 0, 'g', 17)));
}

void TestReferenceLm::rmsNormByHand()
{
    // mean(x^2) = 30/4 = 7.5, 1/sqrt(7.5) = 0.36514837167011072.
    const double r = 0.36514837167011072;
    QString m = mismatch(rmsNorm({1, 2, 3, 4}, {1, 1, 2, 0.5}, 0.0), {r, 2 * r, 6 * r, 2 * r}, 1e-15);
    QVERIFY2(m.isEmpty(), qPrintable(m));
    // eps inside the root: (9 + 16)/2 + 1 = 13.5.
    m = mismatch(rmsNorm({3, 4}, {1, 1}, 1.0), {3 / std::sqrt(13.5), 4 / std::sqrt(13.5)}, 1e-15);
    QVERIFY2(m.isEmpty(), qPrintable(m));
}

void TestReferenceLm::layerNormByHand()
{
    // [1, 0, 0, 0]: mean 1/4, biased variance 3/16; normalised [3, -1, -1, -1] / sqrt(3).
    const double a = std::sqrt(3.0), b = -1.0 / std::sqrt(3.0);
    QString m = mismatch(layerNorm({1, 0, 0, 0}, {1, 1, 1, 1}, {0, 0, 0, 0}, 0.0), {a, b, b, b}, 1e-15);
    QVERIFY2(m.isEmpty(), qPrintable(m));
    m = mismatch(layerNorm({1, 0, 0, 0}, {2, 1, 1, 0}, {1, 0, -1, 5}, 0.0), {2 * a + 1, b, b - 1, 5}, 1e-15);
    QVERIFY2(m.isEmpty(), qPrintable(m));
    // [0, 0, 1, 1]: mean 1/2, variance 1/4 + eps 0.75 = 1.
    m = mismatch(layerNorm({0, 0, 1, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}, 0.75), {-0.5, -0.5, 0.5, 0.5}, 1e-15);
    QVERIFY2(m.isEmpty(), qPrintable(m));
}

void TestReferenceLm::activations_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("x");
    QTest::addColumn<double>("want");
    // gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    QTest::newRow("gelu_new 0") << "gelu_new" << 0.0 << 0.0;
    QTest::newRow("gelu_new 1") << "gelu_new" << 1.0 << 0.8411919906082768;
    QTest::newRow("gelu_new -1") << "gelu_new" << -1.0 << -0.15880800939172324;
    QTest::newRow("gelu_new 2") << "gelu_new" << 2.0 << 1.954597694087775;
    QTest::newRow("gelu_new 0.5") << "gelu_new" << 0.5 << 0.34571400982514394;
    QTest::newRow("gelu_new -3") << "gelu_new" << -3.0 << -0.0036373920817729943;
    QTest::newRow("gelu_pytorch_tanh 1") << "gelu_pytorch_tanh" << 1.0 << 0.8411919906082768;
    // gelu(x) = x Phi(x); Phi(1) = 0.841344746068543.
    QTest::newRow("gelu 1") << "gelu" << 1.0 << 0.8413447460685429;
    // silu(x) = x / (1 + e^-x).
    QTest::newRow("silu 1") << "silu" << 1.0 << 0.7310585786300049;
    QTest::newRow("silu -2") << "silu" << -2.0 << -0.2384058440442351;
    QTest::newRow("relu -2") << "relu" << -2.0 << 0.0;
    QTest::newRow("relu 3") << "relu" << 3.0 << 3.0;
}

void TestReferenceLm::activations()
{
    QFETCH(QString, name);
    QFETCH(double, x);
    QFETCH(double, want);
    const double got = activation(name.toStdString(), x);
    QVERIFY2(std::abs(got - want) < 1e-15, qPrintable(QString::number(got, 'g', 17)));
}

void TestReferenceLm::llamaUniformAttentionByHand()
{
    // q = k = 0: every visible position gets the same weight, so the attention
    // output at t is the mean of rmsnorm(e_s) = 2 e_s over s <= t (one-hot
    // vectors of 4 have rms 1/2). The residual adds e_t; the final norm and the
    // identity head give the logits.
    //   t0: e0 + 2 e0 = [3, 0, 0, 0] -> [2, 0, 0, 0]
    //   t1: e1 + e0 + e1 = [1, 2, 0, 0], rms sqrt(5/4) -> [0.8944272, 1.7888544, 0, 0]
    //   t2: e2 + 2/3 (e0 + e1 + e2) = [2/3, 2/3, 5/3, 0], rms sqrt(33/36)
    const RefModel m = handLlama(4, 4, true);
    const at::Tensor out = logits(m, {0, 1, 2});
    QCOMPARE(out.sizes(), at::IntArrayRef({3, 4}));
    QCOMPARE(out.scalar_type(), at::kFloat);
    const double r1 = 1 / std::sqrt(1.25), r2 = 1 / std::sqrt(33.0 / 36.0);
    const std::vector<std::vector<double>> want = {
        {2, 0, 0, 0}, {r1, 2 * r1, 0, 0}, {2.0 / 3 * r2, 2.0 / 3 * r2, 5.0 / 3 * r2, 0}};
    for (std::int64_t t = 0; t < 3; ++t) {
        const QString s = mismatch(row(out, t), want[static_cast<std::size_t>(t)], 1e-6);
        QVERIFY2(s.isEmpty(), qPrintable(QStringLiteral("t%1: ").arg(t) + s));
    }
}

void TestReferenceLm::llamaRotaryAttentionByHand()
{
    // Hidden 2, one head of 2 (one frequency, inv_freq = 1), q = k = v = o = I.
    // n0 = rmsnorm([1, 0]) = [sqrt2, 0], n1 = [0, sqrt2]. At t1 the query is n1
    // turned by 1 radian: [-sqrt2 sin 1, sqrt2 cos 1]; the key at 0 is n0
    // unturned, the key at 1 equals the query. Scores / sqrt(2):
    //   s0 = -2 sin 1 / sqrt2 = -sqrt2 sin 1, s1 = 2 / sqrt2 = sqrt2.
    const RefModel m = handLlama(2, 2, false);
    const at::Tensor out = logits(m, {0, 1});
    const double r2 = std::sqrt(2.0);
    const double s0 = -r2 * std::sin(1.0), s1 = r2;
    const double p0 = std::exp(s0) / (std::exp(s0) + std::exp(s1)), p1 = 1 - p0;
    const std::vector<double> h1 = {r2 * p0, 1 + r2 * p1};   // e1 + p0 n0 + p1 n1
    const double rms1 = std::sqrt((h1[0] * h1[0] + h1[1] * h1[1]) / 2);
    QString s = mismatch(row(out, 0), {r2, 0}, 1e-6);   // [1 + sqrt2, 0] normalised
    QVERIFY2(s.isEmpty(), qPrintable(s));
    s = mismatch(row(out, 1), {h1[0] / rms1, h1[1] / rms1}, 1e-6);
    QVERIFY2(s.isEmpty(), qPrintable(s));
    // Turning the other way (the opposite sin sign) would give these instead.
    const double q0 = std::exp(-s0) / (std::exp(-s0) + std::exp(s1));
    QVERIFY(std::abs(q0 - p0) > 0.1);
}

void TestReferenceLm::gpt2OneLayerByHand()
{
    // Hidden 4, one head, q = k = 0 (uniform causal attention), v = c_proj = I
    // with c_proj bias b, c_fc = 0 with bias f, so the MLP adds
    // gelu_new(f) @ I = g at every position; unit LayerNorms, tied head = I.
    ModelConfig c = tinyConfig(Architecture::Gpt2);
    c.vocabSize = 4;
    c.hiddenSize = 4;
    c.numLayers = 1;
    c.numHeads = c.numKvHeads = 1;
    c.headDim = 4;
    c.intermediateSize = 4;
    c.maxPositionEmbeddings = 4;
    c.normEps = 1e-12;
    RefModel m{c, {}};
    const std::string p = "transformer.h.0.";
    m.weights["transformer.wte.weight"] = eye(4);
    m.weights["transformer.wpe.weight"] = mat(4, 4, {0, 0, 0, 0, 0, 0, 0, 1});   // position 1 adds e3
    for (const char *ln : {"ln_1", "ln_2"}) {
        m.weights[p + ln + ".weight"] = at::ones({4});
        m.weights[p + ln + ".bias"] = at::zeros({4});
    }
    m.weights["transformer.ln_f.weight"] = at::ones({4});
    m.weights["transformer.ln_f.bias"] = at::zeros({4});
    at::Tensor cAttn = at::zeros({4, 12});
    cAttn.narrow(1, 8, 4).copy_(eye(4));   // Conv1D [in, out]: the v block
    m.weights[p + "attn.c_attn.weight"] = cAttn;
    m.weights[p + "attn.c_attn.bias"] = at::zeros({12});
    m.weights[p + "attn.c_proj.weight"] = eye(4);
    m.weights[p + "attn.c_proj.bias"] = at::tensor({0.1f, 0.f, 0.f, 0.f});
    m.weights[p + "mlp.c_fc.weight"] = at::zeros({4, 4});
    m.weights[p + "mlp.c_fc.bias"] = at::tensor({1.f, -1.f, 0.f, 2.f});
    m.weights[p + "mlp.c_proj.weight"] = eye(4);
    m.weights[p + "mlp.c_proj.bias"] = at::zeros({4});

    auto ln = [](std::vector<double> x) {
        const double mean = (x[0] + x[1] + x[2] + x[3]) / 4;
        double var = 0;
        for (double e : x)
            var += (e - mean) * (e - mean) / 4;
        for (double &e : x)
            e = (e - mean) / std::sqrt(var);
        return x;
    };
    const std::vector<double> b = {0.1, 0, 0, 0};
    const std::vector<double> g = {0.8411919906082768, -0.15880800939172324, 0.0, 1.954597694087775};
    // x0 = e0, LN(e0) = [sqrt3, -1/sqrt3, -1/sqrt3, -1/sqrt3]; x1 = e2 + e3, LN = [-1, -1, 1, 1].
    const double a = std::sqrt(3.0), c3 = -1 / std::sqrt(3.0);
    const std::vector<double> x0 = {1, 0, 0, 0}, x1 = {0, 0, 1, 1};
    const std::vector<double> a0 = {a, c3, c3, c3}, a1 = {-1, -1, 1, 1};
    std::vector<double> h0(4), h1(4);
    for (int j = 0; j < 4; ++j) {
        h0[j] = x0[j] + a0[j] + b[j] + g[j];
        h1[j] = x1[j] + (a0[j] + a1[j]) / 2 + b[j] + g[j];
    }
    const at::Tensor out = logits(m, {0, 2});
    QString s = mismatch(row(out, 0), ln(h0), 1e-5);
    QVERIFY2(s.isEmpty(), qPrintable(s));
    s = mismatch(row(out, 1), ln(h1), 1e-5);
    QVERIFY2(s.isEmpty(), qPrintable(s));
}

void TestReferenceLm::gpt2ScaledAttentionByHand()
{
    // Hidden 3, one head of 3, q = k = v = c_proj = I, no biases, MLP zero
    // (gelu_new(0) = 0), unit LayerNorms, tied head = I.
    // a0 = LN(e0) = [sqrt2, -1/sqrt2, -1/sqrt2], a1 = LN(e1) = [-1/sqrt2, sqrt2, -1/sqrt2];
    // at t1 the scores are a1.a0 / sqrt3 = -1.5 / sqrt3 and a1.a1 / sqrt3 = 3 / sqrt3.
    ModelConfig c = tinyConfig(Architecture::Gpt2);
    c.vocabSize = c.hiddenSize = c.headDim = c.intermediateSize = 3;
    c.numLayers = 1;
    c.numHeads = c.numKvHeads = 1;
    c.maxPositionEmbeddings = 2;
    c.normEps = 1e-12;
    RefModel m{c, {}};
    const std::string p = "transformer.h.0.";
    m.weights["transformer.wte.weight"] = eye(3);
    m.weights["transformer.wpe.weight"] = at::zeros({2, 3});
    for (const std::string ln : {"transformer.h.0.ln_1", "transformer.h.0.ln_2", "transformer.ln_f"}) {
        m.weights[ln + ".weight"] = at::ones({3});
        m.weights[ln + ".bias"] = at::zeros({3});
    }
    m.weights[p + "attn.c_attn.weight"] = at::cat({eye(3), eye(3), eye(3)}, 1);
    m.weights[p + "attn.c_attn.bias"] = at::zeros({9});
    m.weights[p + "attn.c_proj.weight"] = eye(3);
    m.weights[p + "attn.c_proj.bias"] = at::zeros({3});
    m.weights[p + "mlp.c_fc.weight"] = at::zeros({3, 3});
    m.weights[p + "mlp.c_fc.bias"] = at::zeros({3});
    m.weights[p + "mlp.c_proj.weight"] = eye(3);
    m.weights[p + "mlp.c_proj.bias"] = at::zeros({3});

    auto ln = [](std::vector<double> x) {
        const double mean = (x[0] + x[1] + x[2]) / 3;
        double var = 0;
        for (double e : x)
            var += (e - mean) * (e - mean) / 3;
        for (double &e : x)
            e = (e - mean) / std::sqrt(var);
        return x;
    };
    const double r = std::sqrt(2.0);
    const std::vector<double> a0 = {r, -1 / r, -1 / r}, a1 = {-1 / r, r, -1 / r};
    const double s0 = -1.5 / std::sqrt(3.0), s1 = 3 / std::sqrt(3.0);
    const double p0 = std::exp(s0) / (std::exp(s0) + std::exp(s1)), p1 = 1 - p0;
    std::vector<double> h0(3), h1(3);
    for (int j = 0; j < 3; ++j) {
        h0[j] = (j == 0) + a0[j];
        h1[j] = (j == 1) + p0 * a0[j] + p1 * a1[j];
    }
    const at::Tensor out = logits(m, {0, 1});
    QString s = mismatch(row(out, 0), ln(h0), 1e-5);
    QVERIFY2(s.isEmpty(), qPrintable(s));
    s = mismatch(row(out, 1), ln(h1), 1e-5);
    QVERIFY2(s.isEmpty(), qPrintable(s));
}

void TestReferenceLm::causality_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2") << int(Architecture::Qwen2);
    QTest::newRow("gpt2") << int(Architecture::Gpt2);
}

void TestReferenceLm::causality()
{
    QFETCH(int, arch);
    const RefModel m = randomModel(tinyConfig(Architecture(arch)), 7);
    std::vector<std::int64_t> ids = kIds;
    const at::Tensor a = logits(m, ids);
    ids.back() = 11;
    const at::Tensor b = logits(m, ids);
    const std::int64_t T = static_cast<std::int64_t>(ids.size());
    QVERIFY(at::equal(a.narrow(0, 0, T - 1), b.narrow(0, 0, T - 1)));
    QVERIFY((a[T - 1] - b[T - 1]).abs().max().item<float>() > 1e-3f);
    // A prefix alone gives the prefix's rows.
    const at::Tensor prefix = logits(m, std::vector<std::int64_t>(ids.begin(), ids.begin() + 4));
    QVERIFY(at::allclose(prefix, b.narrow(0, 0, 4), 0, 1e-6));
}

void TestReferenceLm::groupedQueryAttentionEqualsDuplicatedHeads_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2 (k/v biases)") << int(Architecture::Qwen2);
}

void TestReferenceLm::groupedQueryAttentionEqualsDuplicatedHeads()
{
    QFETCH(int, arch);
    const RefModel gqa = randomModel(tinyConfig(Architecture(arch)), 11);
    QCOMPARE(gqa.config.numHeads, 4);
    QCOMPARE(gqa.config.numKvHeads, 2);
    const at::Tensor want = logits(gqa, kIds);
    // repeat_kv: heads 0, 1 read KV head 0; heads 2, 3 read KV head 1.
    const at::Tensor same = logits(toMha(gqa, [](std::int64_t h) { return h / 2; }), kIds);
    QVERIFY(at::allclose(same, want, 0, 1e-6));
    // The other plausible layout (h % kv) is a different model.
    const at::Tensor other = logits(toMha(gqa, [](std::int64_t h) { return h % 2; }), kIds);
    QVERIFY(!at::allclose(other, want, 0, 1e-3));
}

void TestReferenceLm::tiedHeadEqualsCopiedEmbeddings()
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    c.tieWordEmbeddings = true;
    const RefModel tied = randomModel(c, 3);
    QVERIFY(!tied.weights.count("lm_head.weight"));
    RefModel untied = tied;
    untied.config.tieWordEmbeddings = false;
    untied.weights["lm_head.weight"] = tied.weights.at("model.embed_tokens.weight").clone();
    QVERIFY(at::equal(logits(tied, kIds), logits(untied, kIds)));
}

void TestReferenceLm::qwen2WithZeroBiasesIsLlama()
{
    RefModel qwen = randomModel(tinyConfig(Architecture::Qwen2), 5);
    for (auto &[name, t] : qwen.weights)
        if (name.find("_proj.bias") != std::string::npos)
            t = at::zeros_like(t);
    RefModel llama = qwen;
    llama.config.architecture = Architecture::Llama;
    llama.config.modelType = "llama";
    llama.config.qkvBias = false;
    for (auto it = llama.weights.begin(); it != llama.weights.end();)
        it = it->first.find("_proj.bias") != std::string::npos ? llama.weights.erase(it) : std::next(it);
    QVERIFY(at::equal(logits(qwen, kIds), logits(llama, kIds)));
    // ...and the biases matter when they are not zero.
    const RefModel biased = randomModel(tinyConfig(Architecture::Qwen2), 5);
    QVERIFY(!at::allclose(logits(biased, kIds), logits(qwen, kIds), 0, 1e-3));
}

void TestReferenceLm::ropeScalingOnlyMovesLaterPositions()
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    const RefModel plain = randomModel(c, 9);
    RefModel linear = plain;
    linear.config.ropeScaling.type = "linear";
    linear.config.ropeScaling.factor = 4.0;
    RefModel llama3 = plain;
    llama3.config.ropeScaling = {"llama3", 8.0, 1.0, 4.0, 32};
    const at::Tensor a = logits(plain, kIds), b = logits(linear, kIds), d = logits(llama3, kIds);
    // Position 0 attends only to itself: no rotation can change it.
    QVERIFY(at::allclose(a[0], b[0], 0, 1e-6));
    QVERIFY(at::allclose(a[0], d[0], 0, 1e-6));
    QVERIFY(!at::allclose(a.narrow(0, 1, 10), b.narrow(0, 1, 10), 0, 1e-4));
    QVERIFY(!at::allclose(a.narrow(0, 1, 10), d.narrow(0, 1, 10), 0, 1e-4));
}

void TestReferenceLm::randomModelExercisesEveryWeight_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2") << int(Architecture::Qwen2);
    QTest::newRow("gpt2") << int(Architecture::Gpt2);
}

void TestReferenceLm::randomModelExercisesEveryWeight()
{
    QFETCH(int, arch);
    const ModelConfig c = tinyConfig(Architecture(arch));
    const RefModel m = randomModel(c, 21);
    const auto shapes = weightShapes(c);
    QCOMPARE(m.weights.size(), shapes.size());
    for (const auto &[name, shape] : shapes) {
        QVERIFY2(m.weights.count(name), name.c_str());
        QCOMPARE(m.weights.at(name).sizes(), at::IntArrayRef(shape));
    }
    QVERIFY(at::equal(randomModel(c, 21).weights.begin()->second, m.weights.begin()->second));
    QVERIFY(!at::equal(randomModel(c, 22).weights.begin()->second, m.weights.begin()->second));

    const at::Tensor base = logits(m, kIds);
    QVERIFY(at::isfinite(base).all().item<bool>());
    QVERIFY(base.std().item<float>() > 0.1f);
    QVERIFY((base[3] - base[4]).abs().max().item<float>() > 0.1f);
    // Replacing any one weight by its "neutral" value (norm weight 1, bias 0)
    // changes the logits, so a runtime that drops it fails parity.
    for (const auto &[name, shape] : shapes) {
        const bool norm = name.find("norm") != std::string::npos || name.find("ln_") != std::string::npos;
        if (!(norm && name.find(".weight") != std::string::npos) && name.find(".bias") == std::string::npos)
            continue;
        RefModel neutral = m;
        at::Tensor &t = neutral.weights.at(name);
        t = norm && name.find(".weight") != std::string::npos ? at::ones_like(t) : at::zeros_like(t);
        QVERIFY2((logits(neutral, kIds) - base).abs().max().item<float>() > 1e-4f, name.c_str());
    }
}

void TestReferenceLm::folderRoundTrip_data()
{
    QTest::addColumn<int>("arch");
    QTest::addColumn<int>("dtype");
    QTest::addColumn<bool>("tie");
    QTest::addColumn<bool>("includeTiedLmHead");
    QTest::addColumn<qulonglong>("shardBytes");
    QTest::addColumn<bool>("dropPrefix");
    QTest::addColumn<int>("mask");
    QTest::addColumn<bool>("maskedBias");
    const auto none = int(MaskBuffer::None);
    QTest::newRow("llama") << int(Architecture::Llama) << int(at::kFloat) << false << false << 0ull << false << none << false;
    QTest::newRow("llama tied") << int(Architecture::Llama) << int(at::kFloat) << true << false << 0ull << false << none << false;
    QTest::newRow("llama tied, head written") << int(Architecture::Llama) << int(at::kFloat) << true << true << 0ull << false << none << false;
    QTest::newRow("llama bf16 sharded") << int(Architecture::Llama) << int(at::kBFloat16) << false << false << 20000ull << false << none << false;
    QTest::newRow("qwen2 f16") << int(Architecture::Qwen2) << int(at::kHalf) << false << false << 0ull << false << none << false;
    QTest::newRow("gpt2") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 0ull << false << none << false;
    QTest::newRow("gpt2 original") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 0ull << true << int(MaskBuffer::Float) << true;
    QTest::newRow("gpt2 bool mask") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 0ull << true << int(MaskBuffer::Bool) << false;
    QTest::newRow("gpt2 uint8 mask, sharded") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 30000ull << false << int(MaskBuffer::UInt8) << true;
}

void TestReferenceLm::folderRoundTrip()
{
    QFETCH(int, arch);
    QFETCH(int, dtype);
    QFETCH(bool, tie);
    QFETCH(bool, includeTiedLmHead);
    QFETCH(qulonglong, shardBytes);
    QFETCH(bool, dropPrefix);
    QFETCH(int, mask);
    QFETCH(bool, maskedBias);
    ModelConfig c = tinyConfig(Architecture(arch));
    c.tieWordEmbeddings = tie;
    RandomOptions ro;
    ro.dtype = at::ScalarType(dtype);
    const RefModel m = randomModel(c, 31, ro);
    SaveOptions so;
    so.maxShardBytes = shardBytes;
    so.gpt2DropPrefix = dropPrefix;
    so.gpt2MaskBuffer = MaskBuffer(mask);
    so.gpt2MaskedBias = maskedBias;
    so.includeTiedLmHead = includeTiedLmHead;
    const std::string dir = (fs::path(m_dir.path().toStdString()) / QTest::currentDataTag()).string();
    saveModelFolder(m, dir, so);

    QVERIFY(fs::exists(fs::path(dir) / "config.json"));
    QCOMPARE(fs::exists(fs::path(dir) / "model.safetensors.index.json"), shardBytes > 0);
    const Checkpoint ck = Checkpoint::open(dir);
    QCOMPARE(ck.files().size() > 1, shardBytes > 0);
    const std::size_t buffers = (mask != int(MaskBuffer::None) ? 1 : 0) + (maskedBias ? 1 : 0);
    QCOMPARE(ck.names().size(),
             m.weights.size() + std::size_t(c.numLayers) * buffers + (includeTiedLmHead ? 1 : 0));
    QCOMPARE(ck.tensor(m.weights.begin()->first.substr(dropPrefix ? 12 : 0)).scalar_type(), at::ScalarType(dtype));

    const ModelConfig back = loadModelConfig(dir);
    QCOMPARE(int(back.architecture), arch);
    QCOMPARE(back.hiddenSize, c.hiddenSize);
    QCOMPARE(back.numKvHeads, c.numKvHeads);
    QCOMPARE(back.headDim, c.headDim);
    QCOMPARE(back.intermediateSize, c.intermediateSize);
    QCOMPARE(back.tieWordEmbeddings, tie);
    QCOMPARE(back.qkvBias, c.qkvBias);

    const RefModel loaded = loadModelFolder(dir);
    QCOMPARE(loaded.weights.size(), m.weights.size());
    QVERIFY(at::equal(logits(loaded, kIds), logits(m, kIds)));
}

void TestReferenceLm::originalGpt2Layout()
{
    const RefModel m = randomModel(tinyConfig(Architecture::Gpt2), 41);
    SaveOptions so;
    so.gpt2DropPrefix = true;
    so.gpt2MaskBuffer = MaskBuffer::UInt8;
    so.gpt2MaskedBias = true;
    std::map<std::string, at::Tensor> t;
    for (const auto &[name, tensor] : checkpointTensors(m, so))
        t[name] = tensor;
    QVERIFY(t.count("wte.weight") && t.count("wpe.weight") && t.count("ln_f.bias"));
    QVERIFY(t.count("h.1.attn.c_attn.weight") && !t.count("lm_head.weight"));
    for (const auto &[name, tensor] : t)
        QVERIFY2(name.rfind("transformer.", 0) != 0, name.c_str());
    const at::Tensor bias = t.at("h.0.attn.bias");
    QCOMPARE(bias.sizes(), at::IntArrayRef({1, 1, 64, 64}));
    QCOMPARE(bias.scalar_type(), at::kByte);
    QCOMPARE(bias[0][0][3][3].item<int>(), 1);
    QCOMPARE(bias[0][0][3][4].item<int>(), 0);
    QCOMPARE(bias[0][0][63][0].item<int>(), 1);
    QCOMPARE(bias.sum().item<int>(), 64 * 65 / 2);
    QCOMPARE(t.at("h.1.attn.masked_bias").dim(), 0);
    QCOMPARE(t.at("h.1.attn.masked_bias").item<float>(), -1e4f);
    QCOMPARE(t.at("h.0.attn.c_attn.weight").sizes(), at::IntArrayRef({32, 96}));   // Conv1D [in, out]
    QCOMPARE(t.at("h.0.mlp.c_proj.weight").sizes(), at::IntArrayRef({128, 32}));
}

void TestReferenceLm::errorsNameTheProblem()
{
    const RefModel m = randomModel(tinyConfig(Architecture::Llama), 1);
    auto message = [](const RefModel &model, std::vector<std::int64_t> ids) -> std::string {
        try {
            logits(model, ids);
        } catch (const Error &e) {
            return e.what();
        }
        return "no error";
    };
    RefModel missing = m;
    missing.weights.erase("model.layers.1.post_attention_layernorm.weight");
    QVERIFY(message(missing, {1}).find("model.layers.1.post_attention_layernorm.weight") != std::string::npos);
    RefModel misshapen = m;
    misshapen.weights["model.layers.0.self_attn.k_proj.weight"] = at::zeros({32, 32});
    QVERIFY(message(misshapen, {1}).find("[32, 32], expected [16, 32]") != std::string::npos);
    RefModel extra = m;
    extra.weights["model.layers.0.self_attn.o_proj.bias"] = at::zeros({32});
    QVERIFY(message(extra, {1}).find("unexpected weight \"model.layers.0.self_attn.o_proj.bias\"") != std::string::npos);
    QVERIFY(message(m, {1, 101}).find("token 101 at position 1") != std::string::npos);
    const RefModel gpt2 = randomModel(tinyConfig(Architecture::Gpt2), 1);
    QVERIFY(message(gpt2, std::vector<std::int64_t>(65, 3)).find("n_positions 64") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestReferenceLm)
#include "tst_reference_lm.moc"
