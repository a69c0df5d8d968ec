#pragma once
// Throughput of the model runtime for `awb bench`: prefill, batch-1 and
// batched decode, and training (forward + backward), plus peak memory.
// Runs on the calling thread; `log` receives progress lines.

#include "io/model_config.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace awb {

class CausalLM;

struct ModelBenchOptions
{
    std::int64_t newTokens = 128;       // decoded tokens per sequence
    std::int64_t batch = 32;            // sequences in the batched decode
    std::int64_t promptTokens = 128;    // prompt length for prefill and training
    std::string phases = "prefill,decode1,decode,train";
};

// SmolLM2-135M's shape (hidden 576, 30 layers, 9 heads, 3 KV heads,
// intermediate 1536, vocab 49152, tied embeddings): about 135M parameters.
ModelConfig smolLm2Shape();

// Keys: prefill_tokens_per_s, decode_tokens_per_s_b1, decode_tokens_per_s_b<batch>
// (also as decode_tokens_per_s_b32 when batch is 32), train_tokens_per_s,
// peak_rss_mb, weights_mb, kv_cache_mb, parameters, dtype.
nlohmann::json runModelBench(CausalLM &model, const ModelBenchOptions &options,
                             const std::function<void(const std::string &)> &log);

// The process's peak resident set (VmHWM) in MiB, 0 when unknown.
double peakRssMb();
// Resets the peak to the current resident set (Linux: /proc/self/clear_refs), so
// that the next peakRssMb() measures one phase; false where that is not possible.
bool resetPeakRss();

} // namespace awb
