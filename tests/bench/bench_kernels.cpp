// Micro-benchmarks of the inference kernels (core/model/kernels.h) against
// LibTorch's own operators (OpenBLAS on Debian), on the shapes of a 135M Llama
// (SmolLM2-135M: hidden 576, intermediate 1536, vocab 49152). Not a test:
// build `bench_kernels` and run it by hand on a quiet machine.
//
//   bench_kernels --benchmark_filter=DecodeStep   # the products of a batch-1 decode step,
//                                                 # 135M fp32, 0.5B fp32 and bf16, 2 and 1 threads;
//                                                 # part:1 the layers alone, part:2 the head alone
//   AWB_BENCH_ISA=avx2 bench_kernels ...          # force an instruction set (scalar, avx2, avx512)
//   bench_kernels --benchmark_filter=StoredProduct # a frozen bf16 base's training products
#include "model/kernels.h"
#include "model/stored_ops.h"
#include "model/weight_arena.h"
#include "util/runtime.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace awb;

namespace {

// Weights bigger than the last-level cache, as in a real decode step: `copies`
// distinct [N, K] matrices used in turn.
struct Weights
{
    std::vector<at::Tensor> w;
    Weights(std::int64_t N, std::int64_t K, int copies)
    {
        for (int i = 0; i < copies; ++i)
            w.push_back(at::randn({N, K}));
    }
};

int copiesFor(std::int64_t N, std::int64_t K)
{
    // At least 512 MB in total, the size of the model's weights.
    const std::int64_t bytes = N * K * 4;
    return static_cast<int>(std::max<std::int64_t>(1, (std::int64_t(512) << 20) / bytes));
}

void setup(benchmark::State &state)
{
    const int threads = state.range(3) > 0 ? static_cast<int>(state.range(3)) : availableCores();
    kernels::setThreads(threads);
    if (const char *isa = std::getenv("AWB_BENCH_ISA"))
        kernels::setIsa(std::string(isa) == "avx2" ? kernels::Isa::Avx2
                        : std::string(isa) == "scalar" ? kernels::Isa::Scalar
                                                       : kernels::Isa::Avx512);
    setBlasThreads(threads);
    at::set_num_threads(1);
}

void BM_Kernel(benchmark::State &state)
{
    setup(state);
    const std::int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    Weights ws(N, K, copiesFor(N, K));
    const at::Tensor x = at::randn({M, K});
    at::Tensor y = at::empty({M, N});
    std::size_t i = 0;
    for (auto _ : state) {
        const at::Tensor &w = ws.w[i++ % ws.w.size()];
        kernels::linear(x.data_ptr<float>(), M, K, K, w.data_ptr<float>(), N, nullptr, y.data_ptr<float>(), N);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * N * K * 4);
    state.counters["GFLOPs"] = benchmark::Counter(double(2 * M * N * K) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_Torch(benchmark::State &state)
{
    setup(state);
    at::NoGradGuard g;
    const std::int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    Weights ws(N, K, copiesFor(N, K));
    const at::Tensor x = at::randn({M, K});
    std::size_t i = 0;
    for (auto _ : state) {
        const at::Tensor &w = ws.w[i++ % ws.w.size()];
        at::Tensor y = M == 1 ? at::mv(w, x[0]) : at::linear(x, w);
        benchmark::DoNotOptimize(y.data_ptr<float>());
    }
    state.SetBytesProcessed(state.iterations() * N * K * 4);
    state.counters["GFLOPs"] = benchmark::Counter(double(2 * M * N * K) * state.iterations(), benchmark::Counter::kIsRate);
}

// The products of a training pass on a frozen bfloat16 base (storedLinear) at
// Qwen2.5-0.5B's MLP shapes: the forward x w^T (kernels::linearBf16) and the
// backward g w (kernels::productBf16), against OpenBLAS on the fp32 copy.
// Args: M, N, K, threads (0: all cores), which (0 forward bf16, 1 backward
// bf16, 2 forward fp32 BLAS, 3 backward fp32 BLAS, 4 storedLinear's forward,
// which splits many rows into chunks).
void BM_StoredProduct(benchmark::State &state)
{
    setup(state);
    at::NoGradGuard g;
    const std::int64_t M = state.range(0), N = state.range(1), K = state.range(2), which = state.range(4);
    const at::Tensor w32 = at::randn({N, K}) * 0.02, w16 = w32.to(at::kBFloat16);
    const at::Tensor x = at::randn({M, K}), grad = at::randn({M, N});
    at::Tensor y = at::empty({M, which % 2 == 0 ? N : K});
    const auto *wp = reinterpret_cast<const std::uint16_t *>(w16.data_ptr());
    for (auto _ : state) {
        switch (which) {
        case 0: kernels::linearBf16(x.data_ptr<float>(), M, K, K, wp, N, nullptr, y.data_ptr<float>(), N); break;
        case 1: kernels::productBf16(grad.data_ptr<float>(), M, N, N, wp, K, y.data_ptr<float>(), K); break;
        case 2: at::mm_out(y, x, w32.t()); break;
        case 4: y = storedLinear(x, w16); break;
        default: at::mm_out(y, grad, w32); break;
        }
        benchmark::ClobberMemory();
    }
    state.counters["GFLOPs"] = benchmark::Counter(double(2 * M * N * K) * state.iterations(), benchmark::Counter::kIsRate);
}

// The memory system's read bandwidth: a sum over 512 MB on the pool.
void BM_ReadBandwidth(benchmark::State &state)
{
    setup(state);
    const std::int64_t n = (std::int64_t(512) << 20) / 4;
    const at::Tensor buf = at::ones({n});
    const float *p = buf.data_ptr<float>();
    const std::int64_t chunk = 1 << 20;
    for (auto _ : state) {
        std::vector<float> sums(64, 0.f);
        kernels::parallelFor(n / chunk, 1, [&](std::int64_t b, std::int64_t e) {
            float s[8] = {};
            for (std::int64_t c = b; c < e; ++c)
                for (std::int64_t i = c * chunk; i < (c + 1) * chunk; i += 8)
                    for (int j = 0; j < 8; ++j)
                        s[j] += p[i + j];
            sums[b % 64] = s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
        });
        benchmark::DoNotOptimize(sums.data());
    }
    state.SetBytesProcessed(state.iterations() * n * 4);
}

// The matrix-vector products of one batch-1 decode step and nothing else: every
// layer's q|k|v, o, gate|up and down, then the vocabulary head. Items per
// second is the ceiling for decoding tokens per second. Args: model (0: the
// 135M Llama, 1: the Qwen2.5-0.5B shape), weights (0: fp32, 1: bfloat16),
// part (0: all, 1: the layers alone, 2: the vocabulary head alone).
void BM_DecodeStepProducts(benchmark::State &state)
{
    setup(state);
    const bool qwen = state.range(0) == 1, bf16 = state.range(1) == 1;
    const std::int64_t H = qwen ? 896 : 576, I = qwen ? 4864 : 1536, V = qwen ? 151936 : 49152;
    const std::int64_t qkv = qwen ? 896 + 2 * 128 : 960, layerCount = qwen ? 24 : 30;
    std::vector<std::pair<at::Tensor, at::Tensor>> layers;   // weight, output
    auto add = [&](std::int64_t N, std::int64_t K) {
        at::Tensor w = at::randn({N, K}) * 0.02;
        layers.emplace_back(bf16 ? w.to(at::kBFloat16) : w, at::empty({N}));
    };
    const int part = static_cast<int>(state.range(2));   // 0 all, 1 layers, 2 head
    for (std::int64_t l = 0; l < (part == 2 ? 0 : layerCount); ++l)
        for (auto [N, K] : {std::pair<std::int64_t, std::int64_t>{qkv, H}, {H, H}, {2 * I, H}, {H, I}})
            add(N, K);
    if (part != 1)
        add(V, H);
    // On 2 MB pages where the system allows, as a loaded model's weights are.
    std::vector<at::Tensor *> weights;
    for (auto &[w, y] : layers)
        weights.push_back(&w);
    moveToWeightArena(weights);
    const at::Tensor x = at::randn({I});
    std::int64_t bytes = 0;
    for (auto &[w, y] : layers)
        bytes += w.numel() * static_cast<std::int64_t>(w.element_size());
    for (auto _ : state) {
        for (auto &[w, y] : layers) {
            if (bf16)
                kernels::linearBf16(x.data_ptr<float>(), 1, w.size(1), w.size(1),
                                    reinterpret_cast<const std::uint16_t *>(w.data_ptr()), w.size(0), nullptr,
                                    y.data_ptr<float>(), w.size(0));
            else
                kernels::linear(x.data_ptr<float>(), 1, w.size(1), w.size(1), w.data_ptr<float>(), w.size(0),
                                nullptr, y.data_ptr<float>(), w.size(0));
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * bytes);
    state.SetItemsProcessed(state.iterations());
}

void shapes(benchmark::internal::Benchmark *b)
{
    for (std::int64_t M : {1, 4, 32})
        for (auto [N, K] : {std::pair<std::int64_t, std::int64_t>{960, 576}, {576, 576}, {3072, 576}, {576, 1536},
                            {49152, 576}})
            b->Args({M, N, K, 0});
    b->Args({1, 49152, 576, 1});
    // Where the kernels stop beating OpenBLAS (CausalLM's kFastRows).
    for (std::int64_t M : {64, 128, 256, 512})
        b->Args({M, 3072, 576, 0});
    b->ArgNames({"M", "N", "K", "threads"});
    b->UseRealTime();
}

} // namespace

BENCHMARK(BM_Kernel)->Apply(shapes);
BENCHMARK(BM_Torch)->Apply(shapes);
BENCHMARK(BM_DecodeStepProducts)
    ->Args({0, 0, 0, 0})
    ->Args({1, 0, 0, 0})
    ->Args({1, 1, 0, 0})
    ->Args({1, 0, 0, 1})
    ->Args({1, 1, 0, 1})
    ->ArgsProduct({{1}, {0, 1}, {1, 2}, {0}})
    ->ArgNames({"model", "bf16", "part", "threads"})
    ->UseRealTime();
BENCHMARK(BM_StoredProduct)
    ->ArgsProduct({{32, 128}, {4864}, {896}, {0}, {0, 1, 2, 3}})
    ->ArgsProduct({{128}, {896}, {4864}, {0}, {0, 1, 2, 3}})
    ->ArgsProduct({{1024}, {4864}, {896}, {0}, {2, 4}})
    ->ArgNames({"M", "N", "K", "threads", "which"})
    ->UseRealTime();
BENCHMARK(BM_ReadBandwidth)->Args({0, 0, 0, 0})->Args({0, 0, 0, 1})->UseRealTime();

BENCHMARK_MAIN();
