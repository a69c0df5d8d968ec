// Portable implementations of the kernels: plain loops the compiler may
// vectorise for the baseline instruction set. Used on CPUs without AVX2 and by
// the tests as a second implementation.
#include "model/kernels_impl.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace awb::kernels::detail {

namespace {

inline float widen(float v) { return v; }

// bfloat16 is the upper half of an fp32.
inline float widen(std::uint16_t v)
{
    const std::uint32_t bits = static_cast<std::uint32_t>(v) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

template <class T>
void linearRangeT(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const T *w, std::int64_t n0,
                  std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    // Four weight rows at a time, each used against every activation row while
    // it is in the cache: the weights are read from memory once.
    for (std::int64_t n = n0; n < n1; n += 4) {
        const std::int64_t nr = std::min<std::int64_t>(4, n1 - n);
        for (std::int64_t m = 0; m < M; ++m) {
            const float *xr = x + m * ldx;
            for (std::int64_t j = 0; j < nr; ++j) {
                const T *wr = w + (n + j) * K;
                // Four partial sums break the dependency chain and let the compiler vectorise.
                float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
                std::int64_t k = 0;
                for (; k + 4 <= K; k += 4) {
                    s0 += xr[k] * widen(wr[k]);
                    s1 += xr[k + 1] * widen(wr[k + 1]);
                    s2 += xr[k + 2] * widen(wr[k + 2]);
                    s3 += xr[k + 3] * widen(wr[k + 3]);
                }
                for (; k < K; ++k)
                    s0 += xr[k] * widen(wr[k]);
                y[m * ldy + n + j] = (s0 + s1) + (s2 + s3) + (bias ? bias[n + j] : 0.f);
            }
        }
    }
}

} // namespace

void linearRangeScalar(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                       std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    linearRangeT(x, M, K, ldx, w, n0, n1, bias, y, ldy);
}

void linearRangeBf16Scalar(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const std::uint16_t *w,
                           std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    linearRangeT(x, M, K, ldx, w, n0, n1, bias, y, ldy);
}

void rmsNormRowScalar(const float *x, const float *w, float eps, std::int64_t n, float *y)
{
    float ss = 0.f;
    for (std::int64_t i = 0; i < n; ++i)
        ss += x[i] * x[i];
    const float r = 1.f / std::sqrt(ss / static_cast<float>(n) + eps);
    for (std::int64_t i = 0; i < n; ++i)
        y[i] = w[i] * (x[i] * r);
}

void ropeScalar(float *x, std::int64_t heads, std::int64_t d, const float *cos, const float *sinSigned)
{
    const std::int64_t half = d / 2;
    for (std::int64_t h = 0; h < heads; ++h) {
        float *a = x + h * d, *b = a + half;
        for (std::int64_t i = 0; i < half; ++i) {
            const float x1 = a[i], x2 = b[i];
            a[i] = x1 * cos[i] + x2 * sinSigned[i];
            b[i] = x2 * cos[half + i] + x1 * sinSigned[half + i];
        }
    }
}

void siluMulScalar(const float *gate, const float *up, std::int64_t n, float *out)
{
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = gate[i] / (1.f + std::exp(-gate[i])) * up[i];
}

void axpyScalar(std::int64_t n, float alpha, const float *x, float *y)
{
    for (std::int64_t i = 0; i < n; ++i)
        y[i] += alpha * x[i];
}

void widenBf16Scalar(const std::uint16_t *src, std::int64_t n, float *dst)
{
    for (std::int64_t i = 0; i < n; ++i)
        dst[i] = widen(src[i]);
}

void productColumnsBf16Scalar(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg, const std::uint16_t *w,
                              std::int64_t K, std::int64_t k0, std::int64_t k1, float *out, std::int64_t ldo)
{
    const std::int64_t width = k1 - k0;
    for (std::int64_t m = 0; m < M; ++m)
        std::fill(out + m * ldo + k0, out + m * ldo + k1, 0.f);
    std::vector<float> row(static_cast<std::size_t>(width));
    for (std::int64_t n = 0; n < N; ++n) {
        widenBf16Scalar(w + n * K + k0, width, row.data());
        for (std::int64_t m = 0; m < M; ++m) {
            const float a = g[m * ldg + n];
            float *o = out + m * ldo + k0;
            for (std::int64_t k = 0; k < width; ++k)
                o[k] += a * row[k];
        }
    }
}

void softmaxRowScalar(float *x, std::int64_t n)
{
    float mx = -std::numeric_limits<float>::infinity();
    for (std::int64_t i = 0; i < n; ++i)
        mx = std::max(mx, x[i]);
    float sum = 0.f;
    for (std::int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - mx);   // exp(-inf) = 0
        sum += x[i];
    }
    const float inv = 1.f / sum;
    for (std::int64_t i = 0; i < n; ++i)
        x[i] *= inv;
}

double logSumExpScalar(const float *x, std::int64_t n)
{
    float mx = -std::numeric_limits<float>::infinity();
    for (std::int64_t i = 0; i < n; ++i)
        mx = std::max(mx, x[i]);
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
        sum += std::exp(static_cast<double>(x[i] - mx));
    return mx + std::log(sum);
}

void weightedSumScalar(const float *p, std::int64_t Q, std::int64_t L, const float *v, std::int64_t d, float *out,
                       std::int64_t ldo)
{
    for (std::int64_t q = 0; q < Q; ++q) {
        float *o = out + q * ldo;
        std::fill(o, o + d, 0.f);
        for (std::int64_t l = 0; l < L; ++l) {
            const float pl = p[q * L + l];
            if (pl != 0.f)
                axpyScalar(d, pl, v + l * d, o);
        }
    }
}

} // namespace awb::kernels::detail
