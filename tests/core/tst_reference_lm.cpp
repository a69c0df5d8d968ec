// Self-tests of the naive reference (building blocks and models worked out by hand).
#include "core/tst_reference_lm.h"

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

QTEST_GUILESS_MAIN(TestReferenceLm)
