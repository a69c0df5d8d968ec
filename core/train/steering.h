#pragma once
// Generating from a run's checkpoint at chosen aspect weights, and the front a
// steerable run traces when its weights are swept over the simplex: the
// playground dock, `awb steer` and `awb front` (and the Pareto view's "Sweep
// front") all call these.
//
// A steerable run (conditioning "prompt") was trained to read its weights from
// the conditioning line (train/conditioning.h), so any weight vector may be
// asked of it. A run that was not steerable answers only at the weights it was
// trained with (those in force at its checkpoint); asking it for others is an
// error that says so.
//
// SteeredPolicy owns its models (the checkpoint's policy, the reward model)
// and is used from one thread at a time (the CLI's, or the GUI's worker).
// Core-only header (no torch types).

#include "train/grpo_options.h"
#include "train/step_report.h"
#include "util/runtime.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace awb {

struct SteerOptions
{
    std::int64_t numSamples = 4;       // completions per prompt
    std::int64_t maxNewTokens = 0;     // 0: the run's max_completion_length
    double temperature = -1.0;         // negative: the run's temperature
    std::uint64_t seed = 1;            // sampling seed; the same seed and weights give the same text
    std::int64_t rewardBatchSize = 32; // completions per reward-model pass
};

struct SteerSample
{
    std::string prompt;
    std::string text;
    std::string finish;                      // "eos", "length"
    std::map<std::string, double> weights;   // what the policy was conditioned on (or trained with), summing to 1
    std::map<std::string, double> scores;    // the reward model's
    std::map<std::string, double> gold;      // the demo's gold judge (empty off the demo)
};

// What a checkpoint says about its weights without loading any model: whether
// the run was steerable, and the weights it trained with (the live weights at
// the checkpoint over the run's aspect_weights; aspects named by neither weigh 1).
struct SteeringInfo
{
    bool steerable = false;
    std::string conditioning = "none";   // the run's mechanism: none, prompt or lora
    std::map<std::string, double> weights;   // as recorded (not normalised)
    // The weights over `aspects`, normalised to sum 1 (the uniform vector for a steerable run).
    std::vector<double> over(const std::vector<std::string> &aspects) const;
};
SteeringInfo steeringInfo(const std::string &checkpoint);

class SteeredPolicy
{
public:
    // `checkpoint`: a checkpoint-<step> folder of an online run (its
    // trainer_state.json holds the run's options). `rewardModel`: a reward-model
    // folder; empty takes the one the checkpoint recorded. `gold`: score with
    // the demo's gold judge too. Throws Error naming the file for an offline
    // (DPO) checkpoint, a missing base model or reward model.
    SteeredPolicy(const std::string &checkpoint, const std::string &rewardModel, bool gold, const Runtime &runtime);
    ~SteeredPolicy();

    bool steerable() const;
    std::int64_t step() const;
    const std::vector<std::string> &aspects() const;
    // Each aspect's score range [min, max] (the reward model's schema).
    std::vector<std::pair<double, double>> aspectRanges() const;
    // The weights a fixed-weight run trained with at this checkpoint, normalised
    // to sum 1 (for a steerable run: the uniform vector).
    std::vector<double> runWeights() const;
    const GrpoOptions &runOptions() const;

    // `weights`: K values over aspects() (any positive scale), or empty for the
    // run's own. Error for weights that are not K long, negative or all zero,
    // and for any weights asked of a checkpoint that is not steerable.
    std::vector<SteerSample> generate(const std::vector<std::string> &prompts, const std::vector<double> &weights,
                                      const SteerOptions &options, const std::function<bool()> &cancelled = {});

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// One swept weight vector's mean scores over the prompts.
struct FrontPoint
{
    std::vector<double> weights;   // K, summing to 1
    std::vector<double> scores;    // K reward-model means
    std::vector<double> gold;      // K gold means (empty without a gold judge)
    std::int64_t samples = 0;
};

struct FrontResult
{
    std::vector<std::string> aspects;
    std::size_t x = 0, y = 1;              // the plane's aspects, indices into `aspects`
    bool byGold = false;                   // the plane's values are gold means (else reward-model means)
    std::vector<FrontPoint> points;
    std::vector<int> front;                // indices into points: the non-dominated ones on the plane, by x
    double hypervolume = 0.0;              // above `reference`
    std::pair<double, double> reference;   // the aspects' minima
};

// The plane's coordinate of a point (gold when byGold and available).
std::pair<double, double> planePoint(const FrontResult &result, const FrontPoint &point);

// Generates for `prompts` at each of `vectors` (sweepVectors()) and measures
// each vector's mean scores, then the front and hypervolume on the (x, y)
// plane, by the gold judge when the policy has one. `progress(done, total)`
// follows the vectors; `cancelled` is polled between them.
FrontResult sweepFront(SteeredPolicy &policy, const std::vector<std::string> &prompts,
                       const std::vector<std::vector<double>> &vectors, std::size_t x, std::size_t y,
                       const SteerOptions &options, const std::function<void(std::int64_t, std::int64_t)> &progress = {},
                       const std::function<bool()> &cancelled = {});
// Recomputes result.front and result.hypervolume from its points (after points were added).
void measureFront(FrontResult &result);

class Store;
// The held-out ("test") prompts of the prompt set run `runId` trained on. With
// adversarialOnly, only those the demo's prompt file marks adversarial (a demo
// run only). Error naming the workspace when the run is unknown or none remain.
std::vector<std::string> runHeldOutPrompts(const Store &store, std::int64_t runId, bool adversarialOnly);
// True when the run was started on the shipped demo (its samples have gold scores).
bool isDemoRun(const Store &store, std::int64_t runId);

// FrontPoint as {"weights": {..}, "scores": {..}, "gold": {..}, "samples": n}.
nlohmann::json frontPointJson(const std::vector<std::string> &aspects, const FrontPoint &point);

} // namespace awb
