#pragma once
// fp32 CPU kernels (weights fp32 or bfloat16) for the inference path of the model runtime: matrix
// products of a few activation rows with a row-major weight matrix (decoding
// reads every weight once per step, so this is a memory-bandwidth problem that
// a general GEMM handles poorly), RMSNorm, RoPE, SiLU-gating, softmax and
// attention of a few queries over a KV cache.
//
// Every kernel has an AVX2+FMA implementation, chosen at run time when the CPU
// has it, and a portable scalar one; the matrix product also has an AVX-512
// one. setIsa() forces an instruction set for tests, and the environment
// variable AWB_KERNEL_ISA (scalar, avx2, avx512) for a whole process. Matrix products are split
// over output rows on a small persistent thread pool whose size follows the
// runtime's thread setting (setThreads, see util/runtime).
// Kernels work on raw float pointers, never on tensors: they know nothing of
// devices, dtypes or autograd, and callers use them only for fp32 CPU tensors
// when no gradient is needed.
//
// Thread safety: every function may be called from any thread. The pool serves
// one caller at a time; a second concurrent caller, or a call made from inside
// a pool task, runs serially on its own thread.

#include <cstdint>
#include <functional>

namespace awb::kernels {

enum class Isa { Scalar, Avx2, Avx512 };   // Avx512: AVX-512 F+DQ, AVX2 and FMA

// The instruction set in use: the best the CPU supports unless forced.
Isa isa();
// True when this CPU (and build) can run `isa`.
bool isaSupported(Isa isa);
// Forces an instruction set (tests); one the CPU lacks throws Error.
void setIsa(Isa isa);
const char *isaName(Isa isa);

// Threads used by the kernels, the calling thread included (>= 1). The pool
// starts lazily with availableCores() threads.
void setThreads(int threads);
int threads();

// Runs fn(begin, end) over [0, n) split into contiguous chunks (a few per
// thread) whose boundaries are multiples of `grain`; returns when all are done.
// The calling thread takes part. Exceptions must not escape fn.
void parallelFor(std::int64_t n, std::int64_t grain, const std::function<void(std::int64_t, std::int64_t)> &fn);

// y[m, n] = sum_k x[m, k] * w[n, k] (+ bias[n]) for m < M, n < N: x times the
// transpose of a row-major weight w [N, K], as torch's linear(). Rows of x are
// ldx floats apart and rows of y ldy floats apart; w is dense. bias may be
// null. Split over n on the pool. Fast for small M (decoding); any M works.
void linear(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w, std::int64_t N,
            const float *bias, float *y, std::int64_t ldy);
// The same on the calling thread only, for use inside parallelFor.
void linearSerial(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w, std::int64_t N,
                  const float *bias, float *y, std::int64_t ldy);

// The same with a bfloat16 weight matrix (each value the upper 16 bits of an
// fp32, as torch stores bfloat16), widened to fp32 as it is read: the result
// equals linear() on the widened matrix bit for bit, and decoding reads half
// the bytes. x, bias and y are fp32.
void linearBf16(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const std::uint16_t *w,
                std::int64_t N, const float *bias, float *y, std::int64_t ldy);

// out[m, k] = sum_n g[m, n] * w[n, k] for m < M, k < K: g times a row-major
// bfloat16 matrix w [N, K], not transposed (the input gradient of linearBf16's
// product). Rows of g are ldg floats apart and rows of out ldo floats apart;
// out is overwritten. Each thread widens a panel of w (kProductRows rows of 64
// columns) into a buffer that stays in cache while every row of g uses it, so
// no fp32 copy of w is written to memory. Split over k on the pool.
void productBf16(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg, const std::uint16_t *w,
                 std::int64_t K, float *out, std::int64_t ldo);

// y[r] = w * x[r] / sqrt(mean(x[r]^2) + eps) for `rows` rows of n floats
// (LlamaRMSNorm). x and y may be the same buffer.
void rmsNorm(const float *x, const float *w, float eps, std::int64_t rows, std::int64_t n, float *y);

// In place on `heads` vectors of d floats, d even: x <- x * cos + rotate_half(x) * sin,
// where `sinSigned` already carries rotate_half's sign (-sin on the first half).
void rope(float *x, std::int64_t heads, std::int64_t d, const float *cos, const float *sinSigned);

// out[i] = silu(gate[i]) * up[i] for i < n.
void siluMul(const float *gate, const float *up, std::int64_t n, float *out);

// dst[i] = src[i] widened from bfloat16 (the upper half of an fp32) for i < n,
// exactly; split over the pool when n is large.
void widenBf16(const std::uint16_t *src, std::int64_t n, float *dst);

// y[i] += alpha * x[i] for i < n.
void axpy(std::int64_t n, float alpha, const float *x, float *y);

// Softmax over each of `rows` rows of n floats, in place; -inf entries get 0.
// Every row needs at least one finite entry.
void softmax(float *x, std::int64_t rows, std::int64_t n);

// log(sum_i exp(x[i])) over n floats, at least one of them finite; the sum is
// accumulated in double.
double logSumExp(const float *x, std::int64_t n);

// Attention of Q query rows over L cached positions, for one KV head:
//   out[q] = sum_l p[q, l] v[l],  p[q] = softmax_l(scale * <query[q], k[l]> + mask),
// where position l is masked out (-inf) unless visible[(q / group) * L + l] is
// true: `group` consecutive query rows (the query heads sharing this KV head)
// share one row of the mask, and every mask row must show at least one position.
// Query rows are ldq floats apart, out rows ldo; k and v are dense [L, d].
// `scratch` holds at least Q * L floats. Runs on the calling thread.
void attend(const float *query, std::int64_t Q, std::int64_t ldq, const float *k, const float *v, std::int64_t L,
            std::int64_t d, float scale, const bool *visible, std::int64_t group, float *scratch, float *out,
            std::int64_t ldo);

} // namespace awb::kernels
