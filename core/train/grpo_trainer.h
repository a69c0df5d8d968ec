#pragma once
// GRPO (Shao et al., 2024) against a multi-aspect reward model, as in Li et
// al. 2025 ("Multi-Objective GRPO"), with TRL's GRPOTrainer conventions.
//
// One step: B prompts x G completions from the policy (sampler, KV cache) ->
// K aspect scores per completion from the reward model -> one reward with the
// live weights -> group-relative advantages -> num_iterations optimiser steps
// of the clipped surrogate with a k3 KL penalty to the reference (the base
// model with LoRA adapters off, or a frozen copy for full fine-tuning) ->
// a StepReport to the sink. Controls (weights, aggregation, reward model) are
// read once per step; pause and stop are honoured between phases.
//
// Reproducibility: prompt order, sampling and dropout derive from (seed, step)
// alone, and checkpoints hold the weights and the optimiser state, so a run
// resumed from step n reproduces the uninterrupted run's later steps exactly
// on CPU.
//
// The trainer runs on one thread (the caller's); the sink is called on it.
// Core-only header: no Qt; torch types stay in the .cpp.

#include "train/grpo_options.h"
#include "train/preference_pairs.h"
#include "train/step_report.h"
#include "util/runtime.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace awb {

class CausalLM;
class Communicator;
class RewardModel;
class TrainingControls;
class Tokenizer;

struct GrpoTrainerSetup
{
    GrpoOptions options;
    Runtime runtime;
    std::vector<std::string> prompts;          // the training prompts (raw text)
    std::shared_ptr<RewardModel> rewardModel;  // required
    std::int64_t rewardModelVersion = 0;
    std::string rewardModelPath;               // recorded in checkpoints
    GoldScorer goldScorer;                     // optional (the demo's judge)
    std::string checkpointDir;                 // checkpoint-<step>/ folders go here; empty = no checkpoints
    // DPO: the held-out prompts of the evaluation generations, the pairs (pair
    // source file or workspace; the trainer builds gold ones itself) and the
    // source they came from: "file", "workspace" or "gold".
    std::vector<std::string> evalPrompts;
    std::vector<PreferencePair> pairs;
    std::string pairSource;
    // Optional: options.model already loaded (with the runtime's device and dtype) and possibly
    // lending its base weights to the reward model (one base in memory); else the trainer loads it.
    std::shared_ptr<CausalLM> policy;
    // Data-parallel ranks (dist/communicator.h); null: one process. Each rank
    // samples, scores and trains its share of the step's groups; see
    // grpo_trainer_dist.cpp for what is reduced and what rank 0 alone does.
    std::shared_ptr<Communicator> comm;
    // The run's identity, written into its checkpoints; only checkpoints carrying it are the run's.
    std::string runUid;
};

class GrpoTrainer
{
public:
    // Loads the policy (and a frozen reference for full fine-tuning with
    // beta > 0) from options.model; throws Error naming the file on bad input.
    GrpoTrainer(GrpoTrainerSetup setup, TrainingControls &controls, TrainingSink &sink);
    ~GrpoTrainer();

    // Restores weights, optimiser state and the step from a checkpoint folder
    // written by this class. Returns the step it continues after.
    std::int64_t resumeFrom(const std::string &checkpoint);
    // The newest checkpoint-<n> folder of the run `runUid` under dir, or empty.
    static std::string latestCheckpoint(const std::string &dir, const std::string &runUid = {});
    // What a checkpoint recorded (trainer_state.json): step, weights, aggregation, reward model.
    static nlohmann::json readCheckpointState(const std::string &checkpoint);

    // Runs steps until options.maxSteps or a stop request. Returns the last
    // completed step. A checkpoint is written every save_steps and at the end.
    std::int64_t run();
    // One step (used by run() and by tests). Returns false when stopped mid-step.
    bool runStep();

    std::int64_t step() const;
    // The weight copies this run holds, one entry each: "policy" (its LoRA
    // reference is the same copy with adapters off), "reference" (full
    // fine-tuning with a KL coefficient > 0), "reward model" (unless it
    // borrows the policy's base, sharesBase()), "value model" (PPO, unless
    // it borrows the policy's base).
    std::vector<std::string> modelsInMemory() const;
    CausalLM &policy();
    // The policy for another thread that only reads its frozen base (a reward model retrained
    // during a LoRA run borrows it: RewardRetrainOptions::sharedBase).
    std::shared_ptr<const CausalLM> sharedPolicy() const;
    const Tokenizer &tokenizer() const;
    std::string saveCheckpoint();   // returns the folder

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace awb
