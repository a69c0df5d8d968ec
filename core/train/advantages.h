#pragma once
// Group-relative advantages for GRPO from multi-aspect reward scores.
//
// The reward model gives K aspect scores per completion; the sampler produces
// G completions per prompt, prompt-major (prompt b's completions are rows
// [b*G, (b+1)*G)). computeAdvantages turns the [N = B*G, K] scores and the K
// aspect weights into one advantage per completion, exactly as TRL's
// GRPOTrainer._generate_and_score_completions does with reward_weights,
// multi_objective_aggregation and scale_rewards (the TRL releases that have
// multi_objective_aggregation; the formulas are repeated beside each branch
// in advantages.cpp).
//
// Pure functions of their arguments: any thread may call them. The results
// live on the device of `scores`, in float64 (N is small; double keeps the
// hand-checked values exact). Cast advantages to the policy's dtype where they
// meet the log-probabilities (grpoLoss does that).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

// TRL's multi_objective_aggregation.
enum class Aggregation {
    SumThenNormalize,   // "sum_then_normalize" (TRL default): weighted sum of raw scores, then group-normalise
    NormalizeThenSum,   // "normalize_then_sum" (GDPO): normalise each aspect within its group, weighted sum,
                        // then normalise the sum over the whole batch
};

// TRL's scale_rewards: what the centred reward is divided by.
enum class ScaleRewards {
    Group,   // "group" (TRL default; also accepts "true"): std of the prompt's group
    Batch,   // "batch": std of the whole batch (PPO-Lite)
    None,    // "none" (also "false"): centred only, not scaled (Dr. GRPO)
};

const char *aggregationName(Aggregation aggregation);
const char *scaleRewardsName(ScaleRewards scale);
// Throw Error naming the setting and the bad value.
Aggregation parseAggregation(const std::string &name);
ScaleRewards parseScaleRewards(const std::string &name);

struct AdvantageResult
{
    // [N] sum_k w_k * score_k: the combined scalar reward of each completion,
    // the one to plot and store, whatever the aggregation.
    at::Tensor rewards;
    // [N] the quantity the advantages normalise: equal to `rewards` for
    // SumThenNormalize; sum_k w_k * groupNormalised(score_k) for NormalizeThenSum
    // (what TRL's normalize_then_sum branch calls `rewards`).
    at::Tensor aggregated;
    at::Tensor advantages;               // [N], or [N, T] per token (GAE)
    at::Tensor returns;                  // [N, T] GAE's returns (the value targets); undefined otherwise
    double nonScoreReward = 0.0;         // PPO: mean over completions of sum_t -kl_coef * KL_t
    double sequenceKl = 0.0;             // PPO: mean over completions of sum_t KL_t
    // Per group (B entries): true when `aggregated` is constant within the group
    // (sample std within 1e-8 of 0, torch.isclose's tolerance), so every
    // completion of the group gets the same advantage, zero for a centred group:
    // the group teaches nothing this step.
    std::vector<bool> zeroStdGroup;
    double fracZeroStd = 0.0;            // fraction of groups with zeroStdGroup
    // frac_reward_zero_std exactly as TRL logs it: the fraction of completions
    // whose *denominator* std is ~0. Equals fracZeroStd for SumThenNormalize with
    // Group or None; with Batch scaling, and with NormalizeThenSum, TRL looks at
    // the single batch std, so it is either 0 or 1.
    double trlFracRewardZeroStd = 0.0;
};

// scores: [N, K] with N = B*G, prompt-major groups of G; weights: K values
// (TRL's reward_weights). epsilon is TRL's hard-coded 1e-4 added to the std.
// NormalizeThenSum ignores `scale` (as TRL does: that branch always divides by
// the batch std of the aggregated reward).
// Throws Error for a shape mismatch, G < 1, N not a multiple of G, or a
// non-finite score (TRL would treat NaN as "not applicable"; our reward model
// always scores every aspect, so NaN here is a bug upstream).
// weightRows [N, K], when defined, gives each completion its own weights
// (a steerable run's group vectors) in place of `weights` in both aggregations.
AdvantageResult computeAdvantages(const at::Tensor &scores, const std::vector<double> &weights, std::int64_t G,
                                  Aggregation aggregation, ScaleRewards scale, double epsilon = 1e-4,
                                  const at::Tensor &weightRows = {});

} // namespace awb
