// The selected-token log-probabilities and entropies of one training
// micro-batch, forward and backward, at Qwen2.5-0.5B's head (hidden 896,
// vocabulary 151,936): fused and chunked (CausalLM::tokenLogProbs, the
// [tokens x vocabulary] logits never exist) against the unfused LibTorch
// path (logits, log_softmax, gather, entropy from the softmax, autograd
// through all of them). Each benchmark reports the process's peak resident
// set grown during it (run one filter per process for a clean figure). Not a
// test: build `bench_logprobs` and run it by hand on a quiet machine.
//
//   bench_logprobs --benchmark_filter=Fused/256
//   bench_logprobs --benchmark_filter=Unfused/256
#include "model/stored_ops.h"
#include "util/runtime.h"

#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

using namespace awb;

namespace {

constexpr std::int64_t kHidden = 896, kVocab = 151936;

// VmHWM (peak resident set) in MiB; VmHWM is reset through /proc/self/clear_refs.
double peakMb() { return processMemoryMb("VmHWM"); }
void resetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct Inputs
{
    at::Tensor hidden, head, targets, grad;
    explicit Inputs(std::int64_t tokens)
    {
        hidden = at::randn({tokens, kHidden}).requires_grad_(true);
        head = (at::randn({kVocab, kHidden}) * 0.02).to(at::kBFloat16);   // a LoRA run's frozen head, as stored
        targets = at::randint(kVocab, {tokens}, at::kLong);
        grad = at::randn({tokens});   // the loss's per-token gradient
    }
};

void report(benchmark::State &state, double before)
{
    state.counters["peak_growth_mb"] = peakMb() - before;
    state.counters["logits_mb"] = double(state.range(0)) * kVocab * 4 / (1024.0 * 1024.0);
}

void BM_Fused(benchmark::State &state)
{
    Inputs in(state.range(0));
    resetPeak();
    const double before = peakMb();
    for (auto _ : state) {
        at::Tensor entropy;
        const at::Tensor logp = tokenLogProbs(in.hidden, in.head, in.targets, 1.0, &entropy);
        logp.backward(in.grad);
        in.hidden.grad().zero_();
        benchmark::DoNotOptimize(entropy.data_ptr());
    }
    report(state, before);
}

void BM_Unfused(benchmark::State &state)
{
    Inputs in(state.range(0));
    const at::Tensor head = in.head.to(at::kFloat);   // the fp32 head the unfused path multiplies with
    resetPeak();
    const double before = peakMb();
    for (auto _ : state) {
        const at::Tensor logits = at::linear(in.hidden, head);
        const at::Tensor logps = at::log_softmax(logits, -1);
        at::Tensor entropy;
        {
            at::NoGradGuard noGrad;
            entropy = -(logps.exp() * logps).sum(-1);
        }
        const at::Tensor logp = logps.gather(1, in.targets.unsqueeze(1)).squeeze(1);
        logp.backward(in.grad);
        in.hidden.grad().zero_();
        benchmark::DoNotOptimize(entropy.data_ptr());
    }
    report(state, before);
}

} // namespace

// Tokens of one micro-batch: 2 completions of 64 (prompt excluded), 4 of 64, 2 of 256.
BENCHMARK(BM_Fused)->Arg(128)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Unfused)->Arg(128)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char **argv)
{
    RuntimeOptions ro;
    applyRuntime(ro);   // all cores, as awb does
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    return 0;
}
