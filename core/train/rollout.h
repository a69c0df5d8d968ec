#pragma once
// The rollout of the online training skeleton, shared by every algorithm
// (GRPO, RLOO): which prompts a step takes, B groups of G completions from
// the policy, their aspect scores from the reward model (and the gold judge's,
// when there is one), the completions packed into micro-batches, and the
// reference and sampling-policy log-probabilities of those micro-batches.
//
// Reproducibility: the prompts of step s and every sampling seed derive from
// (seed, step, salt) through mixSeed, never from what ran before.
//
// Trainer thread only. Core-only header (ATen types through grpo_batch.h).

#include "train/grpo_batch.h"
#include "train/grpo_options.h"
#include "train/seeds.h"
#include "train/prompt_budget.h"
#include "train/step_report.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace awb {

class CausalLM;
class RewardModel;
class Tokenizer;
struct LoraOptions;

// Items [(s-1)n, sn) of the concatenated epoch-wise permutations of 0..count-1,
// each permutation seeded by (seed, epoch): the prompts (or DPO's pairs) of step s.
std::vector<std::int64_t> epochOrder(std::int64_t count, std::int64_t perStep, std::uint64_t seed, std::int64_t step);

// The adapters the run's options describe (lora_r, lora_alpha, lora_dropout,
// lora_target_modules, on the policy folder); for the policy and PPO's value model.
LoraOptions loraOptionsFor(const GrpoOptions &options);

class Rollout
{
public:
    // Loads the policy folder's tokenizer, limits the policy's logits to the
    // ids it can decode, and templates and tokenizes every prompt.
    Rollout(const GrpoOptions &options, CausalLM &policy, std::vector<std::string> prompts);
    ~Rollout();

    const Tokenizer &tokenizer() const { return *m_tokenizer; }
    std::int64_t padId() const { return m_padId; }
    const std::string &prompt(std::int64_t index) const { return m_prompts[static_cast<std::size_t>(index)]; }
    // The templated, truncated ids of a prompt (owned here: GeneratedCompletion points at them).
    const std::vector<std::int32_t> &promptIds(std::int64_t index) const { return m_promptIds[static_cast<std::size_t>(index)]; }
    std::int64_t promptCount() const { return static_cast<std::int64_t>(m_prompts.size()); }
    const std::vector<std::int64_t> &eosIds() const { return m_eosIds; }
    // Non-empty when max_prompt_length was lowered so that completions fit the context (prompt_budget.h).
    const std::string &contextNote() const { return m_budget.note; }

    // A steerable run's prompt: promptIds(index) with the conditioning line of
    // `weights` (K values over `aspects`, summing to 1) as a system turn;
    // promptIds(index) itself when `weights` is empty. Owned here until
    // clearConditionedPrompts() (each step start), so completions may point at it.
    const std::vector<std::int32_t> &conditionedPromptIds(std::int64_t index, const std::vector<double> &weights);
    void setConditioningAspects(std::vector<std::string> aspects) { m_aspects = std::move(aspects); }
    void clearConditionedPrompts() { m_conditioned.clear(); }

    // Epoch-wise shuffled prompt order: step s takes prompts [(s-1)B, sB) of
    // the concatenated permutations, each seeded by (seed, epoch).
    std::vector<std::int64_t> promptsForStep(std::int64_t step) const;
    // G completions of each prompt, prompt-major. `cancelled` is polled between tokens.
    // Group i (prompt promptIndex[i]) samples from its own stream, seeded by
    // mixSeed(seed, firstGroup + i, 40): the group's index in the whole step,
    // so which rank (or batch) draws a group does not change what it draws.
    // `groupWeights`, when not empty, holds one weight vector per prompt: each group
    // samples from conditionedPromptIds() and the batch records the vectors. With
    // sampleConditioned false the groups sample from their plain prompts, while the
    // completions still belong to (and train on) the conditioned ones: a steerable
    // run's warm-up, whose policy has not learnt to read the line yet.
    GenerationBatch generate(const std::vector<std::int64_t> &promptIndex, std::uint64_t seed,
                             const std::function<bool()> &cancelled, std::int64_t firstGroup = 0,
                             const std::vector<std::vector<double>> &groupWeights = {}, bool sampleConditioned = true);
    // Fills every completion's scores (and gold scores with a gold scorer).
    // A non-finite score throws Error naming `rewardModelLabel` and `step`.
    void score(GenerationBatch &batch, RewardModel &rewardModel, const GoldScorer &gold,
               const std::string &rewardModelLabel, std::int64_t step) const;
    // mini_batch_size rows per micro-batch (or `rows` when positive), on the policy's device:
    // the batch's rows [begin, end) (end < 0: all of them).
    std::vector<PackedMicroBatch> pack(const GenerationBatch &batch, std::int64_t rows = 0, std::int64_t begin = 0,
                                       std::int64_t end = -1) const;

private:
    // An ensemble's spread and members, and the conservative scores when the run asks for them.
    void setEnsembleScores(GeneratedCompletion &c, const std::vector<float> &spread,
                           const std::vector<std::vector<float>> &members) const;

    const GrpoOptions &m_options;
    CausalLM &m_policy;
    std::vector<std::string> m_prompts;
    std::unique_ptr<Tokenizer> m_tokenizer;
    std::vector<std::vector<std::int32_t>> m_promptIds;   // templated, last max_prompt_length tokens
    std::vector<std::string> m_aspects;                  // the conditioning line's aspect names
    std::map<std::pair<std::int64_t, std::vector<double>>, std::vector<std::int32_t>> m_conditioned;
    PromptBudget m_budget;                                 // what fits the policy's context
    std::vector<std::int64_t> m_eosIds;
    std::int64_t m_padId = 0;
};

// The warning a run gives when it asks for conservative rewards (reward_uncertainty_penalty,
// reward_ensemble_aggregation min) from a reward model with one head, where they change
// nothing; empty otherwise. `rewardModelLabel` names the model.
std::string ensembleOptionsWarning(const GrpoOptions &options, std::int64_t ensembleSize,
                                   const std::string &rewardModelLabel);

// Without grad: refLogps (the reference, or the policy with its adapters off
// when `reference` is null) when `wantReference`, and oldLogps (the policy as
// it sampled) when `wantOld`, for every micro-batch; sharePrompts as completionLogps.
// `referenceMicro`, when given, holds the same rows packed with other prompts
// (a steerable run's, without the conditioning line) for the reference pass.
void fillReferenceLogps(std::vector<PackedMicroBatch> &micro, CausalLM &policy, CausalLM *reference,
                        double temperature, bool wantReference, bool wantOld, bool sharePrompts,
                        const std::vector<PackedMicroBatch> *referenceMicro = nullptr);

} // namespace awb
