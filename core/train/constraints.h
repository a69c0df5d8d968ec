#pragma once
// Aspects as constraints instead of weights (Safe RLHF, Dai et al. 2023,
// arXiv 2310.12773, adapted to group advantages): "safety >= 0.9" asks that
// the batch mean of the reward model's raw safety scores (before any
// normalisation) meets the bound while the weighted objective of the other
// aspects is maximised. Each constraint has a Lagrange multiplier lambda >= 0;
// the step's reward weighs the constrained aspect by +lambda (">=") or
// -lambda ("<="), so the aggregation normalises it like any other aspect.
// After each step lambda follows projected gradient ascent on the violation:
//   lambda <- min(lambda_max, max(0, lambda + lambda_lr * violation)),
//   violation = bound - mean (">=") or mean - bound ("<="), positive when broken,
// once the step is past lambda_update_delay_steps.
// Plain functions; no torch, no Qt.

#include <map>
#include <string>
#include <vector>

namespace awb {

struct Constraint
{
    std::string aspect;
    bool atLeast = true;   // ">=" (else "<=")
    double bound = 0.0;
};

// ">= 0.9", "<=0.1" for `aspect`; Error naming `label` and the text otherwise.
Constraint parseConstraint(const std::string &aspect, const std::string &text, const std::string &label);
// Every entry of the "constraints" option, in aspect order of the map.
std::vector<Constraint> parseConstraints(const std::map<std::string, std::string> &constraints, const std::string &label);
// The CLI's "safety>=0.9,toxicity<=0.1" as the option's map {"safety": ">=0.9", ...}.
std::map<std::string, std::string> parseConstraintList(const std::string &text);

// Positive when the constraint is broken by `mean`, negative when met with room.
double constraintViolation(const Constraint &c, double mean);
// True when one score breaks the bound.
bool violates(const Constraint &c, double score);
// Projected gradient ascent on the violation, capped at lambdaMax (<= 0: no cap).
double updateLagrangeMultiplier(double lambda, double violation, double lr, double lambdaMax);

} // namespace awb
