#pragma once
// The multi-aspect reward model of Li et al. (2025): a causal-LM backbone and
// one linear regression head, score = W h + b, that maps the final hidden
// state of the last real token of "prompt + response" to K aspect scores (one
// per aspect of the schema, in schema order). GRPO combines the K scores into
// one reward; annotators' labels retrain the model (reward_trainer.h).
//
// Head initialisation: bias at the midpoint of each aspect's range, weights
// N(0, s^2) with s = 0.02 (max - min) / sqrt(hidden). The backbone's final
// norm gives hidden states of RMS about 1, so a fresh model predicts the
// midpoints plus noise of about 2% of each range: close to the predict-the-
// mean baseline, yet with non-zero weights so that the backbone receives a
// gradient from the first step (zero weights would cut it off).
// Scores are not clamped to the aspect ranges (a clamp would kill the gradient
// of confidently wrong predictions); consumers clamp when they need to.
//
// Saved folder (save()/load()), self-contained and Hugging Face compatible:
//   config.json, model.safetensors   the backbone (CausalLM::save; LoRA folded
//                                    in when the adapters are merged). Absent
//                                    when the backbone kind is "lora":
//   adapter_config.json,             the LoRA adapters (PEFT layout); the base
//   adapter_model.safetensors        model is the folder named by
//                                    reward_model.json backbone.base_model
//                                    (absolute, or relative to this folder);
//                                    when the backbone was built in memory and
//                                    has no base folder, the base is written to
//                                    the subfolder "base" and recorded as such.
//   head.safetensors                 "score.weight" [K, hidden], "score.bias" [K], fp32; an
//                                    ensemble (M > 1 heads) adds "ensemble.weight"
//                                    [M, K, hidden] and "ensemble.bias" [M, K], the
//                                    members, and keeps score.* as their mean (a linear
//                                    head's mean predicts the members' mean score, so a
//                                    reader that knows only score.* gets the ensemble mean)
//   aspects.json                     AspectSchema::toJson()
//   tokenizer.json,                  copied from the tokenizer the model was built
//   tokenizer_config.json            with, so Tokenizer::load(folder) works
//   reward_model.json                {"format": "awb-reward-model", "format_version": 1,
//                                     "backbone": {"kind": "full|lora|frozen", "model_type",
//                                     "hidden_size", ["base_model"]}, "aspects": [names],
//                                     "training": {options}, "label_count",
//                                     "metrics": {aspect: {count, rmse, pearson, spearman}},
//                                     "ensemble_size": M, "created": ISO 8601 UTC}
//                                    format_version 2 when M > 1, so that a build
//                                    without ensembles refuses it by its version; a
//                                    folder without "ensemble_size" has one head.
//
// Ensembles (Lakshminarayanan et al. 2017; Coste et al. 2023, arXiv 2310.02743):
// M linear heads on one backbone, so one backbone pass scores every member.
// Each member trains on its own bootstrap resample of the labels (reward_trainer.h).
// score() returns the members' mean; scoreDetailed() also the sample standard
// deviation across members (M - 1 in the denominator) and each member's score.
//
// Ownership: the RewardModel owns its backbone and head. One thread at a time
// may call a RewardModel (it shares the CausalLM's rule); the training worker
// and GRPO therefore each hold their own instance and a finished model is
// published by folder (a new version), not by sharing the object.
// Core-only header (ATen): app/ and widgets/ must not include it.

#include "io/safetensors.h"
#include "model/causal_lm.h"
#include "reward/aspect_schema.h"
#include "text/tokenizer.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace awb {

// Agreement of predicted and labelled scores on one aspect. pearson/spearman
// are NaN when undefined (fewer than two labels, or a constant side); rmse is
// NaN when count is 0.
struct AspectMetrics
{
    std::int64_t count = 0;   // labelled examples of this aspect
    double rmse = 0;
    double pearson = 0;
    double spearman = 0;
    // Preference pairs of this aspect: how often the chosen response scores
    // above the rejected one (a tie counts a half). NaN without pairs.
    std::int64_t pairs = 0;
    double pairwiseAccuracy = std::numeric_limits<double>::quiet_NaN();
};

// {"count", "rmse", "pearson", "spearman"} (NaN as null), plus "pairs" and
// "pairwise_accuracy" when the aspect had preference pairs: reward_model.json's
// and the store's form of one aspect's metrics.
nlohmann::json aspectMetricsJson(const AspectMetrics &metrics);
class RewardModel;
// {aspect: aspectMetricsJson} of model.info().metrics.
nlohmann::json rewardModelMetricsJson(const RewardModel &model);

// What reward_model.json records besides the weights. The trainer fills it in.
struct RewardModelInfo
{
    std::string backboneKind = "full";     // "full" | "lora" | "frozen" as trained; save() writes
                                           // "lora" whenever the backbone has unmerged adapters
    nlohmann::json trainingOptions = nlohmann::json::object();   // RewardTrainOptions as JSON
    std::vector<AspectMetrics> metrics;    // validation metrics per aspect; empty when never evaluated
    std::int64_t labelCount = 0;           // labelled (example, aspect) entries plus preference pairs trained on
    std::string created;                   // ISO 8601 UTC; save() stamps the current time when empty
};

// The seed of ensemble member m: `seed` itself for member 0 (so a one-head model
// is what it always was), a splitmix64 mix of (seed, m) for the others.
std::uint64_t ensembleMemberSeed(std::uint64_t seed, std::int64_t member);

// Scores of N texts by every member: mean and std [N][K], members [N][K][M].
// std is 0 and members hold the one score when the model has a single head.
struct EnsembleScores
{
    std::vector<std::vector<float>> mean;
    std::vector<std::vector<float>> std;
    std::vector<std::vector<std::vector<float>>> members;
};

class RewardModel
{
public:
    static constexpr int kFormatVersion = 2;   // 1: one head; 2: an ensemble (see above)

    // A fresh head (see above) on `backbone`, or `ensembleSize` heads, member m drawn with
    // ensembleMemberSeed(seed, m). `tokenizer` must come from a file (Tokenizer::load) so
    // that save() can copy it. Throws Error for an empty schema, ensembleSize < 1, or a
    // tokenizer whose vocabulary exceeds the backbone's.
    static std::unique_ptr<RewardModel> create(std::unique_ptr<CausalLM> backbone, Tokenizer tokenizer,
                                               AspectSchema aspects, std::uint64_t seed, std::int64_t ensembleSize = 1);
    // Reads a folder written by save(). Throws IoError/FormatError naming the
    // file, e.g. a head whose shape contradicts aspects.json or the backbone's
    // hidden size.
    static std::unique_ptr<RewardModel> load(const std::string &dir, const CausalLM::LoadOptions &options);
    static std::unique_ptr<RewardModel> load(const std::string &dir);
    // As load(), but a LoRA reward model whose base folder is `baseFolder` (compared as canonical paths),
    // with the same configuration, device and dtype as `base`, takes `base`'s weights
    // (CausalLM::sharingBaseOf) instead of loading a copy of its own: one base in memory for the
    // policy, the reference (the policy with adapters off) and the reward model. Any other reward
    // model loads as load() does; backbone().sharesBase() tells which happened.
    static std::unique_ptr<RewardModel> load(const std::string &dir, const CausalLM::LoadOptions &options,
                                             const CausalLM *base, const std::string &baseFolder);
    // Writes every file into "<dir>.tmp", then swaps it in for `dir` (the old
    // folder, if any, is moved aside and deleted), so a crash never leaves a
    // half-written model under `dir`.
    void save(const std::string &dir) const;

    const AspectSchema &aspects() const { return m_aspects; }
    const Tokenizer &tokenizer() const { return m_tokenizer; }
    CausalLM &backbone() { return *m_backbone; }
    const CausalLM &backbone() const { return *m_backbone; }
    const RewardModelInfo &info() const { return m_info; }
    void setInfo(RewardModelInfo info) { m_info = std::move(info); }

    // ids [B, T] right-padded, lengths [B] (1..T) -> scores [B, K] fp32, read at
    // token lengths[b] - 1. Differentiable (grad mode permitting).
    at::Tensor forward(const at::Tensor &ids, const at::Tensor &lengths);
    // The backbone's final hidden state at the last real token, [B, hidden] fp32.
    at::Tensor features(const at::Tensor &ids, const at::Tensor &lengths);
    // The head alone: [B, hidden] -> [B, K], the members' mean for an ensemble.
    at::Tensor head(const at::Tensor &features) const;
    // Every member's head: [B, hidden] -> [B, M, K] (M = 1 for one head).
    at::Tensor memberHeads(const at::Tensor &features) const;

    // M: how many heads the model has (1 = a single model).
    std::int64_t ensembleSize() const { return m_weight.dim() == 3 ? m_weight.size(0) : 1; }
    // Changes the number of heads. Going down to 1 keeps the members' mean head; going up
    // keeps the first min(M, M') members and adds members that are the current mean head
    // plus N(0, s^2) noise, s = `spread` x the initialisation's scale (0.02 (max - min) /
    // sqrt(hidden)), member m drawn with ensembleMemberSeed(seed, m), so that the new
    // members start apart and their bootstrap resamples move them further.
    // Throws Error for size < 1.
    void setEnsembleSize(std::int64_t size, std::uint64_t seed, double spread = 1.0);

    // The text a (prompt, response) pair is scored as: the tokenizer's chat
    // template with a user and an assistant turn when it has a known one, else
    // prompt + "\n" + response.
    std::string formatPair(const std::string &prompt, const std::string &response) const;
    // formatPair() tokenized (special tokens added only without a chat template,
    // as transformers does), truncated from the left to maxLength tokens (at most
    // the backbone's max_position_embeddings), so the response's end survives.
    std::vector<std::int32_t> encode(const std::string &prompt, const std::string &response,
                                     std::int64_t maxLength) const;
    // Right-pads token sequences into ids [B, T] and lengths [B] on the backbone's device.
    std::pair<at::Tensor, at::Tensor> collate(const std::vector<const std::vector<std::int32_t> *> &sequences) const;

    // Scores K aspects per pair, under NoGrad with the backbone in eval mode,
    // batchSize pairs at a time (sorted by length to save padding; results in
    // input order).
    std::vector<std::vector<float>> score(const std::vector<std::string> &prompts,
                                          const std::vector<std::string> &responses, std::int64_t batchSize = 16,
                                          std::int64_t maxLength = 512);
    // The same for pre-tokenized sequences (each non-empty).
    std::vector<std::vector<float>> scoreIds(const std::vector<std::vector<std::int32_t>> &sequences,
                                             std::int64_t batchSize = 16);
    // As score() and scoreIds(), with the spread across members and each member's score.
    EnsembleScores scoreDetailed(const std::vector<std::string> &prompts, const std::vector<std::string> &responses,
                                 std::int64_t batchSize = 16, std::int64_t maxLength = 512);
    EnsembleScores scoreIdsDetailed(const std::vector<std::vector<std::int32_t>> &sequences, std::int64_t batchSize = 16);

    // "score.weight" [K, hidden] and "score.bias" [K]: detached views of the live head
    // (for an ensemble: the members' mean, then "ensemble.weight" [M, K, hidden] and
    // "ensemble.bias" [M, K]).
    NamedTensors headState() const;
    // The head's leaf tensors {weight, bias} (requires_grad), for optimisers: [K, hidden]
    // and [K] for one head, [M, K, hidden] and [M, K] for an ensemble.
    std::vector<at::Tensor> headParameters() const { return {m_weight, m_bias}; }
    // Copies weight and bias in (shapes must match headParameters()), e.g. to restore a snapshot.
    void setHeadState(const at::Tensor &weight, const at::Tensor &bias);

    ~RewardModel();

private:
    RewardModel(std::unique_ptr<CausalLM> backbone, Tokenizer tokenizer, AspectSchema aspects);
    // [K, hidden] drawn N(0, s_k^2), s_k = spread x 0.02 (max_k - min_k) / sqrt(hidden), from `seed`.
    at::Tensor initialHeadWeights(std::uint64_t seed, double spread) const;

    std::unique_ptr<CausalLM> m_backbone;
    Tokenizer m_tokenizer;
    AspectSchema m_aspects;
    at::Tensor m_weight;   // [K, hidden] fp32, on the backbone's device; [M, K, hidden] for an ensemble
    at::Tensor m_bias;     // [K]; [M, K] for an ensemble
    RewardModelInfo m_info;
    // The tokenizer's files, read once so that save() does not depend on them staying put.
    std::string m_tokenizerJson;
    std::string m_tokenizerConfigJson;   // empty when there was none
    // LoRA backbones: the absolute base folder load() read, preferred over the adapters' own record.
    std::string m_basePath;
};

} // namespace awb
