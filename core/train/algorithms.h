#pragma once
// The algorithms of the online training skeleton as name -> function tables,
// as verl's core_algos registers them: an advantage estimator turns the
// step's aspect scores into advantages, a policy loss turns log-probabilities
// and advantages into the scalar to backpropagate. An algorithm is a row of
// algorithmSpec(): which estimator, which loss, and where its KL goes.
//
//   algorithm  advantage estimator           policy loss                      KL to the reference
//   grpo       group-normalised (TRL GRPO)   token-level clipped (grpoLoss)   k3 per token, in the loss
//   rloo       leave-one-out (TRL RLOO)      sequence-level clipped ratio     k1 summed per sequence, in the reward
//   ppo        GAE over a value model        token-level clipped, token mean  k1 or k3 per token, in the reward
//              (TRL PPOTrainer)              + vf_coef * clipped value loss
//
// An unknown name is an Error that lists the known ones. Pure functions: any
// thread may call them. Core-only header (ATen).

#include "train/advantages.h"
#include "train/grpo_loss.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

struct AdvantageInputs
{
    at::Tensor scores;                  // [N, K] aspect scores, N = B*G prompt-major
    std::vector<double> weights;        // K live aspect weights
    at::Tensor weightRows;              // [N, K] each completion's own weights (steerable runs), or undefined
    std::int64_t G = 1;                 // completions per prompt
    Aggregation aggregation = Aggregation::SumThenNormalize;   // grpo
    ScaleRewards scale = ScaleRewards::Group;                   // grpo
    // [N] sum over each completion's tokens of log pi_old - log pi_ref (k1), or
    // undefined: estimators that put the KL in the reward subtract klCoef * it.
    at::Tensor sequenceKl;
    double klCoef = 0.0;                // beta (rloo), kl_coef (ppo)
    bool normalize = false;             // rloo: normalize_advantages

    // ppo: per-token tensors of the whole batch, [N, T] with T the widest completion.
    at::Tensor oldLogps, refLogps;      // the sampling policy's and the reference's log-probs
    at::Tensor values;                  // the value model's V at each completion position
    at::Tensor mask;                    // 1 for tokens that count
    std::vector<bool> missingEos;       // [N] completions that ended without EOS
    std::string klEstimator = "k1";     // k1: old - ref; k3: (exp(ref - old) - 1) - (ref - old)
    double missingEosPenalty = 0.0;
    bool whitenRewards = false;
    double gamma = 1.0, lam = 0.95;
};

// advantages may be [N] (one per sequence) or [N, T] (per token, for estimators such as GAE).
using AdvantageEstimator = AdvantageResult (*)(const AdvantageInputs &inputs);
using PolicyLoss = GrpoLossOutput (*)(const GrpoLossInputs &inputs, const GrpoLossOptions &options);

std::vector<std::string> advantageEstimatorNames();
AdvantageEstimator advantageEstimator(const std::string &name);
std::vector<std::string> policyLossNames();
PolicyLoss policyLoss(const std::string &name);

struct AlgorithmSpec
{
    std::string name;
    std::string advantage;     // advantageEstimator() name
    std::string loss;          // policyLoss() name
    bool klInReward = false;   // true: -beta * sequence KL enters the reward; false: the loss adds beta * KL
    bool sequenceLevel = false; // the loss's clip ratios are fractions of sequences, not of tokens
    bool alwaysOldLogps = false; // the sampling policy's log-probs are computed even with num_iterations 1 (TRL RLOO)
    bool valueModel = false;     // a value model trains beside the policy (PPO)
    bool offline = false;        // preference pairs instead of a rollout (DPO; its loss is dpoLoss(loss_type))
};
const AlgorithmSpec &algorithmSpec(const std::string &name);

// "grpo": computeAdvantages (group mean and std, TRL's aggregations and scalings).
AdvantageResult groupNormalisedAdvantages(const AdvantageInputs &in);
// "rloo": TRL's RLOOTrainer. r_i = sum_k w_k s_ik - beta * kl_i; the baseline
// of completion i is the mean reward of the other G-1 completions of its group,
// A_i = r_i - (sum_group - r_i) / (G - 1); with normalize, (A - mean) / (std + 1e-4)
// over the batch. `rewards` stays the weighted score (what the views plot);
// `aggregated` is r with the KL penalty.
AdvantageResult leaveOneOutAdvantages(const AdvantageInputs &in);

// "gae": TRL's PPOTrainer. Per-token rewards -kl_coef * KL (k1 or k3 from the
// sampling policy and the reference), plus at each completion's last counted
// token its score (sum_k w_k s_k, minus missing_eos_penalty without EOS);
// optionally whitened (whiten_rewards, mean kept); then GAE with gamma and
// lam over the value model's values: delta_t = r_t + gamma V_{t+1} - V_t,
// A_t = delta_t + gamma lam A_{t+1}; returns = A + V; advantages whitened over
// the mask (masked_whiten) and zero outside it. TRL puts the score one
// position after EOS, on a padding column its value mask still counts; here
// it sits on the last real token, where the value mask ends.
// `rewards` stays the weighted score (what the views plot), `aggregated` the
// score after the EOS penalty, `returns` and `advantages` are [N, T].
AdvantageResult gaeAdvantages(const AdvantageInputs &in);

// TRL's masked_whiten: (x - mean) / sqrt(var + 1e-8) over the mask, var
// Bessel-corrected; with shiftMean false the mean is added back.
at::Tensor maskedWhiten(const at::Tensor &values, const at::Tensor &mask, bool shiftMean = true);

struct ValueLossOutput
{
    at::Tensor loss;        // 0.5 * masked mean of max((V - R)^2, (clip(V) - R)^2)
    double clipFraction = 0.0;   // val/clipfrac: where the clipped term is the larger
};
// PPO's clipped value loss; clip(V) = clamp(V, oldV - cliprangeValue, oldV + cliprangeValue).
ValueLossOutput clippedValueLoss(const at::Tensor &values, const at::Tensor &oldValues, const at::Tensor &returns,
                                 const at::Tensor &mask, double cliprangeValue);

// "ppo": grpoLoss with per-token advantages [N, T], reduced as bnpo (TRL PPO's
// masked_mean over the micro-batch) and no KL term (PPO's KL is in the reward).
GrpoLossOutput tokenMeanClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options);

// "rloo": TRL's RLOOTrainer._compute_loss. The whole completion is one action:
// ratio = exp(sum_t logp - sum_t old_logp) over the mask, loss =
// mean over sequences of -min(ratio * A, clip(ratio, 1 - eps_low, 1 + eps_high) * A),
// divided by gradient_accumulation_steps. Clip ratios are fractions of
// sequences. kl reports the token mean of logp - ref (k1) when refLogps is given.
GrpoLossOutput sequenceClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options);

// Sum over each row's mask of old - ref: [rows] (rloo's sequence KL).
at::Tensor sequenceKl(const at::Tensor &oldLogps, const at::Tensor &refLogps, const at::Tensor &mask);

} // namespace awb
