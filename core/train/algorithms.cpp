#include "train/algorithms.h"

#include "util/error.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <map>
#include <sstream>

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
        {"gae", &gaeAdvantages},
    };
    return table;
}

GrpoLossOutput tokenClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options) { return grpoLoss(in, options); }

const std::map<std::string, PolicyLoss> &losses()
{
    static const std::map<std::string, PolicyLoss> table = {
        {"grpo", &tokenClippedLoss},
        {"rloo", &sequenceClippedLoss},
        {"ppo", &tokenMeanClippedLoss},
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
        static const AlgorithmSpec grpo{"grpo", "grpo", "grpo", false, false, false, false};
        static const AlgorithmSpec rloo{"rloo", "rloo", "rloo", true, true, true, false};
        static const AlgorithmSpec ppo{"ppo", "gae", "ppo", true, false, true, true};
        // DPO's evaluation generations are scored like GRPO's samples (group-normalised advantages, for display).
        static const AlgorithmSpec dpo{"dpo", "grpo", "grpo", false, false, false, false, true};
        return std::map<std::string, const AlgorithmSpec *>{{"grpo", &grpo}, {"rloo", &rloo}, {"ppo", &ppo}, {"dpo", &dpo}};
    }();
    return *lookUp(table, name, "algorithm");
}

AdvantageResult groupNormalisedAdvantages(const AdvantageInputs &in)
{
    return computeAdvantages(in.scores, in.weights, in.G, in.aggregation, in.scale, 1e-4, in.weightRows);
}

AdvantageResult leaveOneOutAdvantages(const AdvantageInputs &in)
{
    if (in.G < 2)
        throw Error("rloo: num_generations must be at least 2 for a leave-one-out baseline, got " +
                    std::to_string(in.G));
    // The weighted sum, the group bookkeeping and the shape checks are GRPO's
    // sum_then_normalize ones; only the baseline differs.
    AdvantageResult out =
        computeAdvantages(in.scores, in.weights, in.G, Aggregation::SumThenNormalize, ScaleRewards::None, 1e-4, in.weightRows);
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

at::Tensor maskedWhiten(const at::Tensor &values, const at::Tensor &mask, bool shiftMean)
{
    const at::Tensor m = mask.to(values.options());
    const at::Tensor count = m.sum();
    if (count.item<double>() < 2)
        throw Error("masked whitening needs at least 2 counted tokens, got " + std::to_string(count.item<double>()));
    const at::Tensor mean = (values * m).sum() / count;
    const at::Tensor var = (((values - mean) * (values - mean)) * m).sum() / count * (count / (count - 1));
    at::Tensor out = (values - mean) * at::rsqrt(var + 1e-8);
    if (!shiftMean)
        out = out + mean;
    return out;
}

AdvantageResult gaeAdvantages(const AdvantageInputs &in)
{
    // The weighted score and the shape checks are computeAdvantages' (G = 1: no groups).
    AdvantageResult out =
        computeAdvantages(in.scores, in.weights, 1, Aggregation::SumThenNormalize, ScaleRewards::None, 1e-4, in.weightRows);
    const std::int64_t N = out.rewards.size(0);
    if (!in.oldLogps.defined() || !in.refLogps.defined() || !in.values.defined() || !in.mask.defined() ||
        in.oldLogps.dim() != 2 || in.oldLogps.size(0) != N || in.refLogps.sizes() != in.oldLogps.sizes() ||
        in.values.sizes() != in.oldLogps.sizes() || in.mask.sizes() != in.oldLogps.sizes())
    {
        auto shape = [](const at::Tensor &t) {
            std::ostringstream s;
            if (t.defined())
                s << t.sizes();
            else
                s << "none";
            return s.str();
        };
        throw Error("gae: old and reference log-probs, values and mask must all be [N, T] with N = " + std::to_string(N) +
                    "; got " + shape(in.oldLogps) + ", " + shape(in.refLogps) + ", " + shape(in.values) + ", " +
                    shape(in.mask));
    }
    if (!in.missingEos.empty() && static_cast<std::int64_t>(in.missingEos.size()) != N)
        throw Error("gae: missingEos must hold one flag per completion");
    const auto opts = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor mask = in.mask.detach().to(opts);
    const at::Tensor values = in.values.detach().to(opts) * mask;
    at::Tensor score = out.rewards.clone();
    for (std::int64_t i = 0; i < N && in.missingEosPenalty != 0.0; ++i)
        if (!in.missingEos.empty() && in.missingEos[static_cast<std::size_t>(i)])
            score[i] -= in.missingEosPenalty;
    // logr = ref - old; k1: -logr; k3: (exp(logr) - 1) - logr
    const at::Tensor logr = in.refLogps.detach().to(opts) - in.oldLogps.detach().to(opts);
    const at::Tensor kl = (in.klEstimator == "k3" ? (at::exp(logr) - 1) - logr : -logr) * mask;
    const at::Tensor nonScore = -in.klCoef * kl;
    at::Tensor rewards = nonScore.clone();
    const at::Tensor lengths = mask.sum(1).to(at::kLong).cpu();
    for (std::int64_t i = 0; i < N; ++i) {
        const std::int64_t len = lengths[i].item<std::int64_t>();
        if (len > 0)
            rewards[i][len - 1] += score[i];
    }
    if (in.whitenRewards)
        rewards = maskedWhiten(rewards, mask, /*shiftMean=*/false) * mask;
    const std::int64_t T = rewards.size(1);
    std::vector<at::Tensor> reversed;
    at::Tensor last = at::zeros({N}, opts);
    for (std::int64_t t = T - 1; t >= 0; --t) {
        const at::Tensor next = t + 1 < T ? values.select(1, t + 1) : at::zeros({N}, opts);
        const at::Tensor delta = rewards.select(1, t) + in.gamma * next - values.select(1, t);
        last = delta + in.gamma * in.lam * last;
        reversed.push_back(last);
    }
    std::reverse(reversed.begin(), reversed.end());
    const at::Tensor advantages = at::stack(reversed, 1);
    out.returns = advantages + values;
    out.advantages = maskedWhiten(advantages, mask) * mask;
    out.aggregated = score;
    out.nonScoreReward = nonScore.sum(1).mean().item<double>();
    out.sequenceKl = kl.sum(1).mean().item<double>();
    return out;
}

ValueLossOutput clippedValueLoss(const at::Tensor &values, const at::Tensor &oldValues, const at::Tensor &returns,
                                 const at::Tensor &mask, double cliprangeValue)
{
    if (!values.defined() || values.dim() != 2 || oldValues.sizes() != values.sizes() ||
        returns.sizes() != values.sizes() || mask.sizes() != values.sizes())
        throw Error("value loss: values, old values, returns and mask must have one shape [N, T]");
    const auto opts = values.options();
    const at::Tensor m = mask.detach().to(opts);
    const at::Tensor old = oldValues.detach().to(opts);
    const at::Tensor ret = returns.detach().to(opts);
    const at::Tensor clipped = at::max(at::min(values, old + cliprangeValue), old - cliprangeValue);
    const at::Tensor l1 = (values - ret) * (values - ret);
    const at::Tensor l2 = (clipped - ret) * (clipped - ret);
    const at::Tensor count = m.sum().clamp_min(1.0);
    ValueLossOutput out;
    out.loss = 0.5 * (at::max(l1, l2) * m).sum() / count;
    at::NoGradGuard noGrad;
    out.clipFraction = (((l2 > l1).to(opts) * m).sum() / count).item<double>();
    return out;
}

GrpoLossOutput tokenMeanClippedLoss(const GrpoLossInputs &in, const GrpoLossOptions &options)
{
    GrpoLossOptions o = options;
    o.lossType = LossType::Bnpo;
    o.beta = 0.0;
    return grpoLoss(in, o);
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
