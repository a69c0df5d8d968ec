#pragma once
// The annotators' cold start: completions of the policy for a workspace's
// prompts, with no reward model and no training, stored as a "labelling" run
// so that the inspector, the label editor and the keyboard flow work on them
// as on a training run. The labels then train the first reward model
// (`awb reward-model train --labels`, or the Reward model dock).
//
// Each batch of prompts is one step of the run, written in one transaction:
// a crash or a cancel loses at most the batch in flight. Prompts are the
// prompt set's training split in a seeded order.
// Any thread; opens its own Store connection. Core-only header (no torch).

#include "reward/aspect_schema.h"

#include <cstdint>
#include <functional>
#include <string>

namespace awb {

struct LabellingSampleOptions
{
    std::string db;                          // workspace (required)
    std::string model;                       // policy folder (config.json, weights, tokenizer.json)
    std::string promptsFile;                 // import this prompt file (once) and sample its prompts ...
    std::string promptField = "prompt";      // ... its JSONL key or CSV column
    std::int64_t promptSetId = 0;            // else this prompt set; 0: the newest
    std::int64_t prompts = 32;               // N prompts (fewer when the set has fewer)
    std::int64_t numGenerations = 4;         // G completions per prompt
    std::int64_t promptsPerBatch = 4;        // prompts sampled together (one step of the run)
    std::int64_t maxCompletionLength = 128;
    std::int64_t maxPromptLength = 512;
    double temperature = 1.0;
    double topP = 1.0;
    bool useChatTemplate = true;
    std::uint64_t seed = 0;
    AspectSchema aspects = AspectSchema::defaults();   // what annotators score (the run's "aspect_schema")
    std::string runName;                     // empty: "labelling <time>"
    std::string device = "auto";
    std::int64_t threads = 0;
};

struct LabellingSampleResult
{
    std::int64_t runId = 0;
    std::int64_t samples = 0;
    std::int64_t prompts = 0;
    double seconds = 0;
    bool cancelled = false;
};

// progress(promptsDone, promptsTotal) after each batch; shouldStop polled between decode steps.
// Throws Error naming the workspace or folder: no prompts, a bad policy folder, bad options.
LabellingSampleResult sampleForLabelling(const LabellingSampleOptions &options,
                                         const std::function<void(std::int64_t, std::int64_t)> &progress = {},
                                         const std::function<bool()> &shouldStop = {});

} // namespace awb
