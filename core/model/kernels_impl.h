#pragma once
// Per-instruction-set implementations behind kernels.h; only kernels.cpp and
// the tests call these directly. The *Avx2 functions may only run on a CPU with
// AVX2 and FMA, *Avx512 with AVX-512 too (kernels::isaSupported).
//
// linearRange* computes columns [n0, n1) of y = x w^T (+ bias), see kernels::linear;
// linearRangeBf16* the same for bfloat16 weights (kernels::linearBf16).
// weightedSum* computes out[q] = sum_l p[q, l] v[l] for p [Q, L] and v [L, d].
// productColumnsBf16* computes columns [k0, k1) of out = g w for a bfloat16 w
// [N, K] (kernels::productBf16), N > 0; k0 is a multiple of kProductColumns.

#include <cstdint>

namespace awb::kernels::detail {

// Columns of out that productColumnsBf16 computes as one block (a multiple of
// every instruction set's vector width), and rows of w widened at a time.
constexpr std::int64_t kProductColumns = 64;
constexpr std::int64_t kProductRows = 128;

// The batch-1 products' prefetch, for any instruction set: the line
// W::kAheadBytes past p, with locality W::kLocality (3: into L1). In integers:
// near the end of the weights the address lies past them, which a prefetch may
// name but pointer arithmetic may not.
template <class W>
inline void prefetchAhead(const typename W::T *p)
{
    __builtin_prefetch(reinterpret_cast<const void *>(reinterpret_cast<std::uintptr_t>(p) + W::kAheadBytes), 0,
                       W::kLocality);
}

void linearRangeScalar(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                       std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy);
void linearRangeBf16Scalar(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const std::uint16_t *w,
                           std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy);
void rmsNormRowScalar(const float *x, const float *w, float eps, std::int64_t n, float *y);
void ropeScalar(float *x, std::int64_t heads, std::int64_t d, const float *cos, const float *sinSigned);
void siluMulScalar(const float *gate, const float *up, std::int64_t n, float *out);
void axpyScalar(std::int64_t n, float alpha, const float *x, float *y);
void widenBf16Scalar(const std::uint16_t *src, std::int64_t n, float *dst);
void softmaxRowScalar(float *x, std::int64_t n);
double logSumExpScalar(const float *x, std::int64_t n);
void productColumnsBf16Scalar(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg, const std::uint16_t *w,
                              std::int64_t K, std::int64_t k0, std::int64_t k1, float *out, std::int64_t ldo);
void weightedSumScalar(const float *p, std::int64_t Q, std::int64_t L, const float *v, std::int64_t d, float *out,
                       std::int64_t ldo);

void linearRangeAvx2(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                     std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy);
void linearRangeBf16Avx2(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const std::uint16_t *w,
                         std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy);
void rmsNormRowAvx2(const float *x, const float *w, float eps, std::int64_t n, float *y);
void ropeAvx2(float *x, std::int64_t heads, std::int64_t d, const float *cos, const float *sinSigned);
void siluMulAvx2(const float *gate, const float *up, std::int64_t n, float *out);
void axpyAvx2(std::int64_t n, float alpha, const float *x, float *y);
void widenBf16Avx2(const std::uint16_t *src, std::int64_t n, float *dst);
void softmaxRowAvx2(float *x, std::int64_t n);
double logSumExpAvx2(const float *x, std::int64_t n);
void productColumnsBf16Avx2(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg, const std::uint16_t *w,
                            std::int64_t K, std::int64_t k0, std::int64_t k1, float *out, std::int64_t ldo);
void weightedSumAvx2(const float *p, std::int64_t Q, std::int64_t L, const float *v, std::int64_t d, float *out,
                     std::int64_t ldo);

// AVX-512 (F and DQ); only the matrix products have versions of their own.
void linearRangeAvx512(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                       std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy);
void linearRangeBf16Avx512(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const std::uint16_t *w,
                           std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy);
void productColumnsBf16Avx512(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg,
                              const std::uint16_t *w, std::int64_t K, std::int64_t k0, std::int64_t k1, float *out,
                              std::int64_t ldo);

} // namespace awb::kernels::detail
