#pragma once
// Preference-conditioned training ("steerable run"): one policy for the whole
// simplex of aspect weights, in the manner of Rewards-in-Context (arXiv
// 2402.10207) and Conditional Language Policy (arXiv 2407.15762), on the
// online skeleton (GRPO, RLOO, PPO).
//
// Each prompt group of a step gets its own weight vector: the run's fixed
// vectors (`conditioning_vectors`) take the first groups of every step in
// rotation, the other groups draw one from Dirichlet(alpha) over the aspects
// (`conditioning_alpha`). The draw depends on (seed, step, group) only, so a
// resumed run and every rank of a data-parallel job draw the same vectors.
// Vectors are rounded to hundredths summing to exactly 1 (largest remainder),
// so the line the policy reads and the weights its reward uses are the same
// numbers.
//
// The "prompt" mechanism shows the vector to the policy as a system turn whose
// text is conditioningLine(); the format is fixed, since exported models rely
// on it:
//   Preference weights: politeness=0.25, meaningfulness=0.25, actionability=0.25, safety=0.25
// (every aspect of the run, in the reward model's order, two decimals, summing to 1).
//
// Plain functions; no torch, no Qt. Any thread.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace awb {

enum class Conditioning {
    None,     // "none": the weights are the run's (and the live controls')
    Prompt,   // "prompt": the vector is a system line of the chat template (RiC-style)
    Lora,     // "lora": the vector scales a block of the LoRA adapters' inner dimensions (Panacea-style)
};

// "none" | "prompt" | "lora"; Error naming the option otherwise.
Conditioning parseConditioning(const std::string &name);
const char *conditioningName(Conditioning conditioning);

// The prefix of the conditioning line: exported models and `awb steer` rely on it.
inline constexpr const char *kConditioningPrefix = "Preference weights: ";

// The line for `weights` (K values, any positive scale; normalised and rounded
// as quantizeWeights does) over `aspects` (K names).
std::string conditioningLine(const std::vector<std::string> &aspects, const std::vector<double> &weights);

// Non-negative weights with a positive sum, normalised to sum 1 and rounded to
// hundredths by largest remainder (ties to the earlier aspect); the result
// sums to exactly 100 hundredths. Error for a negative, non-finite or all-zero vector.
std::vector<double> quantizeWeights(const std::vector<double> &weights);

// A Dirichlet(alpha, ..., alpha) draw over K aspects for group `group` of step
// `step`, quantised. The gamma variates come from this project's own
// Marsaglia-Tsang sampler on a splitmix64-seeded mt19937_64, so the vector is
// the same on every standard library.
std::vector<double> dirichletWeights(std::size_t K, double alpha, std::uint64_t seed, std::int64_t step,
                                     std::int64_t group);

// The `conditioning_vectors` option: ";"-separated vectors, each either
// "corners" (the K one-hot vectors), "uniform", or "a=1,b=2" (aspects not
// named weigh 0). Every vector is quantised. Error naming the option for an
// unknown aspect, a bad number or an all-zero vector.
std::vector<std::vector<double>> parseConditioningVectors(const std::string &text,
                                                          const std::vector<std::string> &aspects);

// "a=1,b=2" as K weights in `aspects` order (aspects not named weigh 0), for
// `awb steer --weights` and the playground; Error naming `label` for an aspect
// the run does not have, a missing aspect list or a bad number.
std::vector<double> parseWeightList(const std::string &text, const std::vector<std::string> &aspects,
                                    const std::string &label);

// The vector of group `group` (0-based within the step) of step `step` (1-based):
// fixed[((step - 1) * F + group) mod fixed.size()] for group < F = min(B, fixed.size()),
// else a Dirichlet draw.
std::vector<double> groupWeights(const std::vector<std::vector<double>> &fixed, std::size_t K, double alpha,
                                 std::uint64_t seed, std::int64_t step, std::int64_t group, std::int64_t groupsPerStep);

// M vectors spread over the simplex for a front sweep: the K corners and the
// uniform vector first, then, when only two aspects are swept (`plane`, two
// indices), the edge between them at even spacing with the others at 0;
// otherwise Dirichlet(1) draws seeded by `seed`. Each quantised; duplicates dropped.
std::vector<std::vector<double>> sweepVectors(std::size_t K, std::int64_t M, const std::vector<std::size_t> &plane,
                                              std::uint64_t seed);

// {aspect: weight} of a vector.
std::map<std::string, double> weightMap(const std::vector<std::string> &aspects, const std::vector<double> &weights);

} // namespace awb
