#pragma once
// Batched sampling from a CausalLM: B prompts x G samples each, with a KV cache.
//
// Each prompt is prefilled once, on its own, into its left-padded row of the
// batch's cache; the cache is then copied G times per prompt, so a group's
// shared prompt is never run G times and no past token is ever recomputed. On
// the CPU kernels (up to 256 rows a step) a prompt's samples do not depend on
// the other prompts of the batch. Finished sequences
// are dropped from the batch as they finish. Sampling draws from a CPU
// generator seeded by `seed`, so a run is reproducible on any device.
//
// Called from one thread (the training or generation worker); `shouldStop` is
// polled between decode steps so the caller can cancel.

#include "model/causal_lm.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace awb {

struct SamplingOptions
{
    std::int64_t maxNewTokens = 128;           // per sequence; clipped to the model's context
    std::int64_t numSamples = 1;               // G: completions per prompt
    double temperature = 1.0;                  // logits are divided by it (TRL's default 1.0)
    std::int64_t topK = 0;                     // keep the k most likely tokens; 0 keeps all
    double topP = 1.0;                         // nucleus: smallest set with probability >= top_p
    bool greedy = false;                       // argmax instead of sampling
    std::vector<std::int64_t> eosTokenIds;     // a sequence ends after emitting one of these
    std::vector<std::string> stopStrings;      // ... or when its text contains one (needs a decoder)
    std::int64_t padTokenId = 0;               // fed for left padding; never attended to
    std::uint64_t seed = 0;
    // One seed per prompt instead: each prompt's samples draw from their own
    // stream, so what a prompt gets does not depend on the rest of the batch
    // (data-parallel ranks share a step's prompts out). Empty: `seed` alone.
    std::vector<std::uint64_t> promptSeeds;
    // "lora" conditioning: one aspect-weight vector per prompt (K values, the
    // model's preference rank) that its rows' adapters follow. Empty: the
    // model's preference rows are not touched (none, or the caller's one row).
    std::vector<std::vector<double>> promptPreferences;
};

enum class FinishReason { Length, Eos, Stop, Cancelled };

const char *finishReasonName(FinishReason reason);

struct SampledSequence
{
    std::int64_t promptIndex = 0;
    std::vector<std::int32_t> tokens;          // generated tokens only (EOS included when emitted)
    // log p(token) under the temperature-scaled model distribution, before
    // top-k/top-p filtering: the "old policy" log-probabilities GRPO needs.
    std::vector<float> logprobs;
    FinishReason finish = FinishReason::Length;
};

struct GenerationResult
{
    std::vector<SampledSequence> sequences;    // B * G, prompt-major: prompt b's samples at [b*G, (b+1)*G)
    double prefillSeconds = 0.0;
    double decodeSeconds = 0.0;
    std::int64_t promptTokens = 0;             // real (unpadded) prompt tokens prefilled
    std::int64_t generatedTokens = 0;
    std::int64_t peakCacheBytes = 0;
};

using TokenDecoder = std::function<std::string(const std::vector<std::int32_t> &)>;

// Throws Error for an empty prompt, a prompt that does not fit the model's
// context, or token ids outside the vocabulary.
GenerationResult generate(CausalLM &model, const std::vector<std::vector<std::int32_t>> &prompts,
                          const SamplingOptions &options, const TokenDecoder &decoder = {},
                          const std::function<bool()> &shouldStop = {});

} // namespace awb
