#include "cli/model_bench.h"

#include "model/causal_lm.h"
#include "model/sampler.h"
#include "util/runtime.h"

#include <ATen/ATen.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace awb {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool wants(const std::string &phases, const std::string &name)
{
    std::stringstream in(phases);
    std::string item;
    while (std::getline(in, item, ','))
        if (item == name)
            return true;
    return false;
}

std::vector<std::int32_t> randomPrompt(std::int64_t length, std::int64_t vocab, std::uint64_t seed)
{
    std::vector<std::int32_t> ids(static_cast<std::size_t>(length));
    std::uint64_t x = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (auto &id : ids) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        id = static_cast<std::int32_t>((x >> 33) % static_cast<std::uint64_t>(vocab));
    }
    return ids;
}

} // namespace

ModelConfig smolLm2Shape()
{
    nlohmann::json j = {{"model_type", "llama"},         {"hidden_size", 576},        {"intermediate_size", 1536},
                        {"num_hidden_layers", 30},       {"num_attention_heads", 9},  {"num_key_value_heads", 3},
                        {"vocab_size", 49152},           {"max_position_embeddings", 8192},
                        {"rms_norm_eps", 1e-5},          {"rope_theta", 100000.0},    {"tie_word_embeddings", true},
                        {"initializer_range", 0.041666666666666664}};
    return parseModelConfig(j, "SmolLM2-135M shape");
}

double peakRssMb() { return processMemoryMb("VmHWM"); }

bool resetPeakRss()
{
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

nlohmann::json runModelBench(CausalLM &model, const ModelBenchOptions &o,
                             const std::function<void(const std::string &)> &log)
{
    const ModelConfig &c = model.config();
    nlohmann::json j;
    j["parameters"] = model.parameterCount();
    j["dtype"] = std::string(c10::toString(model.dtype()));
    j["base_dtype"] = std::string(c10::toString(model.baseDtype()));
    j["weights_mb"] = static_cast<double>(model.parameterCount()) * c10::elementSize(model.baseDtype()) / 1048576.0;
    const std::int64_t vocab = c.vocabSize;

    SamplingOptions sampling;
    sampling.maxNewTokens = o.newTokens;
    sampling.temperature = 1.0;
    sampling.seed = 1;   // no EOS: every sequence runs the full length

    if (wants(o.phases, "prefill")) {
        at::NoGradGuard noGrad;
        const std::int64_t B = 4, T = o.promptTokens;
        const at::Tensor ids = at::randint(vocab, {B, T}, at::kLong);
        const at::Tensor pos = at::arange(T, at::kLong).repeat({B, 1});
        model.forward(ids.narrow(1, 0, 8), pos.narrow(1, 0, 8));   // warm-up
        const auto t0 = Clock::now();
        KvCache cache = model.makeCache(B, T);
        const at::Tensor h = model.forward(ids, pos, &cache);
        model.logits(h.select(1, T - 1));
        j["prefill_tokens_per_s"] = static_cast<double>(B * T) / since(t0);
        log("prefill: " + j["prefill_tokens_per_s"].dump() + " tokens/s");
    }
    if (wants(o.phases, "decode1")) {
        generate(model, {randomPrompt(8, vocab, 7)}, [&] { auto s = sampling; s.maxNewTokens = 4; return s; }());
        const GenerationResult r = generate(model, {randomPrompt(16, vocab, 1)}, sampling);
        j["decode_tokens_per_s_b1"] = static_cast<double>(r.generatedTokens - 1) / r.decodeSeconds;
        log("decode batch 1: " + j["decode_tokens_per_s_b1"].dump() + " tokens/s");
    }
    if (wants(o.phases, "decode")) {
        std::vector<std::vector<std::int32_t>> prompts;
        for (std::int64_t b = 0; b < o.batch; ++b)
            prompts.push_back(randomPrompt(16, vocab, 100 + static_cast<std::uint64_t>(b)));
        const GenerationResult r = generate(model, prompts, sampling);
        const double rate = static_cast<double>(r.generatedTokens - o.batch) / r.decodeSeconds;
        j["decode_tokens_per_s_b" + std::to_string(o.batch)] = rate;
        j["kv_cache_mb"] = static_cast<double>(r.peakCacheBytes) / 1048576.0;
        j["decode_batch"] = o.batch;
        j["decode_new_tokens"] = o.newTokens;
        log("decode batch " + std::to_string(o.batch) + ": " + std::to_string(rate) + " tokens/s aggregate");
    }
    if (wants(o.phases, "train") && model.baseDtype() != model.dtype()) {
        log("train: skipped, the base is held in its stored " + std::string(c10::toString(model.baseDtype()))
            + " and cannot train (measure full training with --frozen-base float32)");
    } else if (wants(o.phases, "train")) {
        const std::int64_t B = 4, T = o.promptTokens;
        const at::Tensor ids = at::randint(vocab, {B, T + 1}, at::kLong);
        const at::Tensor pos = at::arange(T, at::kLong).repeat({B, 1});
        model.setBaseTrainable(true);
        model.setTraining(true);
        double seconds = 0.0;
        for (int it = 0; it < 3; ++it) {   // the first iteration warms up
            const auto t0 = Clock::now();
            const at::Tensor logits = model.logits(model.forward(ids.narrow(1, 0, T), pos));
            const at::Tensor loss = at::cross_entropy_loss(logits.reshape({-1, vocab}), ids.narrow(1, 1, T).reshape({-1}));
            loss.backward();
            if (it > 0)
                seconds += since(t0);
            for (auto &[name, p] : model.trainableParameters())
                if (p.grad().defined())
                    p.mutable_grad().zero_();
        }
        model.setTraining(false);
        model.setBaseTrainable(false);
        j["train_tokens_per_s"] = static_cast<double>(2 * B * T) / seconds;
        j["train_batch"] = B;
        log("train: " + j["train_tokens_per_s"].dump() + " tokens/s");
    }
    j["peak_rss_mb"] = peakRssMb();
    return j;
}

} // namespace awb
