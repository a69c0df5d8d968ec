#include "train/adamw.h"

#include "util/error.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <cmath>
#include <map>

namespace awb {

namespace {

const char *const kExpAvg = ".exp_avg";
const char *const kExpAvgSq = ".exp_avg_sq";
const char *const kStep = ".step";
const char *const kGlobalStep = "step";

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::int64_t scalarStep(const at::Tensor &t, const std::string &name)
{
    if (t.numel() != 1)
        throw FormatError("optimizer state: '" + name + "' must be a single integer");
    const double value = t.to(at::kDouble).item<double>();
    if (!(value >= 0.0) || value != std::floor(value))
        throw FormatError("optimizer state: '" + name + "' is not a step count");
    return static_cast<std::int64_t>(value);
}

} // namespace

AdamW::AdamW(NamedTensors params, const AdamWOptions &options, const std::set<std::string> &noDecay)
    : m_params(std::move(params)), m_slots(m_params.size()), m_options(options)
{
    std::set<std::string> seen;
    for (const auto &[name, tensor] : m_params) {
        if (!tensor.defined())
            throw Error("AdamW: parameter '" + name + "' is undefined");
        if (name.empty() || name == kGlobalStep)
            throw Error("AdamW: '" + name + "' cannot name a parameter");
        if (!seen.insert(name).second)
            throw Error("AdamW: parameter '" + name + "' is listed twice");
    }
    for (const auto &name : noDecay) {
        if (!seen.count(name))
            throw Error("AdamW: no_decay names '" + name + "', which is not a parameter");
    }
    for (std::size_t i = 0; i < m_params.size(); ++i)
        m_slots[i].decay = noDecay.count(m_params[i].first) == 0;
}

void AdamW::zeroGrad()
{
    for (auto &named : m_params) {
        if (named.second.grad().defined())
            named.second.mutable_grad() = at::Tensor();
    }
}

void AdamW::step()
{
    at::NoGradGuard noGrad;
    const double lr = m_options.lr;
    const double beta1 = m_options.beta1;
    const double beta2 = m_options.beta2;
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        at::Tensor &p = m_params[i].second;
        const at::Tensor grad = p.grad();
        if (!grad.defined())
            continue;
        if (grad.sizes() != p.sizes())
            throw Error("AdamW: the gradient of '" + m_params[i].first + "' does not match its shape");
        Slot &slot = m_slots[i];
        if (!slot.expAvg.defined()) {
            slot.expAvg = at::zeros_like(p, at::MemoryFormat::Preserve);
            slot.expAvgSq = at::zeros_like(p, at::MemoryFormat::Preserve);
            slot.step = 0;
        }
        // torch.optim.adamw._single_tensor_adamw, amsgrad=False, maximize=False.
        slot.step += 1;
        const double decay = slot.decay ? m_options.weightDecay : 0.0;
        p.mul_(1.0 - lr * decay);
        slot.expAvg.lerp_(grad, 1.0 - beta1);
        slot.expAvgSq.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
        const auto t = static_cast<double>(slot.step);
        const double biasCorrection1 = 1.0 - std::pow(beta1, t);
        const double biasCorrection2 = 1.0 - std::pow(beta2, t);
        const double stepSize = lr / biasCorrection1;
        const at::Tensor denom = (slot.expAvgSq.sqrt() / std::sqrt(biasCorrection2)).add_(m_options.eps);
        p.addcdiv_(slot.expAvg, denom, -stepSize);
    }
    ++m_stepCount;
}

NamedTensors AdamW::stateDict() const
{
    NamedTensors out;
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        const Slot &slot = m_slots[i];
        if (!slot.expAvg.defined())
            continue;
        const std::string &name = m_params[i].first;
        out.emplace_back(name + kExpAvg, slot.expAvg);
        out.emplace_back(name + kExpAvgSq, slot.expAvgSq);
        out.emplace_back(name + kStep, at::scalar_tensor(slot.step, at::kLong));
    }
    out.emplace_back(kGlobalStep, at::scalar_tensor(m_stepCount, at::kLong));
    return out;
}

void AdamW::loadStateDict(const NamedTensors &state)
{
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < m_params.size(); ++i)
        index.emplace(m_params[i].first, i);

    std::vector<Slot> slots(m_params.size());
    for (std::size_t i = 0; i < m_params.size(); ++i)
        slots[i].decay = m_slots[i].decay;
    std::vector<bool> hasStep(m_params.size(), false);
    bool hasGlobal = false;
    std::int64_t stepCount = 0;

    for (const auto &[key, tensor] : state) {
        if (key == kGlobalStep) {
            stepCount = scalarStep(tensor, key);
            hasGlobal = true;
            continue;
        }
        std::string suffix;
        for (const char *candidate : {kExpAvgSq, kExpAvg, kStep}) {
            if (endsWith(key, candidate)) {
                suffix = candidate;
                break;
            }
        }
        const auto it = suffix.empty() ? index.end() : index.find(key.substr(0, key.size() - suffix.size()));
        if (it == index.end())
            throw FormatError("optimizer state: '" + key + "' belongs to no parameter");
        const at::Tensor &p = m_params[it->second].second;
        Slot &slot = slots[it->second];
        if (suffix == kStep) {
            slot.step = scalarStep(tensor, key);
            hasStep[it->second] = true;
            continue;
        }
        if (tensor.sizes() != p.sizes())
            throw FormatError("optimizer state: '" + key + "' does not have the shape of its parameter");
        // A copy in the parameter's layout: the source may borrow a mapped file.
        at::Tensor copy = at::empty_like(p, at::MemoryFormat::Preserve);
        copy.copy_(tensor);
        (suffix == kExpAvg ? slot.expAvg : slot.expAvgSq) = copy;
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const bool any = slots[i].expAvg.defined() || slots[i].expAvgSq.defined() || hasStep[i];
        const bool all = slots[i].expAvg.defined() && slots[i].expAvgSq.defined() && hasStep[i];
        if (any && !all)
            throw FormatError("optimizer state: '" + m_params[i].first +
                              "' needs exp_avg, exp_avg_sq and step together");
    }
    if (!hasGlobal)
        throw FormatError("optimizer state: 'step' is missing");
    m_slots = std::move(slots);
    m_stepCount = stepCount;
}

double clipGradNorm(const std::vector<at::Tensor> &params, double maxNorm)
{
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> grads;
    for (const auto &p : params) {
        if (p.defined() && p.grad().defined())
            grads.push_back(p.grad());
    }
    if (grads.empty())
        return 0.0;
    // torch.nn.utils.clip_grad_norm_: total = ||(||g_1||, ..., ||g_n||)||_2,
    // clip_coef = max_norm / (total + 1e-6), clamped to at most 1, applied to every gradient.
    std::vector<at::Tensor> norms;
    norms.reserve(grads.size());
    for (const auto &g : grads)
        norms.push_back(g.norm(2));
    const at::Tensor total = norms.size() == 1 ? norms[0] : at::stack(norms).norm(2);
    const at::Tensor coef = at::clamp_max(maxNorm / (total + 1e-6), 1.0);
    for (auto &g : grads)
        g.mul_(coef.to(g.device()));
    return total.item<double>();
}

double clipGradNorm(const NamedTensors &params, double maxNorm)
{
    std::vector<at::Tensor> tensors;
    tensors.reserve(params.size());
    for (const auto &named : params)
        tensors.push_back(named.second);
    return clipGradNorm(tensors, maxNorm);
}

} // namespace awb
