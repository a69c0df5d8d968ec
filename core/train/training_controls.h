#pragma once
// The live controls of a running GRPO job: aspect weights, aggregation mode,
// constraints' bounds,
// the reward model in use, pause/resume/stop. Any thread may write them (the
// GUI thread, a reward-model retraining worker); the trainer reads a snapshot
// once at the start of every step and checks pause/stop between phases, so a
// change takes effect at the next step boundary and never mid-step.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace awb {

class RewardModel;

struct ControlSnapshot
{
    std::map<std::string, double> weights;         // by aspect name; missing aspects weigh 1
    std::string aggregation;                       // empty = the run's option
    std::map<std::string, double> bounds;          // a constraint's live bound by aspect; missing = the run's option
    std::shared_ptr<RewardModel> rewardModel;      // null = keep the trainer's current one
    std::int64_t rewardModelVersion = 0;
    std::string rewardModelPath;                   // its folder, for the other ranks of a data-parallel run
    std::uint64_t revision = 0;                    // bumps on every change, so readers can tell what changed
};

class TrainingControls
{
public:
    void setWeights(const std::map<std::string, double> &weights);
    void setWeight(const std::string &aspect, double weight);
    void setAggregation(const std::string &aggregation);
    // A constraint's bound ("constraints": {"safety": ">= 0.9"} keeps its relation, takes this value).
    void setBounds(const std::map<std::string, double> &bounds);
    void setBound(const std::string &aspect, double bound);
    // Publishes a new reward model; the trainer switches at its next step.
    void publishRewardModel(std::shared_ptr<RewardModel> model, std::int64_t version, const std::string &path = {});
    ControlSnapshot snapshot() const;

    void requestPause();
    void resume();
    void requestStop();   // also wakes a paused trainer
    bool pauseRequested() const;
    bool stopRequested() const;
    // Called by the trainer between phases: blocks while paused (returns at
    // once otherwise); returns true when the run should stop.
    bool waitWhilePaused() const;

private:
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_wake;
    ControlSnapshot m_state;
    bool m_pause = false;
    bool m_stop = false;
};

} // namespace awb
