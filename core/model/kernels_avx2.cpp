// AVX2 + FMA implementations of the kernels. Each function carries a target
// attribute instead of the whole file being built with -mavx2: the compiler
// then cannot put AVX2 instructions into inline library code (std::) shared
// with other files, so the binary still runs on CPUs without AVX2, where
// kernels.cpp never calls these.
#include "model/kernels_impl.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#define AWB_AVX2 __attribute__((target("avx2,fma")))
#if defined(__clang__)
#define AWB_UNROLL _Pragma("unroll")
#else
#define AWB_UNROLL _Pragma("GCC unroll 8")
#endif

namespace awb::kernels::detail {

namespace {

// tailMask(r) enables the first r of 8 lanes, 0 <= r <= 8.
alignas(32) const std::int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

AWB_AVX2 inline __m256i tailMask(std::int64_t r)
{
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(kMaskTable + 8 - r));
}

// The sum of the 8 lanes as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)): the order of
// hsum4, so an output element gets the same bits whichever tile computed it.
AWB_AVX2 inline float hsum(__m256 v)
{
    const __m256 h = _mm256_hadd_ps(v, v);
    const __m256 q = _mm256_hadd_ps(h, h);
    return _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1)));
}

// The lane sums of a, b, c and d: a quarter of the shuffles of four hsum calls.
AWB_AVX2 inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d)
{
    const __m256 q = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1));
}

// e^x, Cephes' polynomial (relative error about 2e-7); 0 below -87.3, where the
// result would be subnormal, and for -inf; NaN stays NaN.
AWB_AVX2 inline __m256 exp256(__m256 x)
{
    const __m256 lo = _mm256_set1_ps(-87.3365447505531f);
    const __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    x = _mm256_min_ps(_mm256_max_ps(x, lo), _mm256_set1_ps(88.0f));
    const __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    const __m256 z = _mm256_mul_ps(x, x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_add_ps(_mm256_fmadd_ps(y, z, x), _mm256_set1_ps(1.0f));
    const __m256i n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
    y = _mm256_mul_ps(y, _mm256_castsi256_ps(n));
    return _mm256_or_ps(_mm256_andnot_ps(under, y), nan);
}

// How a weight vector is read: fp32 as it is, or bfloat16 (the upper half of
// an fp32) widened with a shift, so the kernels below serve both layouts and
// sum in the same order.
struct F32Weights
{
    using T = float;
    // gemv4's prefetches: into L1, this many bytes ahead (kernels_avx512.cpp).
    static constexpr int kLocality = 3;
    static constexpr std::uintptr_t kAheadBytes = 1024;
    AWB_AVX2 static __m256 load(const float *p) { return _mm256_loadu_ps(p); }
    AWB_AVX2 static __m256 loadTail(const float *p, std::int64_t r) { return _mm256_maskload_ps(p, tailMask(r)); }
};

struct Bf16Weights
{
    using T = std::uint16_t;
    static constexpr int kLocality = 3;
    static constexpr std::uintptr_t kAheadBytes = 2048;
    AWB_AVX2 static __m256 load(const std::uint16_t *p)
    {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    AWB_AVX2 static __m256 loadTail(const std::uint16_t *p, std::int64_t r)
    {
        alignas(16) std::uint16_t part[8] = {};
        std::copy(p, p + r, part);
        return load(part);
    }
};

// MR activation rows times NR weight rows: MR x NR dot products of length K.
// MR * NR accumulators, NR weight vectors and one activation vector fit the 16
// registers for (4, 3) and (1, 4).
template <int MR, int NR, class W>
AWB_AVX2 inline void tile(const float *x, std::int64_t ldx, const typename W::T *w, std::int64_t K, const float *bias,
                          float *y, std::int64_t ldy)
{
    __m256 acc[MR][NR];
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            acc[i][j] = _mm256_setzero_ps();
    }
    std::int64_t k = 0;
    for (; k + 8 <= K; k += 8) {
        __m256 wv[NR];
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            wv[j] = W::load(w + j * K + k);
        AWB_UNROLL
        for (int i = 0; i < MR; ++i) {
            const __m256 xv = _mm256_loadu_ps(x + i * ldx + k);
            AWB_UNROLL
            for (int j = 0; j < NR; ++j)
                acc[i][j] = _mm256_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    if (k < K) {
        const __m256i mask = tailMask(K - k);
        __m256 wv[NR];
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            wv[j] = W::loadTail(w + j * K + k, K - k);
        AWB_UNROLL
        for (int i = 0; i < MR; ++i) {
            const __m256 xv = _mm256_maskload_ps(x + i * ldx + k, mask);
            AWB_UNROLL
            for (int j = 0; j < NR; ++j)
                acc[i][j] = _mm256_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    // Reduce the accumulators four at a time, in row-major order of the tile.
    constexpr int kCount = MR * NR;
    alignas(16) float sums[kCount + 3];
    AWB_UNROLL
    for (int t = 0; t + 4 <= kCount; t += 4)
        _mm_store_ps(sums + t, hsum4(acc[t / NR][t % NR], acc[(t + 1) / NR][(t + 1) % NR],
                                     acc[(t + 2) / NR][(t + 2) % NR], acc[(t + 3) / NR][(t + 3) % NR]));
    AWB_UNROLL
    for (int t = kCount / 4 * 4; t < kCount; ++t)
        sums[t] = hsum(acc[t / NR][t % NR]);
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            y[i * ldy + j] = sums[i * NR + j] + (bias ? bias[j] : 0.f);
    }
}

// One activation row against four weight rows, `step` rows apart, each read
// in order with a prefetch per 64-byte line W::kAheadBytes ahead, as in
// kernels_avx512.cpp. Sums in the order of tile<1, 4>.
template <class W>
AWB_AVX2 inline void gemv4(const float *x, const typename W::T *w, std::int64_t K, std::int64_t step,
                           const float *bias, float *y)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const typename W::T *w0 = w, *w1 = w + step * K, *w2 = w + 2 * step * K, *w3 = w + 3 * step * K;
    constexpr std::int64_t kLine = 64 / sizeof(typename W::T);
    std::int64_t k = 0;
    for (; k + kLine <= K; k += kLine) {
        prefetchAhead<W>(w0 + k);
        prefetchAhead<W>(w1 + k);
        prefetchAhead<W>(w2 + k);
        prefetchAhead<W>(w3 + k);
        AWB_UNROLL
        for (std::int64_t u = 0; u < kLine; u += 8) {
            const __m256 xv = _mm256_loadu_ps(x + k + u);
            a0 = _mm256_fmadd_ps(xv, W::load(w0 + k + u), a0);
            a1 = _mm256_fmadd_ps(xv, W::load(w1 + k + u), a1);
            a2 = _mm256_fmadd_ps(xv, W::load(w2 + k + u), a2);
            a3 = _mm256_fmadd_ps(xv, W::load(w3 + k + u), a3);
        }
    }
    for (; k < K; k += 8) {
        const std::int64_t r = std::min<std::int64_t>(8, K - k);
        const __m256 xv = _mm256_maskload_ps(x + k, tailMask(r));
        a0 = _mm256_fmadd_ps(xv, W::loadTail(w0 + k, r), a0);
        a1 = _mm256_fmadd_ps(xv, W::loadTail(w1 + k, r), a1);
        a2 = _mm256_fmadd_ps(xv, W::loadTail(w2 + k, r), a2);
        a3 = _mm256_fmadd_ps(xv, W::loadTail(w3 + k, r), a3);
    }
    alignas(16) float sums[4];
    _mm_store_ps(sums, hsum4(a0, a1, a2, a3));
    for (int j = 0; j < 4; ++j)
        y[j * step] = sums[j] + (bias ? bias[j * step] : 0.f);
}

// All M activation rows against NR weight rows, which stay in L1 meanwhile.
template <int NR, class W>
AWB_AVX2 void rowBlock(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const typename W::T *w,
                       const float *bias, float *y, std::int64_t ldy)
{
    std::int64_t m = 0;
    for (; m + 4 <= M; m += 4)
        tile<4, NR, W>(x + m * ldx, ldx, w, K, bias, y + m * ldy, ldy);
    switch (M - m) {
    case 3: tile<3, NR, W>(x + m * ldx, ldx, w, K, bias, y + m * ldy, ldy); break;
    case 2: tile<2, NR, W>(x + m * ldx, ldx, w, K, bias, y + m * ldy, ldy); break;
    case 1: tile<1, NR, W>(x + m * ldx, ldx, w, K, bias, y + m * ldy, ldy); break;
    default: break;
    }
}

template <int QR, bool Tail>
AWB_AVX2 inline void weightedBlock(const float *p, std::int64_t L, const float *v, std::int64_t d, std::int64_t j,
                                   float *out, std::int64_t ldo)
{
    const __m256i m0 = tailMask(Tail ? std::min<std::int64_t>(8, d - j) : 8);
    const __m256i m1 = tailMask(Tail ? std::max<std::int64_t>(0, d - j - 8) : 8);
    __m256 acc[QR][2];
    AWB_UNROLL
    for (int r = 0; r < QR; ++r)
        acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (std::int64_t l = 0; l < L; ++l) {
        const float *vr = v + l * d + j;
        const __m256 v0 = Tail ? _mm256_maskload_ps(vr, m0) : _mm256_loadu_ps(vr);
        const __m256 v1 = Tail ? _mm256_maskload_ps(vr + 8, m1) : _mm256_loadu_ps(vr + 8);
        AWB_UNROLL
        for (int r = 0; r < QR; ++r) {
            const __m256 pb = _mm256_set1_ps(p[r * L + l]);
            acc[r][0] = _mm256_fmadd_ps(pb, v0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(pb, v1, acc[r][1]);
        }
    }
    AWB_UNROLL
    for (int r = 0; r < QR; ++r) {
        float *o = out + r * ldo + j;
        if (Tail) {
            _mm256_maskstore_ps(o, m0, acc[r][0]);
            _mm256_maskstore_ps(o + 8, m1, acc[r][1]);
        } else {
            _mm256_storeu_ps(o, acc[r][0]);
            _mm256_storeu_ps(o + 8, acc[r][1]);
        }
    }
}

template <int QR>
AWB_AVX2 void weightedRows(const float *p, std::int64_t L, const float *v, std::int64_t d, float *out,
                           std::int64_t ldo)
{
    std::int64_t j = 0;
    for (; j + 16 <= d; j += 16)
        weightedBlock<QR, false>(p, L, v, d, j, out, ldo);
    if (j < d)
        weightedBlock<QR, true>(p, L, v, d, j, out, ldo);
}

template <class W>
AWB_AVX2 void linearRange(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const typename W::T *w,
                          std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    std::int64_t n = n0;
    if (M == 1) {
        // Four quarters of the range, one row of each at a time; see
        // kernels_avx512.cpp.
        const std::int64_t q = (n1 - n0) / 4;
        for (std::int64_t i = 0; i < q; ++i, ++n)
            gemv4<W>(x, w + n * K, K, q, bias ? bias + n : nullptr, y + n);
        n = n0 + 4 * q;
    } else {
        for (; n + 3 <= n1; n += 3)
            rowBlock<3, W>(x, M, K, ldx, w + n * K, bias ? bias + n : nullptr, y + n, ldy);
    }
    for (; n < n1; ++n)
        rowBlock<1, W>(x, M, K, ldx, w + n * K, bias ? bias + n : nullptr, y + n, ldy);
}

// out[MR rows, 16 columns] (+)= g[MR rows, nb] times a widened panel [nb, 16]
// of w: 2 x MR accumulators, two panel vectors and a broadcast of g.
template <int MR>
AWB_AVX2 inline void productTile(const float *g, std::int64_t ldg, const float *panel, std::int64_t nb, float *out,
                                 std::int64_t ldo, __m256i m0, __m256i m1, bool accumulate)
{
    __m256 acc[MR][2];
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        acc[i][0] = accumulate ? _mm256_maskload_ps(out + i * ldo, m0) : _mm256_setzero_ps();
        acc[i][1] = accumulate ? _mm256_maskload_ps(out + i * ldo + 8, m1) : _mm256_setzero_ps();
    }
    for (std::int64_t n = 0; n < nb; ++n) {
        const __m256 b0 = _mm256_loadu_ps(panel + n * 16), b1 = _mm256_loadu_ps(panel + n * 16 + 8);
        AWB_UNROLL
        for (int i = 0; i < MR; ++i) {
            const __m256 a = _mm256_broadcast_ss(g + i * ldg + n);
            acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        _mm256_maskstore_ps(out + i * ldo, m0, acc[i][0]);
        _mm256_maskstore_ps(out + i * ldo + 8, m1, acc[i][1]);
    }
}

} // namespace

AWB_AVX2 void linearRangeAvx2(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                              std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    linearRange<F32Weights>(x, M, K, ldx, w, n0, n1, bias, y, ldy);
}

AWB_AVX2 void linearRangeBf16Avx2(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx,
                                  const std::uint16_t *w, std::int64_t n0, std::int64_t n1, const float *bias, float *y,
                                  std::int64_t ldy)
{
    linearRange<Bf16Weights>(x, M, K, ldx, w, n0, n1, bias, y, ldy);
}

// Rows n0.. of w widened kProductRows at a time, 16 columns at a time: every
// row of g runs over the panel while it is in L1; out is accumulated per panel.
AWB_AVX2 void productColumnsBf16Avx2(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg,
                                     const std::uint16_t *w, std::int64_t K, std::int64_t k0, std::int64_t k1,
                                     float *out, std::int64_t ldo)
{
    constexpr std::int64_t kWidth = 16;
    alignas(32) float panel[kProductRows * kWidth];
    for (std::int64_t n0 = 0; n0 < N; n0 += kProductRows) {
        const std::int64_t nb = std::min(kProductRows, N - n0);
        for (std::int64_t kb = k0; kb < k1; kb += kWidth) {
            const std::int64_t width = std::min(kWidth, k1 - kb);
            const std::int64_t lo = std::min<std::int64_t>(8, width), hi = width - lo;
            for (std::int64_t n = 0; n < nb; ++n) {
                const std::uint16_t *src = w + (n0 + n) * K + kb;
                _mm256_store_ps(panel + n * kWidth, lo == 8 ? Bf16Weights::load(src) : Bf16Weights::loadTail(src, lo));
                _mm256_store_ps(panel + n * kWidth + 8,
                                hi == 8 ? Bf16Weights::load(src + 8) : Bf16Weights::loadTail(src + 8, hi));
            }
            const __m256i m0 = tailMask(lo), m1 = tailMask(hi);
            const float *gb = g + n0;
            float *ob = out + kb;
            const bool acc = n0 > 0;
            std::int64_t m = 0;
            for (; m + 6 <= M; m += 6)
                productTile<6>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, m0, m1, acc);
            switch (M - m) {
            case 5: productTile<5>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, m0, m1, acc); break;
            case 4: productTile<4>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, m0, m1, acc); break;
            case 3: productTile<3>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, m0, m1, acc); break;
            case 2: productTile<2>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, m0, m1, acc); break;
            case 1: productTile<1>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, m0, m1, acc); break;
            default: break;
            }
        }
    }
}

AWB_AVX2 void rmsNormRowAvx2(const float *x, const float *w, float eps, std::int64_t n, float *y)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
        s0 = _mm256_fmadd_ps(a, a, s0);
        s1 = _mm256_fmadd_ps(b, b, s1);
    }
    float ss = hsum(_mm256_add_ps(s0, s1));
    for (; i < n; ++i)
        ss += x[i] * x[i];
    const float r = 1.f / std::sqrt(ss / static_cast<float>(n) + eps);
    const __m256 rv = _mm256_set1_ps(r);
    i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(w + i), _mm256_mul_ps(_mm256_loadu_ps(x + i), rv)));
    for (; i < n; ++i)
        y[i] = w[i] * (x[i] * r);
}

AWB_AVX2 void ropeAvx2(float *x, std::int64_t heads, std::int64_t d, const float *cos, const float *sinSigned)
{
    const std::int64_t half = d / 2;
    for (std::int64_t h = 0; h < heads; ++h) {
        float *a = x + h * d, *b = a + half;
        std::int64_t i = 0;
        for (; i + 8 <= half; i += 8) {
            const __m256 x1 = _mm256_loadu_ps(a + i), x2 = _mm256_loadu_ps(b + i);
            const __m256 c1 = _mm256_loadu_ps(cos + i), c2 = _mm256_loadu_ps(cos + half + i);
            const __m256 s1 = _mm256_loadu_ps(sinSigned + i), s2 = _mm256_loadu_ps(sinSigned + half + i);
            _mm256_storeu_ps(a + i, _mm256_fmadd_ps(x2, s1, _mm256_mul_ps(x1, c1)));
            _mm256_storeu_ps(b + i, _mm256_fmadd_ps(x1, s2, _mm256_mul_ps(x2, c2)));
        }
        for (; i < half; ++i) {
            const float x1 = a[i], x2 = b[i];
            a[i] = x1 * cos[i] + x2 * sinSigned[i];
            b[i] = x2 * cos[half + i] + x1 * sinSigned[half + i];
        }
    }
}

AWB_AVX2 void siluMulAvx2(const float *gate, const float *up, std::int64_t n, float *out)
{
    const __m256 one = _mm256_set1_ps(1.f), zero = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 s = _mm256_div_ps(g, _mm256_add_ps(one, exp256(_mm256_sub_ps(zero, g))));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; ++i)
        out[i] = gate[i] / (1.f + std::exp(-gate[i])) * up[i];
}

AWB_AVX2 void axpyAvx2(std::int64_t n, float alpha, const float *x, float *y)
{
    const __m256 a = _mm256_set1_ps(alpha);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += alpha * x[i];
}

AWB_AVX2 void widenBf16Avx2(const std::uint16_t *src, std::int64_t n, float *dst)
{
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, Bf16Weights::load(src + i));
    if (i < n)
        _mm256_maskstore_ps(dst + i, tailMask(n - i), Bf16Weights::loadTail(src + i, n - i));
}

static AWB_AVX2 float rowMax(const float *x, std::int64_t n)
{
    std::int64_t i = 0;
    float mx = -std::numeric_limits<float>::infinity();
    if (n >= 8) {
        __m256 m = _mm256_loadu_ps(x);
        for (i = 8; i + 8 <= n; i += 8)
            m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        mx = _mm_cvtss_f32(h);
    }
    for (; i < n; ++i)
        mx = std::max(mx, x[i]);
    return mx;
}

AWB_AVX2 double logSumExpAvx2(const float *x, std::int64_t n)
{
    const float mx = rowMax(x, n);
    const __m256 mv = _mm256_set1_ps(mx);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, _mm256_add_pd(s0, s1));
    double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; ++i)
        sum += std::exp(static_cast<double>(x[i] - mx));
    return mx + std::log(sum);
}

AWB_AVX2 void softmaxRowAvx2(float *x, std::int64_t n)
{
    std::int64_t i = 0;
    const float mx = rowMax(x, n);
    const __m256 mv = _mm256_set1_ps(mx);
    __m256 sv = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
        _mm256_storeu_ps(x + i, e);
        sv = _mm256_add_ps(sv, e);
    }
    float sum = hsum(sv);
    for (; i < n; ++i) {
        x[i] = std::exp(x[i] - mx);
        sum += x[i];
    }
    const __m256 inv = _mm256_set1_ps(1.f / sum);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; ++i)
        x[i] *= 1.f / sum;
}

AWB_AVX2 void weightedSumAvx2(const float *p, std::int64_t Q, std::int64_t L, const float *v, std::int64_t d,
                              float *out, std::int64_t ldo)
{
    std::int64_t q = 0;
    for (; q + 4 <= Q; q += 4)
        weightedRows<4>(p + q * L, L, v, d, out + q * ldo, ldo);
    switch (Q - q) {
    case 3: weightedRows<3>(p + q * L, L, v, d, out + q * ldo, ldo); break;
    case 2: weightedRows<2>(p + q * L, L, v, d, out + q * ldo, ldo); break;
    case 1: weightedRows<1>(p + q * L, L, v, d, out + q * ldo, ldo); break;
    default: break;
    }
}

} // namespace awb::kernels::detail

#else // not x86: kernels::isaSupported(Isa::Avx2) is false and nothing calls these.

#include <cstdlib>

namespace awb::kernels::detail {

void linearRangeAvx2(const float *, std::int64_t, std::int64_t, std::int64_t, const float *, std::int64_t,
                     std::int64_t, const float *, float *, std::int64_t) { std::abort(); }
void linearRangeBf16Avx2(const float *, std::int64_t, std::int64_t, std::int64_t, const std::uint16_t *, std::int64_t,
                         std::int64_t, const float *, float *, std::int64_t) { std::abort(); }
void rmsNormRowAvx2(const float *, const float *, float, std::int64_t, float *) { std::abort(); }
void ropeAvx2(float *, std::int64_t, std::int64_t, const float *, const float *) { std::abort(); }
void siluMulAvx2(const float *, const float *, std::int64_t, float *) { std::abort(); }
void axpyAvx2(std::int64_t, float, const float *, float *) { std::abort(); }
void widenBf16Avx2(const std::uint16_t *, std::int64_t, float *) { std::abort(); }
void softmaxRowAvx2(float *, std::int64_t) { std::abort(); }
double logSumExpAvx2(const float *, std::int64_t) { std::abort(); }
void weightedSumAvx2(const float *, std::int64_t, std::int64_t, const float *, std::int64_t, float *,
                     std::int64_t) { std::abort(); }
void productColumnsBf16Avx2(const float *, std::int64_t, std::int64_t, std::int64_t, const std::uint16_t *,
                            std::int64_t, std::int64_t, std::int64_t, float *, std::int64_t) { std::abort(); }

} // namespace awb::kernels::detail

#endif
