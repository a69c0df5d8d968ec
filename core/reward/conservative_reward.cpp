#include "reward/conservative_reward.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace awb {

const std::vector<std::string> &ensembleAggregationNames()
{
    static const std::vector<std::string> names = {"mean", "min"};
    return names;
}

EnsembleAggregation parseEnsembleAggregation(const std::string &name)
{
    if (name == "mean")
        return EnsembleAggregation::Mean;
    if (name == "min")
        return EnsembleAggregation::Min;
    throw Error("reward_ensemble_aggregation: \"" + name + "\" is not one of mean, min");
}

double memberStd(const std::vector<double> &members)
{
    if (members.size() < 2)
        return 0.0;
    const double n = static_cast<double>(members.size());
    const double mean = std::accumulate(members.begin(), members.end(), 0.0) / n;
    double sq = 0;
    for (double v : members)
        sq += (v - mean) * (v - mean);
    return std::sqrt(sq / (n - 1.0));
}

double conservativeScore(const std::vector<double> &members, double penalty, EnsembleAggregation aggregation)
{
    if (members.empty())
        throw Error("conservative reward: no ensemble members to combine");
    if (aggregation == EnsembleAggregation::Min)
        return *std::min_element(members.begin(), members.end());
    const double mean = std::accumulate(members.begin(), members.end(), 0.0) / static_cast<double>(members.size());
    return mean - penalty * memberStd(members);
}

} // namespace awb
