#include "train/preference_pairs.h"

#include "io/atomic_file.h"
#include "reward/reward_data.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace awb {

std::optional<double> orderKey(const std::map<std::string, double> &values, const std::vector<std::string> &aspects,
                               const std::map<std::string, double> &weights, const std::string &modpoAspect)
{
    if (!modpoAspect.empty()) {
        const auto it = values.find(modpoAspect);
        return it != values.end() && std::isfinite(it->second) ? std::optional<double>(it->second) : std::nullopt;
    }
    double sum = 0, norm = 0;
    for (const auto &a : aspects) {
        const auto v = values.find(a);
        if (v == values.end() || !std::isfinite(v->second))
            continue;
        const auto w = weights.find(a);
        const double wk = w == weights.end() ? 1.0 : w->second;
        sum += wk * v->second;
        norm += std::fabs(wk);
    }
    return norm > 0 ? std::optional<double>(sum / norm) : std::nullopt;
}

std::vector<PreferencePair> pairsWithinGroups(const std::vector<GroupedResponse> &responses,
                                              const std::vector<std::string> &aspects,
                                              const std::map<std::string, double> &weights,
                                              const std::string &modpoAspect, double minMargin)
{
    struct Extremes
    {
        const GroupedResponse *best = nullptr, *worst = nullptr;
        double bestKey = 0, worstKey = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, Extremes> groups;
    for (const auto &r : responses) {
        const auto key = orderKey(r.values, aspects, weights, modpoAspect);
        if (!key)
            continue;
        auto [it, fresh] = groups.try_emplace(r.group);
        if (fresh)
            order.push_back(r.group);
        Extremes &e = it->second;
        if (!e.best || *key > e.bestKey) {
            e.best = &r;
            e.bestKey = *key;
        }
        if (!e.worst || *key < e.worstKey) {
            e.worst = &r;
            e.worstKey = *key;
        }
    }
    std::vector<PreferencePair> out;
    for (const auto &g : order) {
        const Extremes &e = groups[g];
        if (e.best == e.worst || e.bestKey - e.worstKey < minMargin || e.best->completion == e.worst->completion)
            continue;
        out.push_back({e.best->prompt, e.best->completion, e.worst->completion});
    }
    return out;
}

std::string pairsCachePath(const std::string &checkpointDir)
{
    return (fs::path(checkpointDir) / "preference_pairs.jsonl").string();
}

void writePairs(const std::string &path, const std::vector<PreferencePair> &pairs)
{
    std::string text;
    for (const auto &p : pairs)
        text += nlohmann::json{{"prompt", p.prompt}, {"chosen", p.chosen}, {"rejected", p.rejected}}.dump(
                    -1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    fs::create_directories(fs::path(path).parent_path());
    writeFileAtomically(path, text);
}

std::optional<std::vector<PreferencePair>> readPairs(const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::nullopt;
    std::vector<std::string> warnings;
    std::vector<PreferencePair> out;
    for (const auto &p : loadPreferenceFile(path, warnings))
        out.push_back({p.prompt, p.chosen, p.rejected});
    return out;
}

} // namespace awb
