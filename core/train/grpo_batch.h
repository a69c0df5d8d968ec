#pragma once
// The data of one GRPO generation batch, between the sampler and the loss:
// the completions of B groups of G, their scores, and micro-batches packed as
// [prompt | completion] rows for the policy's forward pass.
// Used by GrpoTrainer on its thread only. Core-only header (ATen).

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

class CausalLM;
class Tokenizer;
struct ModelConfig;

struct GeneratedCompletion
{
    const std::vector<std::int32_t> *prompt = nullptr;   // the prompt's ids (owned by the trainer)
    std::vector<std::int32_t> tokens;                     // generated ids, EOS included when emitted
    std::string text;                                     // decoded without special tokens
    std::string finish;                                   // finishReasonName()
    bool truncated = false;                               // ended without EOS
    std::vector<double> scores;                           // K reward-model scores (an ensemble's mean)
    std::vector<double> gold;                             // K gold scores or empty
    // An ensemble reward model (empty for one head): per aspect the spread across members,
    // each member's score, and the conservative score the rewards use (conservative_reward.h)
    // when the run asks for one.
    std::vector<double> scoreStd;
    std::vector<std::vector<double>> members;             // [K][M]
    std::vector<double> rewardScores;                     // K, or empty: the rewards use `scores`
};

// Rows [start, start + rows) of a batch, packed for one forward pass: every
// row is left-padded prompt then right-padded completion, so all completions
// start at column promptWidth.
struct PackedMicroBatch
{
    std::int64_t start = 0, rows = 0;
    std::int64_t promptWidth = 0, completionWidth = 0;
    at::Tensor ids;          // [rows, promptWidth + completionWidth] int64
    at::Tensor positions;    // [rows, ...] int64, 0 at each row's first real token
    at::Tensor valid;        // [rows, ...] bool, false on padding
    at::Tensor targets;      // [rows, completionWidth] int64: the completion tokens (pad beyond)
    at::Tensor mask;         // [rows, completionWidth] float: 1 for tokens that count in the loss
    double countedTokens = 0;  // completion tokens before mask_truncated_completions (TRL's num_items_in_batch)
    // Consecutive rows with the same prompt (a group's completions, a DPO pair)
    // share it: promptRows [U] is the first row of each distinct prompt and
    // rowPrompt [rows] the prompt of each row (int64, on the device).
    at::Tensor promptRows, rowPrompt;
    // A steerable run's rows: each row's group weights [rows, K] (float, on the
    // device), which the adapters of a "lora"-conditioned policy follow; undefined otherwise.
    at::Tensor preference;
    at::Tensor oldLogps, refLogps;   // filled by the trainer when needed
    at::Tensor values, advantages, returns;   // PPO: [rows, completionWidth] rollout values, GAE advantages and returns
};

struct GenerationBatch
{
    std::vector<std::int64_t> promptIndex;   // B prompts
    // B weight vectors (summing to 1), one per group, in a steerable run; empty otherwise.
    std::vector<std::vector<double>> groupWeights;
    std::int64_t G = 1;
    std::vector<GeneratedCompletion> completions;   // B * G, prompt-major
    std::int64_t generatedTokens = 0;
    bool cancelled = false;

    // [B*G, K] float64 on the CPU: the scores the rewards use (rewardScores where set, else scores).
    at::Tensor scoresTensor() const;
    // [B*G, K] float64 on the CPU: each completion's group vector scaled to sum K
    // (as the default weights of 1 do); undefined without groupWeights.
    at::Tensor weightRows(std::int64_t K) const;
    // Replaces group g with group e of `other` (dynamic sampling).
    void replaceGroup(std::size_t g, const GenerationBatch &other, std::size_t e);
    PackedMicroBatch pack(std::int64_t begin, std::int64_t end, std::int64_t padId, bool maskTruncated,
                          c10::Device device) const;
};

// A per-token field of every micro-batch (oldLogps, values, ...) as one [N, T]
// tensor, T the widest completion, zero beyond each row's width; and back.
at::Tensor gatherRows(const std::vector<PackedMicroBatch> &micro, at::Tensor PackedMicroBatch::*field);
void scatterRows(std::vector<PackedMicroBatch> &micro, at::Tensor PackedMicroBatch::*field, const at::Tensor &full);

// Per-token log-probabilities [rows, completionWidth] of the completion tokens
// under softmax(logits / temperature); with `entropy`, also the per-token
// entropy (no grad). Grad flows when grad mode is on.
// With sharePrompts, each distinct prompt of the micro-batch runs once and its
// keys and values serve all its rows ("Prefix Grouper", arXiv 2506.05433): the
// same slots, positions and mask as the packed rows, so the same values up to
// rounding, and in the backward each prompt token's gradient sums over its rows.
at::Tensor completionLogps(CausalLM &model, const PackedMicroBatch &batch, double temperature, at::Tensor *entropy,
                           bool sharePrompts);

// Limits the model's logits to the ids `tokenizer` can decode (CausalLM::setOutputVocab),
// so padding rows of the embedding are never sampled. Throws Error naming `label` (the
// model folder) when the tokenizer has more ids than the embedding has rows.
void limitToTokenizer(CausalLM &model, const Tokenizer &tokenizer, const std::string &label);

// The ids that end an assistant turn: config.json's and the tokenizer's EOS,
// plus the chat template's end-of-turn token (<|im_end|>, <|eot_id|>, <|end|>)
// and generation_config.json's eos ids (loadGenerationEosIds).
std::vector<std::int64_t> endOfTurnIds(const Tokenizer &tokenizer, const ModelConfig &config,
                                       const std::vector<std::int64_t> &generationEos = {});

// A prompt as the policy sees it: a user turn in the chat template with the
// generation prompt (when asked and the tokenizer has a template), tokenized,
// keeping the last maxLength tokens. A non-empty `system` (a steerable run's
// conditioning line) is a system turn before it, or without a template its own
// line before the prompt; it is never cut: a prompt too long for both loses
// the start of its own text instead.
std::vector<std::int32_t> encodePrompt(const Tokenizer &tokenizer, const std::string &prompt, bool chatTemplate,
                                       std::int64_t maxLength, const std::string &system = {});
// How many more tokens `system` as a system turn (or line) adds to a prompt:
// a steerable run's conditioning line does not count against max_prompt_length.
std::int64_t systemTurnTokens(const Tokenizer &tokenizer, bool chatTemplate, const std::string &system);

} // namespace awb
