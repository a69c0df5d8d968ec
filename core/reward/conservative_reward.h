#pragma once
// Conservative rewards from an ensemble reward model (Coste et al. 2023,
// arXiv 2310.02743): an aspect's score is the members' mean minus k times
// their spread (uncertainty-weighted optimisation), or the worst member
// (worst-case optimisation), so that a policy gains nothing from texts the
// members disagree on. The run options reward_uncertainty_penalty (k) and
// reward_ensemble_aggregation choose; train/rollout.cpp applies them.
// Plain functions; no torch, no Qt. Any thread.

#include <string>
#include <vector>

namespace awb {

enum class EnsembleAggregation { Mean, Min };

// "mean", "min", in that order.
const std::vector<std::string> &ensembleAggregationNames();
// Throws Error naming `name` and the known names.
EnsembleAggregation parseEnsembleAggregation(const std::string &name);

// The sample standard deviation (M - 1 in the denominator) of the members; 0 for fewer than two.
double memberStd(const std::vector<double> &members);
// Mean: mean - penalty * memberStd; Min: the smallest member (penalty unused).
// One member: that member. Throws Error for no members.
double conservativeScore(const std::vector<double> &members, double penalty, EnsembleAggregation aggregation);

} // namespace awb
