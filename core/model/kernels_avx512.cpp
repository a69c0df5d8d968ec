// AVX-512 matrix product for kernels::linear; the other kernels are short or
// bound by memory and use their AVX2 versions. Built with target attributes,
// not -mavx512f, for the reason given in kernels_avx2.cpp.
//
// With 32 vector registers a tile of 4 activation rows x 6 weight rows keeps 24
// accumulators, so each weight vector loaded feeds 4 multiply-adds and each
// activation vector 6: about a third faster than the AVX2 tile on a batch of
// 32 (decoding 32 sequences is bound by arithmetic, not by memory).
#include "model/kernels_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#include <algorithm>

#define AWB_AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))
#if defined(__clang__)
#define AWB_UNROLL _Pragma("unroll")
#else
#define AWB_UNROLL _Pragma("GCC unroll 8")
#endif

namespace awb::kernels::detail {

namespace {

AWB_AVX512 inline __m256 fold(__m512 v)
{
    // Not _mm512_castps512_ps256: GCC 12 implements it with an "undefined" vector
    // that -Wuninitialized reports.
    return _mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
}

// The lane sums of four accumulators; every output element is reduced in the
// same order, whichever tile computed it.
AWB_AVX512 inline __m128 hsum4(__m512 a, __m512 b, __m512 c, __m512 d)
{
    const __m256 q = _mm256_hadd_ps(_mm256_hadd_ps(fold(a), fold(b)), _mm256_hadd_ps(fold(c), fold(d)));
    return _mm_add_ps(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1));
}

// Weight loads for fp32 and bfloat16 (widened with a shift), as in kernels_avx2.cpp.
struct F32Weights
{
    using T = float;
    // gemv4 prefetches into L1 (_MM_HINT_T0), this many bytes ahead of each row.
    static constexpr int kLocality = 3;
    static constexpr std::uintptr_t kAheadBytes = 1024;
    AWB_AVX512 static __m512 load(const float *p) { return _mm512_loadu_ps(p); }
    AWB_AVX512 static __m512 loadTail(const float *p, __mmask16 mask) { return _mm512_maskz_loadu_ps(mask, p); }
};

struct Bf16Weights
{
    using T = std::uint16_t;
    static constexpr int kLocality = 3;
    static constexpr std::uintptr_t kAheadBytes = 2048;
    AWB_AVX512 static __m512 load(const std::uint16_t *p)
    {
        const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
        // The maskz forms: GCC 12's plain ones start from an "undefined" vector
        // that -Wmaybe-uninitialized reports (see fold()).
        const __m512i wide = _mm512_maskz_cvtepu16_epi32(static_cast<__mmask16>(0xFFFF), h);
        return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(static_cast<__mmask16>(0xFFFF), wide, 16));
    }
    AWB_AVX512 static __m512 loadTail(const std::uint16_t *p, __mmask16 mask)
    {
        alignas(32) std::uint16_t part[16] = {};
        for (int i = 0; i < 16; ++i)
            if (mask & (1u << i))
                part[i] = p[i];
        return load(part);
    }
};

template <int MR, int NR, class W>
AWB_AVX512 inline void tile(const float *x, std::int64_t ldx, const typename W::T *w, std::int64_t K, const float *bias,
                            float *y, std::int64_t ldy)
{
    __m512 acc[MR][NR];
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            acc[i][j] = _mm512_setzero_ps();
    }
    std::int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        __m512 wv[NR];
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            wv[j] = W::load(w + j * K + k);
        AWB_UNROLL
        for (int i = 0; i < MR; ++i) {
            const __m512 xv = _mm512_loadu_ps(x + i * ldx + k);
            AWB_UNROLL
            for (int j = 0; j < NR; ++j)
                acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    if (k < K) {
        const auto mask = static_cast<__mmask16>((1u << (K - k)) - 1u);
        __m512 wv[NR];
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            wv[j] = W::loadTail(w + j * K + k, mask);
        AWB_UNROLL
        for (int i = 0; i < MR; ++i) {
            const __m512 xv = _mm512_maskz_loadu_ps(mask, x + i * ldx + k);
            AWB_UNROLL
            for (int j = 0; j < NR; ++j)
                acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    // Padded to a multiple of four with zero accumulators, reduced four at a time.
    constexpr int kCount = MR * NR, kPadded = (kCount + 3) / 4 * 4;
    alignas(16) float sums[kPadded];
    const __m512 zero = _mm512_setzero_ps();
    AWB_UNROLL
    for (int t = 0; t < kPadded; t += 4) {
        const __m512 a = acc[t / NR][t % NR];
        const __m512 b = t + 1 < kCount ? acc[(t + 1) / NR][(t + 1) % NR] : zero;
        const __m512 c = t + 2 < kCount ? acc[(t + 2) / NR][(t + 2) % NR] : zero;
        const __m512 d = t + 3 < kCount ? acc[(t + 3) / NR][(t + 3) % NR] : zero;
        _mm_store_ps(sums + t, hsum4(a, b, c, d));
    }
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        AWB_UNROLL
        for (int j = 0; j < NR; ++j)
            y[i * ldy + j] = sums[i * NR + j] + (bias ? bias[j] : 0.f);
    }
}

// One activation row against four weight rows, `step` rows apart, each read
// in order with a prefetch per 64-byte line W::kAheadBytes ahead. Sums in the
// order of tile<1, 4>.
template <class W>
AWB_AVX512 inline void gemvStep(const float *x, const typename W::T *w0, const typename W::T *w1,
                                const typename W::T *w2, const typename W::T *w3, std::int64_t k, __m512 &a0,
                                __m512 &a1, __m512 &a2, __m512 &a3)
{
    const __m512 xv = _mm512_loadu_ps(x + k);
    a0 = _mm512_fmadd_ps(xv, W::load(w0 + k), a0);
    a1 = _mm512_fmadd_ps(xv, W::load(w1 + k), a1);
    a2 = _mm512_fmadd_ps(xv, W::load(w2 + k), a2);
    a3 = _mm512_fmadd_ps(xv, W::load(w3 + k), a3);
}

template <class W>
AWB_AVX512 inline void gemv4(const float *x, const typename W::T *w, std::int64_t K, std::int64_t step,
                             const float *bias, float *y)
{
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const typename W::T *w0 = w, *w1 = w + step * K, *w2 = w + 2 * step * K, *w3 = w + 3 * step * K;
    constexpr std::int64_t kLine = 64 / sizeof(typename W::T);
    std::int64_t k = 0;
    for (; k + kLine <= K; k += kLine) {
        prefetchAhead<W>(w0 + k);
        prefetchAhead<W>(w1 + k);
        prefetchAhead<W>(w2 + k);
        prefetchAhead<W>(w3 + k);
        AWB_UNROLL
        for (std::int64_t u = 0; u < kLine; u += 16)
            gemvStep<W>(x, w0, w1, w2, w3, k + u, a0, a1, a2, a3);
    }
    for (; k + 16 <= K; k += 16)   // part of a line (bfloat16 rows)
        gemvStep<W>(x, w0, w1, w2, w3, k, a0, a1, a2, a3);
    if (k < K) {
        const auto mask = static_cast<__mmask16>((1u << (K - k)) - 1u);
        const __m512 xv = _mm512_maskz_loadu_ps(mask, x + k);
        a0 = _mm512_fmadd_ps(xv, W::loadTail(w0 + k, mask), a0);
        a1 = _mm512_fmadd_ps(xv, W::loadTail(w1 + k, mask), a1);
        a2 = _mm512_fmadd_ps(xv, W::loadTail(w2 + k, mask), a2);
        a3 = _mm512_fmadd_ps(xv, W::loadTail(w3 + k, mask), a3);
    }
    alignas(16) float sums[4];
    _mm_store_ps(sums, hsum4(a0, a1, a2, a3));
    for (int j = 0; j < 4; ++j)
        y[j * step] = sums[j] + (bias ? bias[j * step] : 0.f);
}

template <int NR, class W>
AWB_AVX512 void rowBlock(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const typename W::T *w,
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

template <class W>
AWB_AVX512 void linearRange(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const typename W::T *w,
                            std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    std::int64_t n = n0;
    if (M == 1) {
        // The range in four quarters, one row of each at a time: four long
        // streams read in order, which the hardware prefetcher follows, where
        // four adjacent rows start four new streams every row. On an AMD EPYC
        // (Zen 5) the 0.5B decode step's products went from 41 to 56-61 GB/s
        // in bf16 and from 51 to 63-70 GB/s in fp32 (bench_kernels DecodeStep).
        // The summation order of each row is unchanged.
        const std::int64_t q = (n1 - n0) / 4;
        for (std::int64_t i = 0; i < q; ++i, ++n)
            gemv4<W>(x, w + n * K, K, q, bias ? bias + n : nullptr, y + n);
        n = n0 + 4 * q;
    } else {
        for (; n + 6 <= n1; n += 6)
            rowBlock<6, W>(x, M, K, ldx, w + n * K, bias ? bias + n : nullptr, y + n, ldy);
    }
    for (; n < n1; ++n)
        rowBlock<1, W>(x, M, K, ldx, w + n * K, bias ? bias + n : nullptr, y + n, ldy);
}

// out[MR rows, 64 columns] (+)= g[MR rows, nb] times a widened panel [nb, 64]
// of w: 4 x MR accumulators, four panel vectors and a broadcast of g.
template <int MR>
AWB_AVX512 inline void productTile(const float *g, std::int64_t ldg, const float *panel, std::int64_t nb, float *out,
                                   std::int64_t ldo, const __mmask16 *masks, bool accumulate)
{
    __m512 acc[MR][4];
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        AWB_UNROLL
        for (int j = 0; j < 4; ++j)
            acc[i][j] = accumulate ? _mm512_maskz_loadu_ps(masks[j], out + i * ldo + 16 * j) : _mm512_setzero_ps();
    }
    for (std::int64_t n = 0; n < nb; ++n) {
        __m512 b[4];
        AWB_UNROLL
        for (int j = 0; j < 4; ++j)
            b[j] = _mm512_load_ps(panel + n * 64 + 16 * j);
        AWB_UNROLL
        for (int i = 0; i < MR; ++i) {
            const __m512 a = _mm512_set1_ps(g[i * ldg + n]);
            AWB_UNROLL
            for (int j = 0; j < 4; ++j)
                acc[i][j] = _mm512_fmadd_ps(a, b[j], acc[i][j]);
        }
    }
    AWB_UNROLL
    for (int i = 0; i < MR; ++i) {
        AWB_UNROLL
        for (int j = 0; j < 4; ++j)
            _mm512_mask_storeu_ps(out + i * ldo + 16 * j, masks[j], acc[i][j]);
    }
}

} // namespace

AWB_AVX512 void linearRangeAvx512(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                                  std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    linearRange<F32Weights>(x, M, K, ldx, w, n0, n1, bias, y, ldy);
}

AWB_AVX512 void linearRangeBf16Avx512(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx,
                                      const std::uint16_t *w, std::int64_t n0, std::int64_t n1, const float *bias,
                                      float *y, std::int64_t ldy)
{
    linearRange<Bf16Weights>(x, M, K, ldx, w, n0, n1, bias, y, ldy);
}

// As productColumnsBf16Avx2, 64 columns at a time.
AWB_AVX512 void productColumnsBf16Avx512(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg,
                                         const std::uint16_t *w, std::int64_t K, std::int64_t k0, std::int64_t k1,
                                         float *out, std::int64_t ldo)
{
    constexpr std::int64_t kWidth = 64;
    alignas(64) float panel[kProductRows * kWidth];
    for (std::int64_t n0 = 0; n0 < N; n0 += kProductRows) {
        const std::int64_t nb = std::min(kProductRows, N - n0);
        for (std::int64_t kb = k0; kb < k1; kb += kWidth) {
            const std::int64_t width = std::min(kWidth, k1 - kb);
            __mmask16 masks[4];
            for (int j = 0; j < 4; ++j) {
                const std::int64_t r = std::clamp<std::int64_t>(width - 16 * j, 0, 16);
                masks[j] = static_cast<__mmask16>((1u << r) - 1u);
            }
            for (std::int64_t n = 0; n < nb; ++n) {
                const std::uint16_t *src = w + (n0 + n) * K + kb;
                AWB_UNROLL
                for (int j = 0; j < 4; ++j)
                    _mm512_store_ps(panel + n * kWidth + 16 * j, masks[j] == 0xFFFF
                                                                     ? Bf16Weights::load(src + 16 * j)
                                                                     : Bf16Weights::loadTail(src + 16 * j, masks[j]));
            }
            const float *gb = g + n0;
            float *ob = out + kb;
            const bool acc = n0 > 0;
            std::int64_t m = 0;
            for (; m + 6 <= M; m += 6)
                productTile<6>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, masks, acc);
            switch (M - m) {
            case 5: productTile<5>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, masks, acc); break;
            case 4: productTile<4>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, masks, acc); break;
            case 3: productTile<3>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, masks, acc); break;
            case 2: productTile<2>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, masks, acc); break;
            case 1: productTile<1>(gb + m * ldg, ldg, panel, nb, ob + m * ldo, ldo, masks, acc); break;
            default: break;
            }
        }
    }
}

} // namespace awb::kernels::detail

#else // not x86: kernels::isaSupported(Isa::Avx512) is false and nothing calls this.

#include <cstdlib>

namespace awb::kernels::detail {

void linearRangeAvx512(const float *, std::int64_t, std::int64_t, std::int64_t, const float *, std::int64_t,
                       std::int64_t, const float *, float *, std::int64_t) { std::abort(); }
void linearRangeBf16Avx512(const float *, std::int64_t, std::int64_t, std::int64_t, const std::uint16_t *,
                           std::int64_t, std::int64_t, const float *, float *, std::int64_t) { std::abort(); }
void productColumnsBf16Avx512(const float *, std::int64_t, std::int64_t, std::int64_t, const std::uint16_t *,
                              std::int64_t, std::int64_t, std::int64_t, float *, std::int64_t) { std::abort(); }

} // namespace awb::kernels::detail

#endif
