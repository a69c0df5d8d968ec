#include "train/algorithms.h"

#include "util/error.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <map>

namespace awb {

namespace {

template <class F>
F lookUp(const std::map<std::string, F> &table, const std::string &name, const char *what)
{
    const auto it = table.find(name);
    if (it != table.end())
        return it->second;
    std::string known;
    for (const auto &[key, value] : table)
        known += (known.empty() ? "" : ", ") + key;
    throw Error(std::string(what) + ": unknown name \"" + name + "\" (known: " + known + ")");
}

template <class F>
std::vector<std::string> keysOf(const std::map<std::string, F> &table)
{
    std::vector<std::string> out;
    for (const auto &[key, value] : table)
        out.push_back(key);
    return out;
}

const std::map<std::string, AdvantageEstimator> &estimators()
{
    static const std::map<std::string, AdvantageEstimator> table = {
        {"grpo", &groupNormalisedAdvantages},
        {"rloo", &leaveOneOutAdvantages},
    };
    return table;
}

GrpoLossOutput tokenClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options) { return grpoLoss(in, options); }

const std::map<std::string, PolicyLoss> &losses()
{
    static const std::map<std::string, PolicyLoss> table = {
        {"grpo", &tokenClippedLoss},
        {"rloo", &sequenceClippedLoss},
    };
    return table;
}

} // namespace

std::vector<std::string> advantageEstimatorNames() { return keysOf(estimators()); }
AdvantageEstimator advantageEstimator(const std::string &name) { return lookUp(estimators(), name, "advantage estimator"); }
std::vector<std::string> policyLossNames() { return keysOf(losses()); }
PolicyLoss policyLoss(const std::string &name) { return lookUp(losses(), name, "policy loss"); }

const AlgorithmSpec &algorithmSpec(const std::string &name)
{
    static const std::map<std::string, const AlgorithmSpec *> table = [] {
        static const AlgorithmSpec grpo{"grpo", "grpo", "grpo", false, false, false};
        static const AlgorithmSpec rloo{"rloo", "rloo", "rloo", true, true, true};
        return std::map<std::string, const AlgorithmSpec *>{{"grpo", &grpo}, {"rloo", &rloo}};
    }();
    return *lookUp(table, name, "algorithm");
}

AdvantageResult groupNormalisedAdvantages(const AdvantageInputs &in)
{
    return computeAdvantages(in.scores, in.weights, in.G, in.aggregation, in.scale);
}

AdvantageResult leaveOneOutAdvantages(const AdvantageInputs &in)
{
    if (in.G < 2)
        throw Error("rloo: num_generations must be at least 2 for a leave-one-out baseline, got " +
                    std::to_string(in.G));
    // The weighted sum, the group bookkeeping and the shape checks are GRPO's
    // sum_then_normalize ones; only the baseline differs.
    AdvantageResult out = computeAdvantages(in.scores, in.weights, in.G, Aggregation::SumThenNormalize, ScaleRewards::None);
    const std::int64_t N = out.rewards.size(0);
    at::Tensor r = out.rewards;
    if (in.sequenceKl.defined() && in.klCoef != 0.0) {
        if (in.sequenceKl.numel() != N)
            throw Error("rloo: " + std::to_string(in.sequenceKl.numel()) + " sequence KL values for " +
                        std::to_string(N) + " completions");
        r = r - in.klCoef * in.sequenceKl.detach().to(r.options()).reshape({N});
    }
    const at::Tensor grouped = r.view({N / in.G, in.G});
    const at::Tensor baseline = (grouped.sum(1, /*keepdim=*/true) - grouped) / static_cast<double>(in.G - 1);
    at::Tensor advantages = (grouped - baseline).reshape({N});
    if (in.normalize)
        advantages = (advantages - advantages.mean()) / ((N > 1 ? advantages.std(true) : at::zeros({}, r.options())) + 1e-4);
    out.aggregated = r;
    out.advantages = advantages;
    const at::Tensor zero = (grouped.std(1, true).abs() <= 1e-8).cpu();
    std::int64_t zeroGroups = 0;
    for (std::int64_t b = 0; b < grouped.size(0); ++b) {
        out.zeroStdGroup[static_cast<std::size_t>(b)] = zero[b].item<bool>();
        zeroGroups += zero[b].item<bool>() ? 1 : 0;
    }
    out.fracZeroStd = static_cast<double>(zeroGroups) / static_cast<double>(grouped.size(0));
    out.trlFracRewardZeroStd = out.fracZeroStd;
    return out;
}

at::Tensor sequenceKl(const at::Tensor &oldLogps, const at::Tensor &refLogps, const at::Tensor &mask)
{
    at::NoGradGuard noGrad;
    return ((oldLogps - refLogps) * mask.to(oldLogps.options())).sum(1);
}

GrpoLossOutput sequenceClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options)
{
    if (!in.logps.defined() || in.logps.dim() != 2)
        throw Error("rloo loss: logps must be a [N, T] tensor");
    const std::int64_t N = in.logps.size(0);
    if (!in.mask.defined() || in.mask.sizes() != in.logps.sizes())
        throw Error("rloo loss: mask must have the shape of logps");
    if (!in.advantages.defined() || in.advantages.numel() != N)
        throw Error("rloo loss: one advantage per sequence is needed");
    if (in.oldLogps.defined() && in.oldLogps.sizes() != in.logps.sizes())
        throw Error("rloo loss: oldLogps must have the shape of logps");
    if (options.gradientAccumulationSteps < 1)
        throw Error("rloo loss: gradient_accumulation_steps must be at least 1");
    const auto opts = at::TensorOptions().dtype(in.logps.scalar_type()).device(in.logps.device());
    const at::Tensor mask = in.mask.detach().to(opts);
    const at::Tensor advantages = in.advantages.detach().to(opts).reshape({N});
    const at::Tensor old = in.oldLogps.defined() ? in.oldLogps.detach().to(opts) : in.logps.detach();
    // logps = (per_token_logps * mask).sum(1); log_ratio = logps - old_logps
    const at::Tensor logRatio = (in.logps * mask).sum(1) - (old * mask).sum(1);
    const at::Tensor coef1 = at::exp(logRatio);
    const at::Tensor coef2 = at::clamp(coef1, 1.0 - options.epsilonLow, 1.0 + options.epsilonHigh);
    const at::Tensor perSequence = -at::minimum(coef1 * advantages, coef2 * advantages);
    GrpoLossOutput out;
    out.loss = perSequence.mean() / static_cast<double>(options.gradientAccumulationSteps);

    at::NoGradGuard noGrad;
    const at::Tensor ratio = coef1.detach();
    const at::Tensor isLow = (ratio < 1.0 - options.epsilonLow).logical_and(advantages < 0);
    const at::Tensor isHigh = (ratio > 1.0 + options.epsilonHigh).logical_and(advantages > 0);
    out.clipRatioLow = isLow.to(at::kDouble).mean().item<double>();
    out.clipRatioHigh = isHigh.to(at::kDouble).mean().item<double>();
    out.clipRatioRegion = isLow.logical_or(isHigh).to(at::kDouble).mean().item<double>();
    if (in.refLogps.defined())
        out.kl = (((in.logps.detach() - in.refLogps.detach().to(opts)) * mask).sum() / mask.sum().clamp_min(1.0))
                     .item<double>();
    return out;
}

} // namespace awb
