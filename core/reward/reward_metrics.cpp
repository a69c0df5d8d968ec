// The loss and the agreement metrics of reward_trainer.h, and its options as JSON.
#include "reward/reward_trainer.h"

#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace awb {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkSameSize(const std::vector<double> &x, const std::vector<double> &y, const char *what)
{
    if (x.size() != y.size())
        throw Error(std::string(what) + ": the two samples differ in size (" + std::to_string(x.size()) + " and "
                    + std::to_string(y.size()) + ")");
}

} // namespace

at::Tensor maskedMseLoss(const at::Tensor &predictions, const at::Tensor &targets, const at::Tensor &mask)
{
    if (!predictions.defined() || predictions.dim() != 2 || !targets.defined() || !mask.defined()
        || targets.sizes() != predictions.sizes() || mask.sizes() != predictions.sizes())
        throw Error("masked MSE: predictions, targets and mask must all be [B, K] of the same shape");
    const at::Tensor m = mask.to(predictions.options());
    const at::Tensor sq = (predictions - targets.to(predictions.options())).pow(2) * m;
    // clamp_min: an all-unlabelled batch gives 0 / 1 = 0 rather than NaN.
    return sq.sum() / m.sum().clamp_min(1.0);
}

at::Tensor bradleyTerryLoss(const at::Tensor &chosen, const at::Tensor &rejected)
{
    if (!chosen.defined() || !rejected.defined() || chosen.sizes() != rejected.sizes() || chosen.dim() != 1)
        throw Error("Bradley-Terry loss: chosen and rejected scores must be [P] of the same size");
    if (chosen.numel() == 0)
        return chosen.sum();
    // -log sigmoid(d) = softplus(-d), which stays finite for large |d|.
    return at::softplus(rejected - chosen).mean();
}

void addPairwiseAccuracy(std::vector<AspectMetrics> &metrics, const std::vector<double> &chosen,
                         const std::vector<double> &rejected, const std::vector<std::size_t> &aspects)
{
    if (chosen.size() != rejected.size() || chosen.size() != aspects.size())
        throw Error("pairwise accuracy: chosen, rejected and aspects differ in size");
    std::vector<double> wins(metrics.size(), 0.0);
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        if (aspects[i] >= metrics.size())
            throw Error("pairwise accuracy: aspect index " + std::to_string(aspects[i]) + " out of range");
        metrics[aspects[i]].pairs += 1;
        wins[aspects[i]] += chosen[i] > rejected[i] ? 1.0 : chosen[i] == rejected[i] ? 0.5 : 0.0;
    }
    for (std::size_t k = 0; k < metrics.size(); ++k)
        if (metrics[k].pairs > 0)
            metrics[k].pairwiseAccuracy = wins[k] / static_cast<double>(metrics[k].pairs);
}

std::vector<double> averageRanks(const std::vector<double> &x)
{
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> ranks(x.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i + 1;
        while (j < order.size() && x[order[j]] == x[order[i]])
            ++j;
        // Positions i..j-1 (0-based) share ranks i+1..j: their mean is (i + 1 + j) / 2.
        const double rank = 0.5 * static_cast<double>(i + 1 + j);
        for (std::size_t t = i; t < j; ++t)
            ranks[order[t]] = rank;
        i = j;
    }
    return ranks;
}

double pearson(const std::vector<double> &x, const std::vector<double> &y)
{
    checkSameSize(x, y, "pearson");
    const std::size_t n = x.size();
    if (n < 2)
        return kNaN;
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx <= 0 || syy <= 0)
        return kNaN;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

double spearman(const std::vector<double> &x, const std::vector<double> &y)
{
    checkSameSize(x, y, "spearman");
    return pearson(averageRanks(x), averageRanks(y));
}

std::vector<AspectMetrics> aspectMetrics(const at::Tensor &predictions, const at::Tensor &targets, const at::Tensor &mask)
{
    if (!predictions.defined() || predictions.dim() != 2 || !targets.defined() || !mask.defined()
        || targets.sizes() != predictions.sizes() || mask.sizes() != predictions.sizes())
        throw Error("aspect metrics: predictions, targets and mask must all be [N, K] of the same shape");
    const at::Tensor p = predictions.detach().to(at::kCPU, at::kDouble).contiguous();
    const at::Tensor t = targets.detach().to(at::kCPU, at::kDouble).contiguous();
    const at::Tensor m = mask.detach().to(at::kCPU, at::kDouble).contiguous();
    const std::int64_t n = p.size(0), k = p.size(1);
    const double *pp = p.data_ptr<double>(), *tp = t.data_ptr<double>(), *mp = m.data_ptr<double>();
    std::vector<AspectMetrics> out(static_cast<std::size_t>(k));
    for (std::int64_t a = 0; a < k; ++a) {
        std::vector<double> xs, ys;
        double sq = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            if (mp[i * k + a] == 0)
                continue;
            xs.push_back(pp[i * k + a]);
            ys.push_back(tp[i * k + a]);
            sq += (xs.back() - ys.back()) * (xs.back() - ys.back());
        }
        AspectMetrics &am = out[static_cast<std::size_t>(a)];
        am.count = static_cast<std::int64_t>(xs.size());
        am.rmse = xs.empty() ? kNaN : std::sqrt(sq / static_cast<double>(xs.size()));
        am.pearson = pearson(xs, ys);
        am.spearman = spearman(xs, ys);
    }
    return out;
}

nlohmann::json rewardTrainOptionsToJson(const RewardTrainOptions &o)
{
    nlohmann::json j = {
        {"backbone_mode", o.backboneMode},
        {"learning_rate", o.learningRate},
        {"head_learning_rate", o.headLearningRate},
        {"weight_decay", o.weightDecay},
        {"epochs", o.epochs},
        {"batch_size", o.batchSize},
        {"max_length", o.maxLength},
        {"validation_fraction", o.validationFraction},
        {"patience", o.patience},
        {"seed", o.seed},
    };
    if (o.backboneMode == "lora")
        j["lora"] = {{"r", o.lora.r},
                     {"lora_alpha", o.lora.alpha},
                     {"lora_dropout", o.lora.dropout},
                     {"use_rslora", o.lora.useRslora},
                     {"target_modules", o.lora.targetModules}};
    return j;
}

} // namespace awb
