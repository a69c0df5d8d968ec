#include "model/kernels.h"

#include "model/kernels_impl.h"
#include "util/error.h"
#include "util/runtime.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdlib>
#include <string>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AWB_CPU_PAUSE() _mm_pause()
#else
#define AWB_CPU_PAUSE() ((void)0)
#endif

namespace awb::kernels {

namespace {

// ---- thread pool ----------------------------------------------------------------

// Workers spin this long for the next task before they sleep: a decode step
// dispatches a few hundred matrix products, microseconds apart, and waking a
// sleeping thread costs about as much as a small product. Bounded, so an idle
// process does not burn a core that other processes need.
constexpr auto kSpin = std::chrono::microseconds(200);

// A range is cut into this many chunks per thread, claimed first come first
// served: when the machine is busy and a worker is descheduled, the others take
// over its share instead of waiting for it, and the threads' last chunks end
// close together.
constexpr std::int64_t kChunksPerThread = 8;

thread_local bool tl_inPool = false;

class Pool
{
public:
    static Pool &instance()
    {
        static Pool pool;
        return pool;
    }

    ~Pool() { stop(); }

    int threads()
    {
        std::lock_guard<std::mutex> call(m_callMutex);
        ensureStarted();
        return m_threads;
    }

    void setThreads(int threads)
    {
        std::lock_guard<std::mutex> call(m_callMutex);
        stop();
        m_threads = std::max(1, threads);
        start();
    }

    void run(std::int64_t n, std::int64_t grain, const std::function<void(std::int64_t, std::int64_t)> &fn)
    {
        if (n <= 0)
            return;
        grain = std::max<std::int64_t>(1, grain);
        std::unique_lock<std::mutex> call(m_callMutex, std::try_to_lock);
        if (tl_inPool || !call.owns_lock()) {
            fn(0, n);
            return;
        }
        ensureStarted();
        const std::int64_t units = (n + grain - 1) / grain;
        // At most 65535 chunks: the count is a 16-bit field of the ticket.
        const std::int64_t chunks = std::min<std::int64_t>({m_threads * kChunksPerThread, units, 0xffff});
        if (m_threads == 1 || chunks <= 1) {
            fn(0, n);
            return;
        }
        // Chunk c covers units [c * units / chunks, (c + 1) * units / chunks). The
        // task is published by one word, the ticket (generation, chunk count, next
        // chunk); a thread claims a chunk by advancing it, which fails once the
        // generation moved on, so nobody runs a chunk of a finished task.
        m_fn = &fn;
        m_n = n;
        m_grain = grain;
        m_units = units;
        m_done.store(0, std::memory_order_relaxed);
        const std::uint64_t generation = (m_ticket.load(std::memory_order_relaxed) >> 32) + 1;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_ticket.store(generation << 32 | static_cast<std::uint64_t>(chunks) << 16, std::memory_order_release);
        }
        m_wake.notify_all();
        tl_inPool = true;
        const std::int64_t mine = claimAndRun(generation & 0xffffffffu);
        tl_inPool = false;
        // Chunks still running on workers are short: spin, but yield the core when
        // a worker has been descheduled (a loaded machine).
        if (mine < chunks)
            for (int i = 0; m_done.load(std::memory_order_acquire) != chunks; ++i) {
                if (i < 4096)
                    AWB_CPU_PAUSE();
                else
                    std::this_thread::yield();
            }
        m_fn = nullptr;
    }

private:
    // Runs chunks of `generation` until none is left; returns how many it ran.
    std::int64_t claimAndRun(std::uint64_t generation)
    {
        std::int64_t ran = 0;
        for (;;) {
            std::uint64_t t = m_ticket.load(std::memory_order_acquire);
            const auto chunks = static_cast<std::int64_t>((t >> 16) & 0xffffu);
            const auto c = static_cast<std::int64_t>(t & 0xffffu);
            if ((t >> 32) != generation || c >= chunks)
                return ran;
            if (!m_ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel))
                continue;
            // The task cannot finish before this chunk does: its fields stay valid.
            const std::int64_t b = c * m_units / chunks * m_grain;
            const std::int64_t e = std::min(m_n, (c + 1) * m_units / chunks * m_grain);
            if (b < e)
                (*m_fn)(b, e);
            ++ran;
            m_done.fetch_add(1, std::memory_order_acq_rel);
        }
    }

    void ensureStarted()
    {
        if (m_threads == 0) {
            m_threads = availableCores();
            start();
        }
    }

    void start()
    {
        m_stopping.store(false, std::memory_order_release);
        // A worker may first run after the next task is published: it must count
        // generations from now, not from whenever it starts.
        const std::uint64_t now = m_ticket.load(std::memory_order_acquire) >> 32;
        for (int w = 1; w < m_threads; ++w)
            m_workers.emplace_back([this, now] { workerLoop(now); });
    }

    void stop()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stopping.store(true, std::memory_order_release);
            m_ticket.store(((m_ticket.load(std::memory_order_relaxed) >> 32) + 1) << 32, std::memory_order_release);
        }
        m_wake.notify_all();
        for (auto &t : m_workers)
            t.join();
        m_workers.clear();
    }

    void workerLoop(std::uint64_t seen)
    {
        tl_inPool = true;
        for (;;) {
            auto spinStart = std::chrono::steady_clock::now();
            std::uint64_t generation;
            for (int i = 0;; ++i) {
                generation = m_ticket.load(std::memory_order_acquire) >> 32;
                if (generation != seen)
                    break;
                AWB_CPU_PAUSE();
                if ((i & 63) == 63 && std::chrono::steady_clock::now() - spinStart > kSpin) {
                    std::unique_lock<std::mutex> lock(m_mutex);
                    m_wake.wait(lock, [&] { return (m_ticket.load(std::memory_order_acquire) >> 32) != seen; });
                    spinStart = std::chrono::steady_clock::now();
                }
            }
            seen = generation;
            if (m_stopping.load(std::memory_order_acquire))
                return;
            claimAndRun(generation);
        }
    }

    std::mutex m_callMutex;   // one caller (or setThreads) at a time
    std::mutex m_mutex;       // pairs with m_wake: a generation change never slips past a sleeper
    std::condition_variable m_wake;
    std::atomic<std::uint64_t> m_ticket{0};
    std::atomic<std::int64_t> m_done{0};
    std::atomic<bool> m_stopping{false};
    std::vector<std::thread> m_workers;
    int m_threads = 0;   // 0: not started
    // The task of the current generation, written before it is published.
    const std::function<void(std::int64_t, std::int64_t)> *m_fn = nullptr;
    std::int64_t m_n = 0, m_grain = 1, m_units = 0;
};

// ---- instruction set ------------------------------------------------------------

bool cpuHasAvx2()
{
#if defined(__x86_64__) || defined(__i386__)
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return has;
#else
    return false;
#endif
}

bool cpuHasAvx512()
{
#if defined(__x86_64__) || defined(__i386__)
    static const bool has =
        cpuHasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    return has;
#else
    return false;
#endif
}

// AVX-512 CPUs run the AVX2 versions of every kernel but the matrix product.
bool useAvx2() { return isa() != Isa::Scalar; }

void linearRange(Isa which, const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w,
                 std::int64_t n0, std::int64_t n1, const float *bias, float *y, std::int64_t ldy)
{
    switch (which) {
    case Isa::Avx512: detail::linearRangeAvx512(x, M, K, ldx, w, n0, n1, bias, y, ldy); break;
    case Isa::Avx2: detail::linearRangeAvx2(x, M, K, ldx, w, n0, n1, bias, y, ldy); break;
    case Isa::Scalar: detail::linearRangeScalar(x, M, K, ldx, w, n0, n1, bias, y, ldy); break;
    }
}

void linearRangeBf16(Isa which, const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx,
                     const std::uint16_t *w, std::int64_t n0, std::int64_t n1, const float *bias, float *y,
                     std::int64_t ldy)
{
    switch (which) {
    case Isa::Avx512: detail::linearRangeBf16Avx512(x, M, K, ldx, w, n0, n1, bias, y, ldy); break;
    case Isa::Avx2: detail::linearRangeBf16Avx2(x, M, K, ldx, w, n0, n1, bias, y, ldy); break;
    case Isa::Scalar: detail::linearRangeBf16Scalar(x, M, K, ldx, w, n0, n1, bias, y, ldy); break;
    }
}

std::atomic<int> g_isa{-1};   // -1: not chosen yet

// Below this many multiply-adds a product is not worth waking the pool for.
constexpr std::int64_t kParallelWork = 1 << 16;

} // namespace

bool isaSupported(Isa which)
{
    switch (which) {
    case Isa::Scalar: return true;
    case Isa::Avx2: return cpuHasAvx2();
    case Isa::Avx512: return cpuHasAvx512();
    }
    return false;
}

Isa isa()
{
    int v = g_isa.load(std::memory_order_relaxed);
    if (v < 0) {
        v = static_cast<int>(cpuHasAvx512() ? Isa::Avx512 : cpuHasAvx2() ? Isa::Avx2 : Isa::Scalar);
        // AWB_KERNEL_ISA=scalar|avx2|avx512 caps the choice, e.g. to reproduce an AVX2
        // machine's rounding on an AVX-512 one; a name the CPU cannot run is ignored.
        if (const char *env = std::getenv("AWB_KERNEL_ISA")) {
            for (Isa which : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
                if (std::string(env) == isaName(which) && isaSupported(which))
                    v = static_cast<int>(which);
        }
        g_isa.store(v, std::memory_order_relaxed);
    }
    return static_cast<Isa>(v);
}

void setIsa(Isa which)
{
    if (!isaSupported(which))
        throw Error(std::string("kernels: this CPU does not support ") + isaName(which));
    g_isa.store(static_cast<int>(which), std::memory_order_relaxed);
}

const char *isaName(Isa which)
{
    switch (which) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
    }
    return "unknown";
}

void setThreads(int threads) { Pool::instance().setThreads(threads); }

int threads() { return Pool::instance().threads(); }

void parallelFor(std::int64_t n, std::int64_t grain, const std::function<void(std::int64_t, std::int64_t)> &fn)
{
    Pool::instance().run(n, grain, fn);
}

void linearSerial(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w, std::int64_t N,
                  const float *bias, float *y, std::int64_t ldy)
{
    if (M <= 0 || N <= 0)
        return;
    linearRange(isa(), x, M, K, ldx, w, 0, N, bias, y, ldy);
}

void linear(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const float *w, std::int64_t N,
            const float *bias, float *y, std::int64_t ldy)
{
    if (M <= 0 || N <= 0)
        return;
    const Isa which = isa();
    auto range = [&](std::int64_t n0, std::int64_t n1) { linearRange(which, x, M, K, ldx, w, n0, n1, bias, y, ldy); };
    if (M * N * K < kParallelWork)
        range(0, N);
    else
        parallelFor(N, 16, range);
}

void linearBf16(const float *x, std::int64_t M, std::int64_t K, std::int64_t ldx, const std::uint16_t *w,
                std::int64_t N, const float *bias, float *y, std::int64_t ldy)
{
    if (M <= 0 || N <= 0)
        return;
    const Isa which = isa();
    auto range = [&](std::int64_t n0, std::int64_t n1) {
        linearRangeBf16(which, x, M, K, ldx, w, n0, n1, bias, y, ldy);
    };
    if (M * N * K < kParallelWork)
        range(0, N);
    else
        parallelFor(N, 16, range);
}

void productBf16(const float *g, std::int64_t M, std::int64_t N, std::int64_t ldg, const std::uint16_t *w,
                 std::int64_t K, float *out, std::int64_t ldo)
{
    if (M <= 0 || K <= 0)
        return;
    if (N <= 0) {   // an empty sum; the implementations assume N > 0
        for (std::int64_t m = 0; m < M; ++m)
            std::fill(out + m * ldo, out + m * ldo + K, 0.f);
        return;
    }
    const Isa which = isa();
    auto columns = [&](std::int64_t b0, std::int64_t b1) {
        const std::int64_t k0 = b0 * detail::kProductColumns, k1 = std::min(K, b1 * detail::kProductColumns);
        switch (which) {
        case Isa::Avx512: detail::productColumnsBf16Avx512(g, M, N, ldg, w, K, k0, k1, out, ldo); break;
        case Isa::Avx2: detail::productColumnsBf16Avx2(g, M, N, ldg, w, K, k0, k1, out, ldo); break;
        case Isa::Scalar: detail::productColumnsBf16Scalar(g, M, N, ldg, w, K, k0, k1, out, ldo); break;
        }
    };
    const std::int64_t blocks = (K + detail::kProductColumns - 1) / detail::kProductColumns;
    if (M * N * K < kParallelWork)
        columns(0, blocks);
    else
        parallelFor(blocks, 1, columns);
}

void rmsNorm(const float *x, const float *w, float eps, std::int64_t rows, std::int64_t n, float *y)
{
    const bool avx2 = useAvx2();
    for (std::int64_t r = 0; r < rows; ++r) {
        if (avx2)
            detail::rmsNormRowAvx2(x + r * n, w, eps, n, y + r * n);
        else
            detail::rmsNormRowScalar(x + r * n, w, eps, n, y + r * n);
    }
}

void rope(float *x, std::int64_t heads, std::int64_t d, const float *cos, const float *sinSigned)
{
    if (useAvx2())
        detail::ropeAvx2(x, heads, d, cos, sinSigned);
    else
        detail::ropeScalar(x, heads, d, cos, sinSigned);
}

void siluMul(const float *gate, const float *up, std::int64_t n, float *out)
{
    if (useAvx2())
        detail::siluMulAvx2(gate, up, n, out);
    else
        detail::siluMulScalar(gate, up, n, out);
}

void axpy(std::int64_t n, float alpha, const float *x, float *y)
{
    if (useAvx2())
        detail::axpyAvx2(n, alpha, x, y);
    else
        detail::axpyScalar(n, alpha, x, y);
}

void widenBf16(const std::uint16_t *src, std::int64_t n, float *dst)
{
    const bool avx2 = useAvx2();
    auto range = [&](std::int64_t i0, std::int64_t i1) {
        if (avx2)
            detail::widenBf16Avx2(src + i0, i1 - i0, dst + i0);
        else
            detail::widenBf16Scalar(src + i0, i1 - i0, dst + i0);
    };
    if (n < kParallelWork * 4)
        range(0, n);
    else
        parallelFor(n, 1024, range);
}

void softmax(float *x, std::int64_t rows, std::int64_t n)
{
    const bool avx2 = useAvx2();
    for (std::int64_t r = 0; r < rows; ++r) {
        if (avx2)
            detail::softmaxRowAvx2(x + r * n, n);
        else
            detail::softmaxRowScalar(x + r * n, n);
    }
}

double logSumExp(const float *x, std::int64_t n)
{
    return useAvx2() ? detail::logSumExpAvx2(x, n) : detail::logSumExpScalar(x, n);
}

void attend(const float *query, std::int64_t Q, std::int64_t ldq, const float *k, const float *v, std::int64_t L,
            std::int64_t d, float scale, const bool *visible, std::int64_t group, float *scratch, float *out,
            std::int64_t ldo)
{
    if (Q <= 0)
        return;
    const bool avx2 = useAvx2();
    linearRange(isa(), query, Q, d, ldq, k, 0, L, nullptr, scratch, L);
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    for (std::int64_t q = 0; q < Q; ++q) {
        const bool *vis = visible + (q / group) * L;
        float *s = scratch + q * L;
        for (std::int64_t l = 0; l < L; ++l)
            s[l] = vis[l] ? s[l] * scale : kNegInf;
    }
    softmax(scratch, Q, L);
    if (avx2)
        detail::weightedSumAvx2(scratch, Q, L, v, d, out, ldo);
    else
        detail::weightedSumScalar(scratch, Q, L, v, d, out, ldo);
}

} // namespace awb::kernels
