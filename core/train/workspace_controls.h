#pragma once
// The controls of a run as the workspace holds them (Store::RunControls), for
// the process that trains it: read at the start of every step, so a window
// (or any other process) that opened the same workspace steers a run it did
// not start: aspect weights, aggregation, reward-model version, pause and stop.
// Used by GrpoSession on rank 0 (or the only process). Training thread only.
// Core-only header.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace awb {

class RewardModel;
class Store;
class TrainingControls;

class WorkspaceControls
{
public:
    // Loads a reward-model folder as the run loads its own (sharing the policy's base when it can).
    using LoadRewardModel = std::function<std::shared_ptr<RewardModel>(const std::string &path)>;
    using Log = std::function<void(const std::string &)>;

    // Takes the workspace's controls as they are now for a baseline: weights set
    // while the run was not running do not apply, and a pause or stop left from
    // before is cleared (starting or resuming the run is the user's newer word).
    WorkspaceControls(Store &store, std::int64_t runId, std::vector<std::string> aspects, TrainingControls &controls,
                      LoadRewardModel load, Log log);

    // Applies what changed since the last read to `controls` (a stop included);
    // returns true while the workspace says "pause" (the caller waits and asks
    // again). A locked workspace changes nothing until the next read.
    bool poll(std::int64_t step);

private:
    Store &m_store;
    std::int64_t m_runId;
    std::vector<std::string> m_aspects;
    TrainingControls &m_controls;
    LoadRewardModel m_load;
    Log m_log;
    std::int64_t m_revision = 0;
    std::int64_t m_rewardModelVersion = 0;
    bool m_paused = false;
};

} // namespace awb
