#pragma once
// What every algorithm of the training skeleton reports after a step, and the
// observer it reports to: the same StepReport feeds the store, the CLI's JSON
// lines and the window's curves, whichever algorithm produced it.
// Core-only header: no Qt, no torch.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace awb {

struct StepSample
{
    std::int64_t promptIndex = 0;              // into the run's prompts
    std::string prompt;                        // as given (before the chat template)
    std::string completion;                    // decoded, special tokens skipped
    std::int32_t group = 0;                    // group index within the step
    std::int32_t indexInGroup = 0;
    std::int64_t completionTokens = 0;
    std::string finish;                        // "eos", "length", "stop"
    std::vector<double> scores;                // per aspect, from the reward model
    std::vector<double> gold;                  // per aspect, from the gold scorer (empty without one)
    std::vector<double> weights;               // per aspect, the group's own weights (steerable runs; else empty)
    std::vector<double> scoreStd;              // per aspect, the ensemble's spread (empty for one model)
    std::vector<std::vector<double>> members;  // per aspect, each ensemble member's score (empty for one model)
    double reward = 0.0;
    double advantage = 0.0;
};

struct StepReport
{
    std::int64_t step = 0;
    std::int64_t maxSteps = 0;
    std::vector<std::string> aspects;
    std::map<std::string, double> weights;     // in force during the step
    std::string aggregation;
    std::int64_t rewardModelVersion = 0;
    nlohmann::json metrics;                    // flat, TRL-style names (see metricNames in the .cpp)
    std::map<std::string, double> aspectMeans; // reward-model scores
    std::map<std::string, double> goldMeans;   // empty without a gold scorer
    double goldObjective = 0.0;                // gold means combined with the weights (weighted mean)
    std::map<std::string, double> phaseSeconds;   // generation, scoring, reference, update
    std::vector<StepSample> samples;
};

// Observer of a run; all calls come from the training thread.
class TrainingSink
{
public:
    virtual ~TrainingSink() = default;
    virtual void onStep(const StepReport &report) = 0;
    virtual void onLog(const std::string &message) { (void)message; }
    virtual void onPhase(std::int64_t step, const std::string &phase) { (void)step; (void)phase; }
    virtual void onCheckpoint(std::int64_t step, const std::string &dir) { (void)step; (void)dir; }
    // Before step `step` reads its controls (every rank of a data-parallel job calls it).
    virtual void onStepStart(std::int64_t step) { (void)step; }
};

// Scores a (prompt, completion) with the gold judge: one value per aspect name.
using GoldScorer = std::function<std::map<std::string, double>(const std::string &prompt, const std::string &completion)>;

} // namespace awb
