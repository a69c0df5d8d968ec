#include "train/grpo_loss.h"

#include "util/error.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace awb {

namespace {

std::string shapeOf(at::IntArrayRef shape)
{
    std::ostringstream s;
    s << shape;
    return s.str();
}

void requireShape(const at::Tensor &t, at::IntArrayRef shape, const char *what)
{
    if (!t.defined())
        throw Error(std::string("grpoLoss: ") + what + " is missing");
    if (t.sizes() != shape)
        throw Error(std::string("grpoLoss: ") + what + " has shape " + shapeOf(t.sizes()) + ", expected " +
                    shapeOf(shape));
}

} // namespace

const char *lossTypeName(LossType type)
{
    switch (type) {
    case LossType::Grpo: return "grpo";
    case LossType::Bnpo: return "bnpo";
    case LossType::DrGrpo: return "dr_grpo";
    case LossType::Dapo: return "dapo";
    }
    return "?";
}

LossType parseLossType(const std::string &name)
{
    if (name == "grpo")
        return LossType::Grpo;
    if (name == "bnpo")
        return LossType::Bnpo;
    if (name == "dr_grpo")
        return LossType::DrGrpo;
    if (name == "dapo")
        return LossType::Dapo;
    throw Error("loss_type: unknown value '" + name + "' (expected grpo, bnpo, dr_grpo or dapo)");
}

GrpoLossOutput grpoLoss(const GrpoLossInputs &in, const GrpoLossOptions &options)
{
    if (!in.logps.defined() || in.logps.dim() != 2)
        throw Error("grpoLoss: logps must be a [N, T] tensor");
    const std::int64_t N = in.logps.size(0);
    const std::int64_t T = in.logps.size(1);
    requireShape(in.mask, {N, T}, "mask");
    if (!(in.advantages.defined() && in.advantages.dim() == 2))
        requireShape(in.advantages, {N}, "advantages");
    else
        requireShape(in.advantages, {N, T}, "advantages");
    if (in.oldLogps.defined())
        requireShape(in.oldLogps, {N, T}, "oldLogps");
    if (in.refLogps.defined())
        requireShape(in.refLogps, {N, T}, "refLogps");
    if (options.beta != 0.0 && !in.refLogps.defined())
        throw Error("grpoLoss: beta is " + std::to_string(options.beta) + " but no reference log-probs were given");
    if (!(options.epsilonLow >= 0.0 && options.epsilonLow < 1.0) || !(options.epsilonHigh >= 0.0))
        throw Error("grpoLoss: epsilon must be in [0, 1) and epsilon_high non-negative");
    if (options.gradientAccumulationSteps < 1)
        throw Error("grpoLoss: gradient_accumulation_steps must be at least 1");
    if (options.lossType == LossType::DrGrpo && options.maxCompletionLength < 1)
        throw Error("grpoLoss: dr_grpo needs max_completion_length >= 1");
    if (in.numItemsInBatch < 0.0)
        throw Error("grpoLoss: numItemsInBatch is negative");

    const auto opts = at::TensorOptions().dtype(in.logps.scalar_type()).device(in.logps.device());
    const at::Tensor &logps = in.logps;
    const at::Tensor mask = in.mask.detach().to(opts);
    // One advantage per sequence (GRPO, RLOO) or one per token (PPO's GAE).
    const at::Tensor advantages =
        in.advantages.dim() == 1 ? in.advantages.detach().to(opts).unsqueeze(1) : in.advantages.detach().to(opts);
    // TRL: old_per_token_logps = per_token_logps.detach() if it was not computed.
    const at::Tensor old = in.oldLogps.defined() ? in.oldLogps.detach().to(opts) : logps.detach();

    // coef_1 = exp(logp - old); coef_2 = clamp(coef_1, 1 - epsilon_low, 1 + epsilon_high)
    // per_token_loss = -min(coef_1 * A, coef_2 * A)
    const at::Tensor coef1 = at::exp(logps - old);
    const at::Tensor coef2 = at::clamp(coef1, 1.0 - options.epsilonLow, 1.0 + options.epsilonHigh);
    at::Tensor perTokenLoss = -at::minimum(coef1 * advantages, coef2 * advantages);

    // k3 estimator of KL(policy || ref) (Schulman): exp(ref - logp) - (ref - logp) - 1 >= 0.
    at::Tensor perTokenKl;
    if (in.refLogps.defined()) {
        const at::Tensor delta = in.refLogps.detach().to(opts) - logps;
        perTokenKl = at::exp(delta) - delta - 1.0;
        if (options.beta != 0.0)
            perTokenLoss = perTokenLoss + options.beta * perTokenKl;
    }

    const at::Tensor masked = perTokenLoss * mask;
    const auto gas = static_cast<double>(options.gradientAccumulationSteps);
    at::Tensor loss;
    switch (options.lossType) {
    case LossType::Grpo:
        // ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1)).mean() / gradient_accumulation_steps
        loss = (masked.sum(-1) / mask.sum(-1).clamp_min(1.0)).mean() / gas;
        break;
    case LossType::Bnpo:
        // (per_token_loss * mask).sum() / mask.sum().clamp(min=1) / gradient_accumulation_steps
        loss = masked.sum() / mask.sum().clamp_min(1.0) / gas;
        break;
    case LossType::DrGrpo:
        // (per_token_loss * mask).sum() / (N * max_completion_length) / gradient_accumulation_steps
        loss = masked.sum() / (static_cast<double>(N) * static_cast<double>(options.maxCompletionLength)) / gas;
        break;
    case LossType::Dapo: {
        // (per_token_loss * mask).sum() / (num_items_in_batch / num_processes); one process here.
        const double items =
            in.numItemsInBatch > 0.0 ? in.numItemsInBatch : std::max(1.0, mask.sum().item<double>());
        loss = masked.sum() / items;
        break;
    }
    }

    GrpoLossOutput out;
    out.loss = loss;

    // Metrics: TRL's masked_batch_mean, (x * mask).sum() / mask.sum().clamp(min=1).
    at::NoGradGuard noGrad;
    const at::Tensor tokenCount = mask.sum().clamp_min(1.0);
    const auto maskedMean = [&](const at::Tensor &x) {
        return ((x.to(opts) * mask).sum() / tokenCount).item<double>();
    };
    if (perTokenKl.defined())
        out.kl = maskedMean(perTokenKl.detach());
    const at::Tensor ratio = coef1.detach();
    const at::Tensor isLow = (ratio < 1.0 - options.epsilonLow).logical_and(advantages < 0);
    const at::Tensor isHigh = (ratio > 1.0 + options.epsilonHigh).logical_and(advantages > 0);
    out.clipRatioLow = maskedMean(isLow);
    out.clipRatioHigh = maskedMean(isHigh);
    out.clipRatioRegion = maskedMean(isLow.logical_or(isHigh));
    return out;
}

at::Tensor selectiveLogSoftmax(const at::Tensor &logits, const at::Tensor &targets, double temperature)
{
    if (!logits.defined() || logits.dim() != 3)
        throw Error("selectiveLogSoftmax: logits must be a [N, T, V] tensor");
    if (!targets.defined() || targets.dim() != 2 || targets.size(0) != logits.size(0) ||
        targets.size(1) != logits.size(1))
        throw Error("selectiveLogSoftmax: targets must be [N, T] matching logits " + shapeOf(logits.sizes()));
    if (!(temperature > 0.0))
        throw Error("selectiveLogSoftmax: temperature must be positive");
    const std::int64_t V = logits.size(2);
    const at::Tensor index = targets.to(logits.device(), at::kLong);
    if (index.numel() > 0 && (index.min().item<std::int64_t>() < 0 || index.max().item<std::int64_t>() >= V))
        throw Error("selectiveLogSoftmax: a target token id is outside the vocabulary of " + std::to_string(V));

    const bool fullPrecision = logits.scalar_type() == at::kFloat || logits.scalar_type() == at::kDouble;
    std::vector<at::Tensor> rows;
    rows.reserve(static_cast<std::size_t>(logits.size(0)));
    for (std::int64_t i = 0; i < logits.size(0); ++i) {
        at::Tensor row = logits[i];
        if (temperature != 1.0)
            row = row / temperature;
        const at::Tensor rowIndex = index[i].unsqueeze(-1);
        if (fullPrecision)
            rows.push_back(row.gather(-1, rowIndex).squeeze(-1) - at::logsumexp(row, {-1}));
        else
            rows.push_back(at::log_softmax(row, -1).gather(-1, rowIndex).squeeze(-1));
    }
    return at::stack(rows);
}

at::Tensor entropyFromLogits(const at::Tensor &logits, double temperature, std::int64_t chunkSize)
{
    if (!logits.defined() || logits.dim() < 1)
        throw Error("entropyFromLogits: logits must have a vocabulary dimension");
    if (!(temperature > 0.0) || chunkSize < 1)
        throw Error("entropyFromLogits: temperature and chunk size must be positive");
    at::NoGradGuard noGrad;
    const std::int64_t V = logits.size(-1);
    const at::Tensor flat = logits.reshape({-1, V});
    std::vector<at::Tensor> parts;
    for (std::int64_t start = 0; start < flat.size(0); start += chunkSize) {
        at::Tensor chunk = flat.slice(0, start, std::min(start + chunkSize, flat.size(0)));
        if (temperature != 1.0)
            chunk = chunk / temperature;
        // logps = log_softmax(chunk); entropy = -(exp(logps) * logps).sum(-1)
        const at::Tensor logp = at::log_softmax(chunk, -1);
        parts.push_back(-(at::exp(logp) * logp).sum(-1));
    }
    const std::vector<std::int64_t> lead(logits.sizes().begin(), logits.sizes().end() - 1);
    if (parts.empty())
        return at::empty(lead, logits.options());
    return at::cat(parts).reshape(lead);
}

} // namespace awb
