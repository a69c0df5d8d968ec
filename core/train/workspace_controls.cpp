#include "train/workspace_controls.h"

#include "reward/reward_model.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "train/training_controls.h"

#include <algorithm>

namespace awb {

WorkspaceControls::WorkspaceControls(Store &store, std::int64_t runId, std::vector<std::string> aspects,
                                     TrainingControls &controls, LoadRewardModel load, Log log)
    : m_store(store), m_runId(runId), m_aspects(std::move(aspects)), m_controls(controls), m_load(std::move(load)),
      m_log(std::move(log))
{
    auto now = m_store.runControls(m_runId);
    if (now && !now->command.empty()) {
        now->command.clear();
        m_revision = m_store.setRunControls(m_runId, *now);
    } else if (now) {
        m_revision = now->revision;
    }
    if (now)
        m_rewardModelVersion = now->rewardModelVersion;
}

bool WorkspaceControls::poll(std::int64_t step)
{
    {
        std::optional<Store::RunControls> c;
        try {
            c = m_store.runControls(m_runId);
        } catch (const SqliteError &) {
            return m_paused;   // locked: as it was
        }
        if (!c)
            return false;
        if (c->revision != m_revision) {
            m_revision = c->revision;
            std::map<std::string, double> weights;
            for (const auto &[name, w] : c->weights)
                if (std::find(m_aspects.begin(), m_aspects.end(), name) != m_aspects.end())
                    weights[name] = w;
            if (!weights.empty())
                m_controls.setWeights(weights);
            if (!c->aggregation.empty())
                m_controls.setAggregation(c->aggregation);
            if (!c->bounds.empty())
                m_controls.setBounds(c->bounds);
            if (c->rewardModelVersion > 0 && c->rewardModelVersion != m_rewardModelVersion) {
                m_rewardModelVersion = c->rewardModelVersion;
                if (const auto info = m_store.rewardModel(c->rewardModelVersion))
                    m_controls.publishRewardModel(m_load(info->path), info->version, info->path);
            }
            if (c->command == "stop")
                m_controls.requestStop();
            m_log("step " + std::to_string(step) + ": controls from the workspace (revision " + std::to_string(m_revision) +
                  ")" + (c->command.empty() ? std::string() : ": " + c->command));
        }
        const bool paused = c->command == "pause";
        if (paused && !m_paused)
            m_log("paused from the workspace before step " + std::to_string(step));
        m_paused = paused;
        return paused;
    }
}

} // namespace awb
