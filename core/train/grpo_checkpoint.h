#pragma once
// GRPO checkpoints: what a stopped run needs to continue exactly.
//
//   <dir>/checkpoint-<step>/          (TRL's folder name)
//     policy/                         config.json + model.safetensors (full fine-tuning, the exact
//                                     fp32 weights, unmerged) or adapter_config.json +
//                                     adapter_model.safetensors (LoRA, PEFT layout);
//                                     tokenizer files copied in, so the folder loads as a model
//     optimizer.safetensors           AdamW's state (AdamW::stateDict)
//     value_model.safetensors         PPO only: the value model's head and trainable backbone tensors
//     trainer_state.json              algorithm, step, optimiser steps, the options, the weights
//                                     and aggregation in force, the reward model's version and path
//
// A checkpoint is written into a hidden temporary folder and renamed into
// place, so a crash mid-write never leaves a half checkpoint under the real name.
// Trainer thread only. Core-only header.

#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace awb {

class AdamW;
class CausalLM;

struct CheckpointState
{
    std::string algorithm = "grpo";                // GrpoOptions::algorithm; checkpoints older than the field are grpo
    std::int64_t step = 0;
    std::int64_t optimizerSteps = 0;
    nlohmann::json options;                        // grpoOptionsToJson
    std::map<std::string, double> weights;         // live weights at the checkpoint
    std::string aggregation;                       // live aggregation ("" = the option)
    std::int64_t rewardModelVersion = 0;
    std::string rewardModelPath;
    NamedTensors valueState;                       // PPO: the value model's trainable tensors (value_model.safetensors)
    std::int64_t valueHiddenSize = 0;              // PPO: the value head's input size; 0 = no value model
    std::map<std::string, double> lambdas;         // constraints: each aspect's Lagrange multiplier
    std::map<std::string, double> bounds;          // constraints: each aspect's bound (edited live or the option's)
    std::string runUid;                            // the run's identity (its stored config's run_uid); empty before it existed
};

// Where a workspace keeps a run's checkpoints: <db>.runs/run-<id> (db made absolute).
std::string runCheckpointDir(const std::string &db, std::int64_t runId);
std::string checkpointFolder(const std::string &dir, std::int64_t step);
// Writes checkpoint-<state.step> under dir; returns its path. Throws IoError naming the file;
// a checkpoint that fails to write (a full disk) leaves nothing behind, not even its .tmp folder.
std::string writeCheckpoint(const std::string &dir, const CausalLM &policy, const AdamW &optimizer,
                            const CheckpointState &state, const std::string &tokenizerDir = {});
// Loads weights and optimiser state into `policy` and `optimizer` (which must be
// set up as for the run: same model, same LoRA options). Throws FormatError
// naming the file when the checkpoint does not match, or was written by
// another algorithm than `algorithm`.
CheckpointState readCheckpoint(const std::string &checkpoint, CausalLM &policy, AdamW &optimizer,
                               const std::string &algorithm = "grpo");
nlohmann::json readCheckpointStateJson(const std::string &checkpoint);
// checkpoint-<n> folders under dir, oldest (smallest n) first.
std::vector<std::string> listCheckpoints(const std::string &dir);
// Those of the run `runUid` only (trainer_state.json's run_uid; a run without one, from before
// the field, owns the folders without one): a folder left by a deleted workspace at the same
// path is not the run's.
std::vector<std::string> listCheckpoints(const std::string &dir, const std::string &runUid);
void removeCheckpoint(const std::string &checkpoint);
// The newest of the run's own checkpoints (or empty); `foreign` counts the folders of other runs there.
std::string latestOwnCheckpoint(const std::string &dir, const std::string &runUid, std::size_t *foreign);
// 16 hex digits from the system's entropy: a new run's identity (its config's run_uid).
std::string newRunUid();
// A new run's folder that already holds checkpoints (a workspace deleted and made again at the
// same path) is renamed to "<dir>.orphaned-<unix time>", never adopted nor deleted. Returns the
// new name, or empty when there was nothing there. Throws IoError when it cannot be moved.
std::string setAsideCheckpointFolder(const std::string &dir);

} // namespace awb
