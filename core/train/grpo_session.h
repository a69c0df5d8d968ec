#pragma once
// A GRPO run with its workspace: resolves the inputs (policy, reward model,
// prompts; the demo's when asked), records the run in the store, writes every
// step in one transaction, registers checkpoints, and resumes a stopped run.
// The CLI (`awb train`) and the GUI's training worker both drive this class,
// so they behave the same.
//
// Layout next to the workspace file W:  W.runs/run-<id>/checkpoint-<step>/
//
// One thread: construct, run() and destroy on the training thread; it opens
// its own Store connection. Other threads talk to it only via TrainingControls.
// Core-only header (no torch types).

#include "train/grpo_options.h"
#include "train/grpo_trainer.h"
#include "util/runtime.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace awb {

class Communicator;
class Store;
class TrainingControls;

struct GrpoSessionOptions
{
    // Options in layers, later ones winning: the defaults (or the demo's, or
    // on resume the run's stored ones), then `config` (a --config file), then
    // `overrides` (flags the user gave). Both are JSON with TRL's key names.
    nlohmann::json config = nlohmann::json::object();
    nlohmann::json overrides = nlohmann::json::object();
    RuntimeOptions runtime;
    std::string db;                // workspace file (created when missing)
    bool demo = false;             // the shipped demo: its policy, reward model, prompts and gold judge
    std::string demoDir;           // empty: findDemoDir()
    bool resume = false;           // continue the workspace's latest run (or resumeRunId)
    std::int64_t resumeRunId = 0;
    // Weights (TrainingControls, "aspect_weights") naming an aspect the reward
    // model lacks are an error (the CLI: a typo in --weights); else ignored.
    bool strictWeights = false;
    // A data-parallel job's ranks (awb train under torchrun or srun): rank 0
    // alone opens the workspace and records the run; the others train their
    // share of every step. Null: one process.
    std::shared_ptr<Communicator> comm;
};

class GrpoSession
{
public:
    // Resolves everything and loads the models; throws Error with a clear
    // message (missing demo, unreadable prompt file, no reward model, a run
    // to resume without checkpoints, ...).
    GrpoSession(const GrpoSessionOptions &options, TrainingControls &controls, TrainingSink &sink);
    ~GrpoSession();

    // Runs to max_steps or a stop request; marks the run "finished", "stopped" or "failed".
    std::int64_t run();

    std::int64_t runId() const;
    std::int64_t startStep() const;          // the step run() continues after (0 for a new run)
    const GrpoOptions &options() const;      // resolved (absolute paths, demo defaults)
    const std::vector<std::string> &aspects() const;
    std::string checkpointDir() const;
    GrpoTrainer &trainer();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// The GRPO options of the demo (demo.json "grpo"), paths made absolute.
GrpoOptions demoGrpoOptions(const std::string &demoDir);

} // namespace awb
