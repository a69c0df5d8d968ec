#pragma once
// An active-learning curve measured on the demo: how fast the reward model
// improves when an annotator labels the samples a strategy picks first.
// `awb active-learning` runs it; the gold judge plays the annotator.
//
// 1. Pool: the samples of a GRPO run on the demo (pool_steps steps, the demo's
//    options), stored in the workspace. A fixed share of them, chosen by the
//    seed alone, is held out: the metrics compare the model with their gold
//    scores, and no strategy ever offers them for labelling.
// 2. The starting model: the demo's reward model with ensemble_size heads,
//    the new heads fitted (head only, each on its own bootstrap resample) to
//    the demo's noisy labels, so that round 1 already has a spread to rank by.
// 3. Each of `rounds` rounds takes the next budget/rounds unlabelled samples in
//    the strategy's order, labels every aspect with the gold score (queue =
//    the strategy, as the window records it), retrains from the starting model
//    on all labels so far plus a replay of the demo's labels (reward_retrain.h,
//    as the window's Retrain does, but without early stopping: every epoch
//    trains) and records Spearman and RMSE per aspect on the held-out samples.
//
// Strategies: "uncertainty" (the largest std across members over the aspects,
// first), "disagreement" (query by committee: the largest range, max - min,
// across members over the aspects, first), "random" (a permutation drawn from
// the seed; the same for every round).
//
// Runs on the calling thread; opens its own Store connection. Core-only header (no torch).

#include "util/runtime.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace awb {

struct ActiveLearningOptions
{
    std::string demoDir;                   // empty: findDemoDir()
    std::string db;                        // workspace: a new one, or one with only a pool run and no labels
    std::string strategy = "uncertainty";  // uncertainty | random | disagreement
    std::int64_t budget = 480;             // samples labelled in all (every aspect of each)
    std::int64_t rounds = 8;               // retrainings; round r labels budget * r / rounds samples in all
    std::uint64_t seed = 0;                // held-out choice, random order, retraining
    std::int64_t ensembleSize = 5;         // heads of every model (the starting one and each retrained one)
    std::int64_t poolSteps = 30;           // GRPO steps whose samples make the pool (64 per step on the demo)
    double heldOutFraction = 0.25;         // of the pool, for the metrics only
    std::int64_t epochs = 3;               // per retraining (early stopping may end sooner)
    RuntimeOptions runtime;
};

struct ActiveLearningRound
{
    std::int64_t labels = 0;               // samples labelled so far
    std::int64_t version = 0;              // the reward-model version of the workspace this round trained
    // Per aspect on the held-out samples: {"spearman", "rmse", "pearson", "count"}.
    nlohmann::json metrics = nlohmann::json::object();
    double seconds = 0;                    // since the start of the command
};

struct ActiveLearningResult
{
    std::string strategy;
    std::vector<std::string> aspects;
    std::int64_t poolSamples = 0, heldOutSamples = 0;
    std::vector<ActiveLearningRound> rounds;   // rounds[0]: the starting model, 0 labels

    // {"strategy", "seed", "pool", "held_out", "aspects", "rounds": [{"labels", "version", "metrics", "seconds"}]}
    nlohmann::json toJson() const;
};

// The strategies in the order `--help` lists them.
const std::vector<std::string> &activeLearningStrategies();

// `log` receives phase messages; `shouldStop` is polled between rounds and during training.
// Throws Error for bad options (naming the option and value), a workspace that already has
// labels, or a demo folder that is not one.
ActiveLearningResult runActiveLearning(const ActiveLearningOptions &options,
                                       const std::function<void(const std::string &)> &log = {},
                                       const std::function<bool()> &shouldStop = {});

// The order a strategy gives `candidates` (indices into `stds`/`ranges`, the per-sample,
// per-aspect spread and range across members): uncertainty by the largest std, disagreement
// by the largest range, both descending with ties in candidate order; random: candidates
// shuffled by mt19937_64(seed) Fisher-Yates (rng() % (i + 1)). For tests and the command.
std::vector<std::size_t> activeLearningOrder(const std::string &strategy, const std::vector<std::size_t> &candidates,
                                             const std::vector<std::vector<double>> &stds,
                                             const std::vector<std::vector<double>> &ranges, std::uint64_t seed);

} // namespace awb
