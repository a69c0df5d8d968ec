#include "train/dpo_loss.h"

#include "util/error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <map>

namespace awb {

namespace {

// z of the header: the log-ratio difference, less MODPO's margin, over w_k.
at::Tensor logits(const DpoLossInputs &in, const DpoLossOptions &o, bool lengthNormalised)
{
    at::Tensor chosen = in.policyChosen - in.refChosen;
    at::Tensor rejected = in.policyRejected - in.refRejected;
    if (lengthNormalised) {
        chosen = chosen / in.chosenTokens.to(chosen.scalar_type()).clamp_min(1.0);
        rejected = rejected / in.rejectedTokens.to(rejected.scalar_type()).clamp_min(1.0);
    }
    at::Tensor z = chosen - rejected;
    if (in.margin.defined())
        z = z - in.margin.to(z.device(), z.scalar_type()) / o.beta;
    return z / in.weight;
}

DpoLossOutput withRewards(const DpoLossInputs &in, const DpoLossOptions &o, at::Tensor losses)
{
    DpoLossOutput out;
    out.losses = std::move(losses);
    out.chosenRewards = (o.beta * (in.policyChosen - in.refChosen)).detach();
    out.rejectedRewards = (o.beta * (in.policyRejected - in.refRejected)).detach();
    return out;
}

DpoLossOutput sigmoidLoss(const DpoLossInputs &in, const DpoLossOptions &o)
{
    const at::Tensor bz = o.beta * logits(in, o, false);
    return withRewards(in, o, -(1.0 - o.labelSmoothing) * at::log_sigmoid(bz) - o.labelSmoothing * at::log_sigmoid(-bz));
}

DpoLossOutput robustLoss(const DpoLossInputs &in, const DpoLossOptions &o)
{
    const at::Tensor bz = o.beta * logits(in, o, false);
    return withRewards(in, o, (-(1.0 - o.labelSmoothing) * at::log_sigmoid(bz) + o.labelSmoothing * at::log_sigmoid(-bz)) /
                                  (1.0 - 2.0 * o.labelSmoothing));
}

DpoLossOutput hingeLoss(const DpoLossInputs &in, const DpoLossOptions &o)
{
    return withRewards(in, o, at::relu(1.0 - o.beta * logits(in, o, false)));
}

DpoLossOutput ipoLoss(const DpoLossInputs &in, const DpoLossOptions &o)
{
    const at::Tensor d = logits(in, o, true) - 1.0 / (2.0 * o.beta);
    return withRewards(in, o, d * d);
}

const std::map<std::string, DpoLoss> &table()
{
    static const std::map<std::string, DpoLoss> t = {
        {"sigmoid", &sigmoidLoss}, {"robust", &robustLoss}, {"hinge", &hingeLoss}, {"ipo", &ipoLoss}};
    return t;
}

} // namespace

std::vector<std::string> dpoLossNames() { return {"sigmoid", "robust", "hinge", "ipo"}; }

DpoLoss dpoLoss(const std::string &name)
{
    const auto it = table().find(name);
    if (it == table().end()) {
        std::string known;
        for (const auto &n : dpoLossNames())
            known += (known.empty() ? "" : ", ") + n;
        throw Error("loss_type: unknown DPO loss \"" + name + "\" (known: " + known + ")");
    }
    return it->second;
}

at::Tensor modpoMargin(const at::Tensor &chosenScores, const at::Tensor &rejectedScores,
                       const std::vector<double> &weights, std::size_t aspect, const std::string &aspectName,
                       double &weight)
{
    double norm = 0;
    for (double w : weights)
        norm += std::fabs(w);
    if (aspect >= weights.size() || !(norm > 0) || !(weights[aspect] > 0))
        throw Error("modpo_aspect: the weight of \"" + aspectName + "\" must be positive (MODPO divides by it); it is " +
                    (aspect < weights.size() ? std::to_string(weights[aspect]) : std::string("missing")));
    std::vector<double> others(weights.size());
    for (std::size_t j = 0; j < weights.size(); ++j)
        others[j] = j == aspect ? 0.0 : weights[j] / norm;
    weight = weights[aspect] / norm;
    const at::Tensor w = at::tensor(others, at::kDouble).to(chosenScores.device());
    return ((chosenScores.to(at::kDouble) - rejectedScores.to(at::kDouble)) * w).sum(1);
}

} // namespace awb
