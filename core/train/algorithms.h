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
    std::int64_t G = 1;                 // completions per prompt
    Aggregation aggregation = Aggregation::SumThenNormalize;   // grpo
    ScaleRewards scale = ScaleRewards::Group;                   // grpo
    // [N] sum over each completion's tokens of log pi_old - log pi_ref (k1), or
    // undefined: estimators that put the KL in the reward subtract klCoef * it.
    at::Tensor sequenceKl;
    double klCoef = 0.0;                // beta
    bool normalize = false;             // rloo: normalize_advantages
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

// "rloo": TRL's RLOOTrainer._compute_loss. The whole completion is one action:
// ratio = exp(sum_t logp - sum_t old_logp) over the mask, loss =
// mean over sequences of -min(ratio * A, clip(ratio, 1 - eps_low, 1 + eps_high) * A),
// divided by gradient_accumulation_steps. Clip ratios are fractions of
// sequences. kl reports the token mean of logp - ref (k1) when refLogps is given.
GrpoLossOutput sequenceClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options);

// Sum over each row's mask of old - ref: [rows] (rloo's sequence KL).
at::Tensor sequenceKl(const at::Tensor &oldLogps, const at::Tensor &refLogps, const at::Tensor &mask);

} // namespace awb
