#pragma once
// Reward-model versions in and out of a workspace.
//
// Export writes a self-contained copy of a version's folder (reward_model.h's
// layout) that loads anywhere: LoRA adapters are folded into the backbone, so
// the copy does not depend on a base-model folder on this machine. Import
// reads such a folder (from this or another workspace, or written by another
// tool in the same layout), checks it, stores a self-contained copy next to
// the workspace as <workspace>.reward-models/v<N>/ and registers it as the
// next version. A model whose aspects differ from the workspace's newest
// version is refused: runs and labels speak of those aspects.
// Both write their folder whole or not at all (AtomicFolder).
// Any thread; import opens its own Store connection. Core-only header (no torch).

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

struct RewardModelTransfer
{
    std::string path;                    // the folder written
    std::int64_t version = 0;            // import: the version registered
    std::vector<std::string> aspects;
    std::int64_t labelCount = 0;         // labels the model was trained on (reward_model.json)
    bool lora = false;                   // the source had unmerged adapters (folded in on the way)
};

// Throws Error naming the file when the source cannot be loaded, or the target
// folder exists and is not empty.
RewardModelTransfer exportRewardModel(const std::string &modelDir, const std::string &outDir);
// Throws Error naming the folder when it is not a reward model, or its aspects
// differ from the workspace's newest version (both lists named).
RewardModelTransfer importRewardModel(const std::string &db, const std::string &modelDir);

// <db>.reward-models/v<version>, or v<version>-2, -3 ... when that exists.
std::string newRewardModelFolder(const std::string &db, std::int64_t version);

} // namespace awb
