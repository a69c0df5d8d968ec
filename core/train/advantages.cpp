#include "train/advantages.h"

#include "util/error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <sstream>

namespace awb {

namespace {

// torch.isclose(std, 0) with its default tolerances (rtol 1e-5, atol 1e-8)
// reduces to |std| <= 1e-8.
constexpr double kZeroStdTolerance = 1e-8;

// Sample (Bessel-corrected) std of each group, as torch.Tensor.std(dim=1) in
// TRL; a group of one has no spread, and TRL uses zeros there too.
at::Tensor groupStd(const at::Tensor &grouped)
{
    if (grouped.size(1) < 2)
        return at::zeros({grouped.size(0)}, grouped.options());
    return grouped.std(1, /*unbiased=*/true, /*keepdim=*/false);
}

// rewards.std() over the whole batch, or 0 for a batch of one (TRL's guard).
at::Tensor batchStd(const at::Tensor &values)
{
    if (values.numel() < 2)
        return at::zeros({}, values.options());
    return values.std(/*unbiased=*/true);
}

} // namespace

const char *aggregationName(Aggregation aggregation)
{
    switch (aggregation) {
    case Aggregation::SumThenNormalize: return "sum_then_normalize";
    case Aggregation::NormalizeThenSum: return "normalize_then_sum";
    }
    return "?";
}

const char *scaleRewardsName(ScaleRewards scale)
{
    switch (scale) {
    case ScaleRewards::Group: return "group";
    case ScaleRewards::Batch: return "batch";
    case ScaleRewards::None: return "none";
    }
    return "?";
}

Aggregation parseAggregation(const std::string &name)
{
    if (name == "sum_then_normalize")
        return Aggregation::SumThenNormalize;
    if (name == "normalize_then_sum")
        return Aggregation::NormalizeThenSum;
    throw Error("multi_objective_aggregation: unknown value '" + name +
                "' (expected sum_then_normalize or normalize_then_sum)");
}

ScaleRewards parseScaleRewards(const std::string &name)
{
    // GRPOConfig.__post_init__ maps the legacy booleans True/False to "group"/"none".
    if (name == "group" || name == "true")
        return ScaleRewards::Group;
    if (name == "batch")
        return ScaleRewards::Batch;
    if (name == "none" || name == "false")
        return ScaleRewards::None;
    throw Error("scale_rewards: unknown value '" + name + "' (expected group, batch or none)");
}

AdvantageResult computeAdvantages(const at::Tensor &scores, const std::vector<double> &weights, std::int64_t G,
                                  Aggregation aggregation, ScaleRewards scale, double epsilon,
                                  const at::Tensor &weightRows)
{
    if (!scores.defined() || scores.dim() != 2)
        throw Error("computeAdvantages: scores must be a [N, K] tensor");
    const std::int64_t N = scores.size(0);
    const std::int64_t K = scores.size(1);
    if (static_cast<std::int64_t>(weights.size()) != K) {
        std::ostringstream msg;
        msg << "computeAdvantages: " << weights.size() << " aspect weights for " << K << " score columns";
        throw Error(msg.str());
    }
    if (G < 1)
        throw Error("computeAdvantages: num_generations must be at least 1, got " + std::to_string(G));
    if (N == 0 || N % G != 0) {
        std::ostringstream msg;
        msg << "computeAdvantages: " << N << " completions is not a positive multiple of num_generations " << G;
        throw Error(msg.str());
    }
    const at::Tensor s = scores.detach().to(at::kDouble);
    const at::Tensor finite = at::isfinite(s);
    if (!finite.all().item<bool>()) {
        const auto row = (~finite).any(1).nonzero()[0][0].item<std::int64_t>();
        throw Error("computeAdvantages: completion " + std::to_string(row) + " has a non-finite aspect score");
    }
    const std::int64_t B = N / G;
    if (weightRows.defined() && (weightRows.dim() != 2 || weightRows.size(0) != N || weightRows.size(1) != K)) {
        std::ostringstream msg;
        msg << "computeAdvantages: per-completion weights of shape " << weightRows.sizes() << " for " << N
            << " completions of " << K << " aspects";
        throw Error(msg.str());
    }
    // [1, K] broadcast over the rows, or each row's own [N, K].
    const at::Tensor w = weightRows.defined() ? weightRows.to(s.options())
                                              : at::tensor(at::ArrayRef<double>(weights), s.options()).unsqueeze(0);

    AdvantageResult out;
    // rewards = (rewards_per_func * reward_weights.unsqueeze(0)).nansum(dim=1)
    out.rewards = (s * w).sum(1);

    at::Tensor denominator;   // TRL's std_rewards, one value per completion
    if (aggregation == Aggregation::SumThenNormalize) {
        // TRL sum_then_normalize:
        //   mean_grouped = rewards.view(-1, G).mean(1).repeat_interleave(G)
        //   std_rewards  = group: rewards.view(-1, G).std(1).repeat_interleave(G)
        //                  batch: rewards.std().expand_as(rewards)
        //                  none:  the group std, used only for frac_reward_zero_std
        //   advantages   = rewards - mean_grouped, divided by (std_rewards + 1e-4) unless "none"
        out.aggregated = out.rewards;
        const at::Tensor grouped = out.rewards.view({B, G});
        const at::Tensor mean = grouped.mean(1).repeat_interleave(G);
        denominator = scale == ScaleRewards::Batch ? batchStd(out.rewards).expand({N})
                                                   : groupStd(grouped).repeat_interleave(G);
        out.advantages = out.rewards - mean;
        if (scale != ScaleRewards::None)
            out.advantages = out.advantages / (denominator + epsilon);
    } else {
        // TRL normalize_then_sum:
        //   grouped  = rewards_per_func.view(-1, G, K)
        //   reward_k = (grouped - nanmean(grouped, 1)) / (nanstd(grouped, 1) + 1e-4)   (nanstd is Bessel-corrected)
        //   rewards  = (reward_k.view(-1, K) * reward_weights).nansum(1)
        //   advantages = (rewards - rewards.mean()) / (rewards.std() + 1e-4)          (scale_rewards not consulted)
        const at::Tensor grouped = s.view({B, G, K});
        const at::Tensor mean = grouped.mean(1, /*keepdim=*/true);
        const at::Tensor std = G > 1 ? grouped.std(1, /*unbiased=*/true, /*keepdim=*/true) : at::zeros_like(mean);
        const at::Tensor normalised = ((grouped - mean) / (std + epsilon)).view({N, K});
        out.aggregated = (normalised * w).sum(1);
        denominator = batchStd(out.aggregated).expand({N});
        out.advantages = (out.aggregated - out.aggregated.mean()) / (denominator + epsilon);
    }

    const at::Tensor zero = (groupStd(out.aggregated.view({B, G})).abs() <= kZeroStdTolerance).cpu();
    out.zeroStdGroup.resize(static_cast<std::size_t>(B));
    std::int64_t zeroGroups = 0;
    for (std::int64_t b = 0; b < B; ++b) {
        out.zeroStdGroup[static_cast<std::size_t>(b)] = zero[b].item<bool>();
        zeroGroups += zero[b].item<bool>() ? 1 : 0;
    }
    out.fracZeroStd = static_cast<double>(zeroGroups) / static_cast<double>(B);
    // is_std_zero = torch.isclose(std_rewards, zeros); frac_reward_zero_std = is_std_zero.float().mean()
    out.trlFracRewardZeroStd = (denominator.abs() <= kZeroStdTolerance).to(at::kDouble).mean().item<double>();
    return out;
}

} // namespace awb
