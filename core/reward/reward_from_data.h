#pragma once
// A new reward model from users' data files (reward_data.h) on a base model
// folder: `awb reward-model train` and the Reward model dock's "New reward
// model". The result is the usual reward-model folder (reward_model.h),
// registered as the workspace's next version (db) or written to a new folder
// (out), whole or not at all; a cancelled or failed training writes nothing.
// Any thread; opens its own Store connection. Core-only header (no torch).

#include "reward/reward_data.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace awb {

class RewardModel;

struct RewardFromDataOptions
{
    std::string base;                       // Hugging Face model folder (config.json, weights, tokenizer.json)
    std::vector<RewardDataFile> data;       // at least one, unless workspaceLabels
    bool workspaceLabels = false;           // also train on the workspace's human labels (db required): the
                                            // cold start, after sampling for labelling
    std::vector<AspectRequest> aspects;     // --aspects; empty: the workspace's, else the data's
    bool useLora = false;                   // LoRA adapters on the base (the base folder is referenced, not copied)
    std::int64_t loraR = 16;                // LoRA rank and alpha (TRL/PEFT defaults of the policy's LoRA)
    double loraAlpha = 32;
    std::int64_t epochs = 3;                // upper bound; early stopping on the validation split may end sooner
    double learningRate = 1e-4;             // backbone or adapters; 1e-5 suits full fine-tuning of a 0.5B base
    double headLearningRate = 1e-3;
    double validationFraction = 0.1;        // held out for the metrics and early stopping
    std::int64_t batchSize = 8;             // items (scored examples or pairs) per optimiser step
    std::int64_t maxLength = 512;           // tokens per scored text, truncated from the left
    std::uint64_t seed = 0;
    std::int64_t ensembleSize = 1;          // M heads on the one backbone, each on its own bootstrap resample
                                            // (reward_trainer.h); 1: a single model
    std::string device = "auto";            // Runtime device
    std::int64_t threads = 0;               // 0: all cores
    std::string db;                         // register in this workspace ...
    std::string out;                        // ... or write this new folder (exactly one of the two)
};

struct RewardFromDataResult
{
    std::string path;
    std::int64_t version = 0;               // with db
    RewardDataset dataset;                  // schema, file summaries and warnings (examples and pairs cleared)
    std::vector<double> trainLoss, validationLoss;
    std::int64_t bestEpoch = 0;
    std::int64_t trainExamples = 0, trainPairs = 0, validationExamples = 0, validationPairs = 0;
    nlohmann::json metrics;                 // {aspect: aspectMetricsJson}
    double seconds = 0;
    bool cancelled = false;
    std::shared_ptr<RewardModel> model;     // the trained model (not cancelled)

    nlohmann::json toJson() const;          // the summary `awb reward-model train` prints
};

// The aspect schema of the workspace's newest reward-model version (its aspects.json), else of its newest
// run (the run config's "aspect_schema", as a labelling run records it); nullopt when it has neither.
std::optional<AspectSchema> workspaceAspects(const std::string &db);

// `log` receives warnings and phase messages; progress(epoch, epochs, batch, batches, loss).
// Throws Error naming the file for bad data, a base folder without a tokenizer, and bad options.
RewardFromDataResult trainRewardModelFromData(
    const RewardFromDataOptions &options, const std::function<void(const std::string &)> &log = {},
    const std::function<void(std::int64_t, std::int64_t, std::int64_t, std::int64_t, double)> &progress = {},
    const std::function<bool()> &shouldStop = {});

} // namespace awb
