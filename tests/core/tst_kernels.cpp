// The fp32 inference kernels (core/model/kernels.h; weights fp32 or bfloat16), each instruction set in
// turn, against float64 references computed with LibTorch or by the textbook
// formula: matrix products on odd shapes and strides (serial and on the pool;
// x w^T, and g w for bfloat16 w),
// RMSNorm, RoPE, SiLU gating, softmax and log-sum-exp with masked entries,
// attention with a shared mask (the pool's own tests: tst_kernel_pool.cpp); and CausalLM's
// inference path, which runs on these kernels, against the naive reference
// model on each instruction set.
#include "core/reference_lm.h"
#include "model/causal_lm.h"
#include "model/kernels.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

using namespace awb;
using kernels::Isa;

namespace {

constexpr double kEps32 = 1.1920929e-07;

at::Tensor fromBuffer(const std::vector<float> &v, std::vector<std::int64_t> shape)
{
    return at::tensor(at::ArrayRef<float>(v)).view(shape).to(at::kDouble);
}

std::vector<float> randomVector(std::int64_t n, std::uint64_t seed, double scale = 1.0)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const at::Tensor t = at::randn({n}, gen, at::kFloat) * scale;
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + n);
}

void addIsaColumn()
{
    QTest::addColumn<int>("isa");
}

// Runs the test row only when the CPU has the instruction set, and selects it.
bool selectIsa(int isa)
{
    if (!kernels::isaSupported(Isa(isa)))
        return false;
    kernels::setIsa(Isa(isa));
    return true;
}

} // namespace

class TestKernels : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void linear_data();
    void linear();
    void linearBf16_data() { linear_data(); }
    void linearBf16();
    void oneRowEqualsItsBatch_data();
    void oneRowEqualsItsBatch();
    void productBf16_data();
    void productBf16();
    void rmsNorm_data();
    void rmsNorm();
    void rope_data();
    void rope();
    void siluMul_data();
    void siluMul();
    void widenBf16_data();
    void widenBf16();
    void softmax_data();
    void softmax();
    void attend_data();
    void attend();
    void modelOnEachIsa_data();
    void modelOnEachIsa();

private:
    QTemporaryDir m_dir;
};

void TestKernels::cleanup()
{
    kernels::setIsa(kernels::isaSupported(Isa::Avx512) ? Isa::Avx512
                    : kernels::isaSupported(Isa::Avx2) ? Isa::Avx2
                                                       : Isa::Scalar);
    kernels::setThreads(2);
}

void TestKernels::linear_data()
{
    addIsaColumn();
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<int>("padX");   // extra floats per row of x (ldx = K + padX)
    QTest::addColumn<int>("padY");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<bool>("serial");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)}) {
        const char *name = kernels::isaName(Isa(isa));
        QTest::addRow("%s M1 N37 K19", name) << isa << 1 << 37 << 19 << 0 << 0 << false << false;
        QTest::addRow("%s M1 N1001 K301 bias (pool)", name) << isa << 1 << 1001 << 301 << 0 << 0 << true << false;
        QTest::addRow("%s M3 N101 K77 strided", name) << isa << 3 << 101 << 77 << 5 << 3 << true << false;
        QTest::addRow("%s M3 N7 K5", name) << isa << 3 << 7 << 5 << 0 << 0 << false << false;
        QTest::addRow("%s M32 N45 K130 strided", name) << isa << 32 << 45 << 130 << 2 << 9 << false << false;
        QTest::addRow("%s M32 N257 K129 bias (pool)", name) << isa << 32 << 257 << 129 << 0 << 0 << true << false;
        QTest::addRow("%s M33 N31 K64 serial", name) << isa << 33 << 31 << 64 << 0 << 1 << true << true;
        QTest::addRow("%s M6 N2 K1", name) << isa << 6 << 2 << 1 << 0 << 0 << true << false;
    }
}

void TestKernels::linear()
{
    QFETCH(int, isa);
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(int, padX);
    QFETCH(int, padY);
    QFETCH(bool, bias);
    QFETCH(bool, serial);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const std::int64_t ldx = K + padX, ldy = N + padY;
    const auto x = randomVector(M * ldx, 1);
    const auto w = randomVector(std::int64_t(N) * K, 2);
    const auto b = randomVector(N, 3);
    const float sentinel = 12345.f;
    std::vector<float> y(static_cast<std::size_t>(M * ldy), sentinel);
    if (serial)
        kernels::linearSerial(x.data(), M, K, ldx, w.data(), N, bias ? b.data() : nullptr, y.data(), ldy);
    else
        kernels::linear(x.data(), M, K, ldx, w.data(), N, bias ? b.data() : nullptr, y.data(), ldy);

    const at::Tensor xd = fromBuffer(x, {M, ldx}).narrow(1, 0, K);
    const at::Tensor wd = fromBuffer(w, {N, K});
    at::Tensor expected = at::matmul(xd, wd.t());
    if (bias)
        expected = expected + fromBuffer(b, {N});
    // Forward error bound of a float sum of K products: K eps sum |x_k w_k|.
    const at::Tensor bound = at::matmul(xd.abs(), wd.abs().t()) * (K * kEps32) + 1e-6;
    const at::Tensor yd = fromBuffer(y, {M, ldy});
    const at::Tensor err = (yd.narrow(1, 0, N) - expected).abs();
    QVERIFY2((err <= bound).all().item<bool>(),
             qPrintable(QString("max |error| %1").arg((err - bound).max().item<double>())));
    // The padding between rows of y is left alone.
    if (padY > 0)
        QVERIFY((yd.narrow(1, N, padY) == sentinel).all().item<bool>());
}

// bfloat16 weights: the kernel widens each value as it reads it, so its result
// equals the fp32 kernel's on the widened matrix bit for bit (same summation
// order), and both meet the error bound against float64 on those values.
void TestKernels::linearBf16()
{
    QFETCH(int, isa);
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(int, padX);
    QFETCH(int, padY);
    QFETCH(bool, bias);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const std::int64_t ldx = K + padX, ldy = N + padY;
    const auto x = randomVector(M * ldx, 4);
    const at::Tensor w16 = at::tensor(at::ArrayRef<float>(randomVector(std::int64_t(N) * K, 5))).to(at::kBFloat16);
    const at::Tensor w32 = w16.to(at::kFloat);
    const auto b = randomVector(N, 6);
    std::vector<float> y16(static_cast<std::size_t>(M * ldy), 7.f), y32(y16);
    kernels::linearBf16(x.data(), M, K, ldx, reinterpret_cast<const std::uint16_t *>(w16.data_ptr()), N,
                        bias ? b.data() : nullptr, y16.data(), ldy);
    kernels::linear(x.data(), M, K, ldx, w32.data_ptr<float>(), N, bias ? b.data() : nullptr, y32.data(), ldy);
    QCOMPARE(std::memcmp(y16.data(), y32.data(), y16.size() * sizeof(float)), 0);

    const at::Tensor xd = fromBuffer(x, {M, ldx}).narrow(1, 0, K);
    const at::Tensor wd = w32.to(at::kDouble).view({N, K});
    at::Tensor expected = at::matmul(xd, wd.t());
    if (bias)
        expected = expected + fromBuffer(b, {N});
    const at::Tensor bound = at::matmul(xd.abs(), wd.abs().t()) * (K * kEps32) + 1e-6;
    const at::Tensor err = (fromBuffer(y16, {M, ldy}).narrow(1, 0, N) - expected).abs();
    QVERIFY2((err <= bound).all().item<bool>(),
             qPrintable(QString("max |error| %1").arg((err - bound).max().item<double>())));
}

void TestKernels::oneRowEqualsItsBatch_data()
{
    addIsaColumn();
    QTest::addColumn<bool>("bf16");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)}) {
        QTest::addRow("%s fp32", kernels::isaName(Isa(isa))) << isa << false;
        QTest::addRow("%s bf16", kernels::isaName(Isa(isa))) << isa << true;
    }
}

// A row decoded alone (the batch-1 path, which streams the weight rows in
// quarters) gives the same bits as the same row inside a batch (the tiles):
// both sum every output in the same order. On the pool, so the quarters are
// those of uneven chunks, and with rows left over.
void TestKernels::oneRowEqualsItsBatch()
{
    QFETCH(int, isa);
    QFETCH(bool, bf16);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const std::int64_t M = 5, N = 1003, K = 301;
    const auto x = randomVector(M * K, 8);
    const at::Tensor w16 = at::tensor(at::ArrayRef<float>(randomVector(N * K, 9))).to(at::kBFloat16);
    const at::Tensor w32 = w16.to(at::kFloat);
    const auto b = randomVector(N, 10);
    auto product = [&](const float *rows, std::int64_t count, float *y) {
        if (bf16)
            kernels::linearBf16(rows, count, K, K, reinterpret_cast<const std::uint16_t *>(w16.data_ptr()), N,
                                b.data(), y, N);
        else
            kernels::linear(rows, count, K, K, w32.data_ptr<float>(), N, b.data(), y, N);
    };
    std::vector<float> batched(static_cast<std::size_t>(M * N)), alone(static_cast<std::size_t>(N));
    product(x.data(), M, batched.data());
    for (std::int64_t m = 0; m < M; ++m) {
        std::fill(alone.begin(), alone.end(), 0.f);
        product(x.data() + m * K, 1, alone.data());
        QCOMPARE(std::memcmp(alone.data(), batched.data() + m * N, N * sizeof(float)), 0);
    }
}

void TestKernels::productBf16_data()
{
    addIsaColumn();
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<int>("padG");   // extra floats per row of g (ldg = N + padG)
    QTest::addColumn<int>("padOut");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)}) {
        const char *name = kernels::isaName(Isa(isa));
        QTest::addRow("%s M1 N5 K3", name) << isa << 1 << 5 << 3 << 0 << 0;
        // Row tails of every tile height, column tails inside a vector and a
        // block, more rows of w than one panel (the panels accumulate).
        QTest::addRow("%s M11 N300 K70 strided", name) << isa << 11 << 300 << 70 << 3 << 5;
        QTest::addRow("%s M6 N129 K64", name) << isa << 6 << 129 << 64 << 0 << 0;
        QTest::addRow("%s M17 N1 K133 strided", name) << isa << 17 << 1 << 133 << 1 << 2;
        QTest::addRow("%s M40 N520 K200 (pool)", name) << isa << 40 << 520 << 200 << 0 << 0;
        QTest::addRow("%s M3 N0 K9", name) << isa << 3 << 0 << 9 << 0 << 1;
    }
}

// out = g w for a bfloat16 w [N, K] against float64 on the widened values, and
// the padding of out untouched.
void TestKernels::productBf16()
{
    QFETCH(int, isa);
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(int, padG);
    QFETCH(int, padOut);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const std::int64_t ldg = N + padG, ldo = K + padOut;
    const auto g = randomVector(std::max<std::int64_t>(1, M * ldg), 8);
    const at::Tensor w16 = at::tensor(at::ArrayRef<float>(randomVector(std::int64_t(N) * K, 9))).to(at::kBFloat16);
    const float sentinel = -777.f;
    std::vector<float> out(static_cast<std::size_t>(M * ldo), sentinel);
    kernels::productBf16(g.data(), M, N, ldg, reinterpret_cast<const std::uint16_t *>(w16.data_ptr()), K, out.data(),
                         ldo);

    const at::Tensor gd = fromBuffer(g, {std::int64_t(g.size())}).narrow(0, 0, M * ldg).view({M, ldg}).narrow(1, 0, N);
    const at::Tensor wd = w16.to(at::kDouble).view({N, K});
    const at::Tensor expected = at::matmul(gd, wd);
    // Forward error bound of a float sum of N products: N eps sum |g_n w_n|.
    const at::Tensor bound = at::matmul(gd.abs(), wd.abs()) * (N * kEps32) + 1e-6;
    const at::Tensor od = fromBuffer(out, {M, ldo});
    const at::Tensor err = (od.narrow(1, 0, K) - expected).abs();
    QVERIFY2((err <= bound).all().item<bool>(),
             qPrintable(QString("max |error| %1").arg((err - bound).max().item<double>())));
    if (N == 0)
        QVERIFY((od.narrow(1, 0, K) == 0).all().item<bool>());
    if (padOut > 0)
        QVERIFY((od.narrow(1, K, padOut) == sentinel).all().item<bool>());
}

void TestKernels::rmsNorm_data()
{
    addIsaColumn();
    QTest::addColumn<int>("n");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)})
        for (int n : {5, 37, 576})
            QTest::addRow("%s n%d", kernels::isaName(Isa(isa)), n) << isa << n;
}

void TestKernels::rmsNorm()
{
    QFETCH(int, isa);
    QFETCH(int, n);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const int rows = 3;
    const float eps = 1e-5f;
    const auto x = randomVector(rows * n, 4, 3.0);
    const auto w = randomVector(n, 5);
    std::vector<float> y(x.size());
    kernels::rmsNorm(x.data(), w.data(), eps, rows, n, y.data());
    const at::Tensor xd = fromBuffer(x, {rows, n});
    const at::Tensor expected = fromBuffer(w, {n}) * xd / at::sqrt(xd.pow(2).mean(-1, true) + eps);
    QVERIFY(at::allclose(fromBuffer(y, {rows, n}), expected, 1e-5, 1e-6));
    // In place gives the same.
    std::vector<float> inPlace = x;
    kernels::rmsNorm(inPlace.data(), w.data(), eps, rows, n, inPlace.data());
    QCOMPARE(inPlace, y);
}

void TestKernels::rope_data()
{
    addIsaColumn();
    QTest::addColumn<int>("d");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)})
        for (int d : {8, 22, 64})
            QTest::addRow("%s d%d", kernels::isaName(Isa(isa)), d) << isa << d;
}

void TestKernels::rope()
{
    QFETCH(int, isa);
    QFETCH(int, d);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const int heads = 3, half = d / 2;
    const double position = 7.0;
    // Tables as CausalLM builds them: cos of cat(f, f), sin with rotate_half's sign.
    std::vector<float> cos(d), sinSigned(d);
    std::vector<double> angle(d);
    for (int i = 0; i < d; ++i) {
        angle[i] = position / std::pow(10000.0, 2.0 * (i % half) / d);
        cos[i] = static_cast<float>(std::cos(angle[i]));
        sinSigned[i] = static_cast<float>(i < half ? -std::sin(angle[i]) : std::sin(angle[i]));
    }
    const auto x = randomVector(heads * d, 6);
    std::vector<float> y = x;
    kernels::rope(y.data(), heads, d, cos.data(), sinSigned.data());
    for (int h = 0; h < heads; ++h)
        for (int i = 0; i < half; ++i) {
            // The rotation of the pair (x_i, x_{i+half}) by the angle.
            const double a = x[h * d + i], b = x[h * d + half + i], t = angle[i];
            QVERIFY(std::abs(y[h * d + i] - (a * std::cos(t) - b * std::sin(t))) < 1e-5);
            QVERIFY(std::abs(y[h * d + half + i] - (b * std::cos(t) + a * std::sin(t))) < 1e-5);
        }
}

void TestKernels::siluMul_data()
{
    addIsaColumn();
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)})
        QTest::addRow("%s", kernels::isaName(Isa(isa))) << isa;
}

void TestKernels::siluMul()
{
    QFETCH(int, isa);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    auto gate = randomVector(1003, 7, 4.0);
    gate[0] = -120.f;   // exp overflows: silu is -0
    gate[1] = 120.f;    // silu(x) = x
    gate[2] = 0.f;
    const auto up = randomVector(1003, 8);
    std::vector<float> out(gate.size());
    kernels::siluMul(gate.data(), up.data(), static_cast<std::int64_t>(gate.size()), out.data());
    for (std::size_t i = 0; i < gate.size(); ++i) {
        const double g = gate[i], expected = g / (1.0 + std::exp(-g)) * up[i];
        QVERIFY2(std::abs(out[i] - expected) <= 1e-6 * std::abs(expected) + 1e-7,
                 qPrintable(QString("gate %1: %2 vs %3").arg(g).arg(out[i]).arg(expected)));
    }
}

void TestKernels::widenBf16_data()
{
    addIsaColumn();
    QTest::addColumn<int>("n");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)})
        for (int n : {5, 1003, 1 << 19})   // a tail shorter than a vector; more than one pool chunk
            QTest::addRow("%s n%d", kernels::isaName(Isa(isa)), n) << isa << n;
}

void TestKernels::widenBf16()
{
    QFETCH(int, isa);
    QFETCH(int, n);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    // Every bit pattern of a bfloat16 (infinities, NaNs, subnormals, -0) and then
    // random values: each must come back as the fp32 whose upper half it is.
    std::vector<std::uint16_t> src(static_cast<std::size_t>(n));
    const auto noise = randomVector(n, 21, 1e3);
    for (int i = 0; i < n; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &noise[static_cast<std::size_t>(i)], 4);
        src[static_cast<std::size_t>(i)] = i < 65536 ? static_cast<std::uint16_t>(i) : static_cast<std::uint16_t>(bits >> 16);
    }
    std::vector<float> dst(src.size() + 1, 42.f);   // one guard element past the end
    kernels::widenBf16(src.data(), n, dst.data());
    for (int i = 0; i < n; ++i) {
        const std::uint32_t expected = static_cast<std::uint32_t>(src[static_cast<std::size_t>(i)]) << 16;
        std::uint32_t got;
        std::memcpy(&got, &dst[static_cast<std::size_t>(i)], 4);
        QVERIFY2(got == expected, qPrintable(QString("element %1: %2 vs %3").arg(i).arg(got, 8, 16).arg(expected, 8, 16)));
    }
    QCOMPARE(dst.back(), 42.f);
}

void TestKernels::softmax_data()
{
    addIsaColumn();
    QTest::addColumn<int>("n");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)})
        for (int n : {1, 13, 200})
            QTest::addRow("%s n%d", kernels::isaName(Isa(isa)), n) << isa << n;
}

void TestKernels::softmax()
{
    QFETCH(int, isa);
    QFETCH(int, n);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const int rows = 2;
    auto x = randomVector(rows * n, 9, 10.0);   // spread wide: exp over about +-40
    const float inf = std::numeric_limits<float>::infinity();
    for (int i = 1; i < rows * n; i += 3)
        x[i] = -inf;   // masked entries
    x[n] = 0.f;        // row 1 keeps at least one entry when n is 1
    std::vector<float> p = x;
    kernels::softmax(p.data(), rows, n);
    for (int r = 0; r < rows; ++r) {
        double mx = -inf, sum = 0.0;
        for (int i = 0; i < n; ++i)
            mx = std::max(mx, double(x[r * n + i]));
        for (int i = 0; i < n; ++i)
            sum += std::exp(x[r * n + i] - mx);
        const double lse = kernels::logSumExp(x.data() + r * n, n);
        QVERIFY2(std::abs(lse - (mx + std::log(sum))) <= 1e-6 * std::abs(mx) + 1e-6,
                 qPrintable(QString("row %1: logsumexp %2 vs %3").arg(r).arg(lse).arg(mx + std::log(sum))));
        for (int i = 0; i < n; ++i) {
            const double expected = std::exp(x[r * n + i] - mx) / sum;
            QVERIFY2(std::abs(p[r * n + i] - expected) <= 1e-6 * expected + 1e-9,
                     qPrintable(QString("row %1 [%2]: %3 vs %4").arg(r).arg(i).arg(p[r * n + i]).arg(expected)));
            if (x[r * n + i] == -inf)
                QCOMPARE(p[r * n + i], 0.f);
        }
    }
}

void TestKernels::attend_data()
{
    addIsaColumn();
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("L");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)}) {
        QTest::addRow("%s d13 L37", kernels::isaName(Isa(isa))) << isa << 13 << 37;
        QTest::addRow("%s d64 L150", kernels::isaName(Isa(isa))) << isa << 64 << 150;
        QTest::addRow("%s d8 L1", kernels::isaName(Isa(isa))) << isa << 8 << 1;
    }
}

void TestKernels::attend()
{
    QFETCH(int, isa);
    QFETCH(int, d);
    QFETCH(int, L);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    // Two query positions x three heads sharing this KV head; query rows 5 floats apart in
    // a wider buffer, outputs likewise.
    const int group = 3, positions = 2, Q = group * positions, ldq = d + 5, ldo = d + 2;
    const auto q = randomVector(Q * ldq, 10);
    const auto k = randomVector(L * d, 11);
    const auto v = randomVector(L * d, 12);
    std::unique_ptr<bool[]> visible(new bool[positions * L]);
    for (int t = 0; t < positions; ++t)
        for (int l = 0; l < L; ++l)
            visible[t * L + l] = (l % 4 != 1 && l <= L - 1 - t) || l == 0;   // gaps and a causal edge
    std::vector<float> scratch(Q * L), out(Q * ldo, 0.f);
    const float scale = 1.f / std::sqrt(float(d));
    kernels::attend(q.data(), Q, ldq, k.data(), v.data(), L, d, scale, visible.get(), group, scratch.data(), out.data(), ldo);

    const at::Tensor kd = fromBuffer(k, {L, d}), vd = fromBuffer(v, {L, d});
    for (int r = 0; r < Q; ++r) {
        const at::Tensor qr = fromBuffer(q, {Q, ldq})[r].narrow(0, 0, d);
        at::Tensor s = at::matmul(kd, qr) * double(scale);
        for (int l = 0; l < L; ++l)
            if (!visible[(r / group) * L + l])
                s[l] = -std::numeric_limits<double>::infinity();
        const at::Tensor expected = at::matmul(at::softmax(s, 0), vd);
        const at::Tensor got = fromBuffer(out, {Q, ldo})[r].narrow(0, 0, d);
        QVERIFY2(at::allclose(got, expected, 1e-5, 1e-5),
                 qPrintable(QString("row %1: max |diff| %2").arg(r).arg((got - expected).abs().max().item<double>())));
    }
}

void TestKernels::modelOnEachIsa_data()
{
    addIsaColumn();
    QTest::addColumn<int>("arch");
    for (int isa : {int(Isa::Scalar), int(Isa::Avx2), int(Isa::Avx512)}) {
        QTest::addRow("%s llama", kernels::isaName(Isa(isa))) << isa << int(Architecture::Llama);
        QTest::addRow("%s qwen2 (biases)", kernels::isaName(Isa(isa))) << isa << int(Architecture::Qwen2);
    }
}

void TestKernels::modelOnEachIsa()
{
    QFETCH(int, isa);
    QFETCH(int, arch);
    if (!selectIsa(isa))
        QSKIP("the CPU lacks this instruction set");
    const reference::RefModel ref = reference::randomModel(reference::tinyConfig(Architecture(arch)), 21);
    const std::string dir = m_dir.filePath(QString("model-%1").arg(arch)).toStdString();
    reference::saveModelFolder(ref, dir);
    auto model = CausalLM::load(dir);
    const std::vector<std::int64_t> ids = {3, 17, 99, 0, 42, 42, 7, 100, 56};
    const auto T = static_cast<std::int64_t>(ids.size());
    const at::Tensor expected = reference::logits(ref, ids).to(at::kDouble);

    at::NoGradGuard noGrad;
    const at::Tensor idsT = at::tensor(ids, at::kLong).view({1, T}), pos = at::arange(T, at::kLong).view({1, T});
    const at::Tensor full = model->logits(model->forward(idsT, pos)).squeeze(0).to(at::kDouble);
    // Decoding one token at a time through the cache, after a prefill of 4.
    KvCache cache = model->makeCache(1, T);
    std::vector<at::Tensor> rows = {model->logits(model->forward(idsT.narrow(1, 0, 4), pos.narrow(1, 0, 4), &cache))};
    for (std::int64_t t = 4; t < T; ++t)
        rows.push_back(model->logits(model->forward(idsT.narrow(1, t, 1), pos.narrow(1, t, 1), &cache)));
    const at::Tensor decoded = at::cat(rows, 1).squeeze(0).to(at::kDouble);
    const double fullDiff = (full - expected).abs().max().item<double>();
    const double decodedDiff = (decoded - expected).abs().max().item<double>();
    QVERIFY2(fullDiff <= 1e-4, qPrintable(QString("full forward: max |diff| %1").arg(fullDiff)));
    QVERIFY2(decodedDiff <= 1e-4, qPrintable(QString("cached decoding: max |diff| %1").arg(decodedDiff)));
    QVERIFY(expected.abs().max().item<double>() > 0.1);   // not trivially small logits

    // The outputs do come from the kernels: torch's would not depend on the
    // instruction set chosen here, the kernels' sums differ in the last bits.
    if (Isa(isa) != Isa::Scalar) {
        kernels::setIsa(Isa::Scalar);
        const at::Tensor scalar = model->logits(model->forward(idsT, pos)).squeeze(0).to(at::kDouble);
        QVERIFY(!at::equal(scalar, full));
    }
}

QTEST_GUILESS_MAIN(TestKernels)
#include "tst_kernels.moc"
