#pragma once
// DPO (Rafailov et al., 2023) and its multi-objective form MODPO (Zhou et al.,
// 2023, arXiv 2310.03708) as losses over sequence log-probabilities, with
// TRL's DPOTrainer names and formulas.
//
// With h = (log pi(y_c) - log ref(y_c)) - (log pi(y_r) - log ref(y_r)) the
// difference of the chosen and rejected log-ratios (sums over the completion
// tokens; for ipo, token means, as TRL normalises), the per-pair losses are
//   sigmoid  -(1 - ls) log sigma(beta z) - ls log sigma(-beta z)   (cDPO's label smoothing ls)
//   robust   (-(1 - ls) log sigma(beta z) + ls log sigma(-beta z)) / (1 - 2 ls)
//   hinge    relu(1 - beta z)
//   ipo      (z - 1 / (2 beta))^2
// with z = h for DPO. MODPO trains the policy on pairs of one aspect k while
// the reward model's other aspects enter as a margin, with the live weights w
// (normalised so that sum |w| = 1):
//   beta z = (beta h - sum_{j != k} w_j (r_j(y_c) - r_j(y_r))) / w_k,
// i.e. z = (h - margin / beta) / w_k, the MODPO objective -log sigma(beta z)
// for the sigmoid loss. The reported rewards are TRL's: beta times each
// log-ratio (rewards/chosen, rewards/rejected), unaffected by the margin.
//
// Pure functions on tensors; any thread.

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace awb {

struct DpoLossInputs
{
    at::Tensor policyChosen, policyRejected;   // [N] summed log-probs (grad flows through these)
    at::Tensor refChosen, refRejected;         // [N] the reference's (no grad)
    at::Tensor chosenTokens, rejectedTokens;   // [N] completion lengths (ipo's normalisation)
    at::Tensor margin;                         // [N] MODPO margin sum_{j != k} w_j (r_j(c) - r_j(r)); undefined: 0
    double weight = 1.0;                       // MODPO: w_k, the supervised aspect's normalised weight; DPO: 1
};

struct DpoLossOptions
{
    double beta = 0.1;
    double labelSmoothing = 0.0;
};

struct DpoLossOutput
{
    at::Tensor losses;             // [N] per-pair losses (grad)
    at::Tensor chosenRewards;      // [N] beta * (policy - ref) of the chosen response (no grad)
    at::Tensor rejectedRewards;    // [N]
};

using DpoLoss = DpoLossOutput (*)(const DpoLossInputs &inputs, const DpoLossOptions &options);

// "sigmoid", "robust", "hinge", "ipo". An unknown name is an Error listing the known ones.
std::vector<std::string> dpoLossNames();
DpoLoss dpoLoss(const std::string &name);

// The margin of MODPO for the supervised aspect `aspect`: scores [N, K] of the
// chosen and the rejected responses, K live weights. Returns the [N] margins
// and sets `weight` to w_k, the weights normalised by sum |w|. Throws Error
// naming the aspect when w_k is not positive (MODPO divides by it).
at::Tensor modpoMargin(const at::Tensor &chosenScores, const at::Tensor &rejectedScores,
                       const std::vector<double> &weights, std::size_t aspect, const std::string &aspectName,
                       double &weight);

} // namespace awb
