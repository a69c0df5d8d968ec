#pragma once
// The relabel-retrain loop's training step: a new reward-model version from
// the workspace's human labels. Starts from the newest registered version (or
// a given folder), fine-tunes it on every human-labelled sample plus a replay
// of the labels it was first trained on (so a few dozen corrections refine the
// model instead of overwriting it), saves it next to the workspace as
// <workspace>.reward-models/v<N>/ and registers it in the store.
// Any thread; opens its own Store connection. Core-only header (no torch).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace awb {

class CausalLM;
class RewardModel;

struct RewardRetrainOptions
{
    std::string db;                    // workspace file (required)
    std::string baseModelDir;          // start from this folder; empty = the newest registered version
    std::string replayLabelsPath;      // JSONL of {"prompt","response","labels":{aspect: value}}; empty = none
    std::int64_t replayPerHumanLabel = 3;  // replayed examples per human-labelled sample ...
    std::int64_t replayMinimum = 200;      // ... but at least this many (when the file has them)
    std::int64_t epochs = 3;           // upper bound; early stopping on the validation split may end sooner
    // Held out for early stopping (which keeps the starting weights when no epoch beats them);
    // negative: 0.1 with 20 or more examples, else none. 0: every epoch trains and the last is kept.
    double validationFraction = -1.0;
    double learningRate = 1e-4;        // backbone (or adapters)
    double headLearningRate = 1e-3;
    std::uint64_t seed = 0;            // replay choice, validation split, bootstrap resamples, new members
    // M heads of the new version (an ensemble, reward_model.h); 0: as many as the version it starts from.
    // A version with fewer heads gets new members around its mean head (RewardModel::setEnsembleSize).
    std::int64_t ensembleSize = 0;
    double ensembleSpread = 1.0;       // new members' spread, in units of a fresh head's initialisation
    // A running LoRA run's policy and its folder: a LoRA reward model on that folder borrows the
    // policy's base weights (one base in memory while the window retrains during a run); the base
    // stays frozen, so both threads only read it. Empty: the reward model loads its own copy.
    std::shared_ptr<const CausalLM> sharedBase;
    std::string sharedBaseFolder;
};

struct RewardRetrainResult
{
    std::int64_t version = 0;          // registered in the store
    std::string path;
    std::int64_t humanExamples = 0, replayExamples = 0;
    std::vector<double> trainLoss, validationLoss;   // per epoch
    struct Metric
    {
        std::string aspect;
        std::int64_t count = 0;
        double rmse = 0, pearson = 0, spearman = 0;
    };
    std::vector<Metric> validation;                  // per aspect, schema order, on the held-out split
    std::shared_ptr<RewardModel> model;              // ready to publish to a running job
    bool sharesBase = false;           // the model borrowed sharedBase's weights
    bool cancelled = false;            // nothing saved or registered then
};

// progress(epoch, epochs, batch, batches, batchLoss); shouldStop polled between batches.
// Throws Error naming the file when there is nothing to train on or a file is bad.
RewardRetrainResult retrainRewardModel(
    const RewardRetrainOptions &options,
    const std::function<void(std::int64_t, std::int64_t, std::int64_t, std::int64_t, double)> &progress = {},
    const std::function<bool()> &shouldStop = {});

} // namespace awb
