#include "train/training_controls.h"

namespace awb {

void TrainingControls::setWeights(const std::map<std::string, double> &weights)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state.weights = weights;
    ++m_state.revision;
}

void TrainingControls::setWeight(const std::string &aspect, double weight)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state.weights[aspect] = weight;
    ++m_state.revision;
}

void TrainingControls::setAggregation(const std::string &aggregation)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state.aggregation = aggregation;
    ++m_state.revision;
}

void TrainingControls::setBounds(const std::map<std::string, double> &bounds)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state.bounds = bounds;
    ++m_state.revision;
}

void TrainingControls::setBound(const std::string &aspect, double bound)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state.bounds[aspect] = bound;
    ++m_state.revision;
}

void TrainingControls::publishRewardModel(std::shared_ptr<RewardModel> model, std::int64_t version,
                                          const std::string &path)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state.rewardModel = std::move(model);
    m_state.rewardModelVersion = version;
    m_state.rewardModelPath = path;
    ++m_state.revision;
}

ControlSnapshot TrainingControls::snapshot() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_state;
}

void TrainingControls::requestPause()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_pause = true;
}

void TrainingControls::resume()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pause = false;
    }
    m_wake.notify_all();
}

void TrainingControls::requestStop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
}

bool TrainingControls::pauseRequested() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_pause;
}

bool TrainingControls::stopRequested() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stop;
}

bool TrainingControls::waitWhilePaused() const
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_wake.wait(lock, [this] { return !m_pause || m_stop; });
    return m_stop;
}

} // namespace awb
