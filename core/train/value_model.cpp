#include "train/value_model.h"

#include "model/causal_lm.h"
#include "model/lora.h"
#include "reward/reward_model.h"
#include "train/rollout.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <map>

namespace awb {

namespace {

// An independent copy of the reward model's backbone with its LoRA merged in.
std::unique_ptr<CausalLM> mergedCopy(const CausalLM &source, c10::Device device, c10::ScalarType dtype)
{
    CausalLM::LoadOptions lo;
    lo.device = device;
    lo.dtype = dtype;
    auto copy = CausalLM::create(source.config(), 0, lo);
    std::map<std::string, at::Tensor> merged;
    for (auto &[name, t] : source.stateDict(/*mergedLora=*/true))
        merged.emplace(name, t);
    at::NoGradGuard noGrad;
    for (auto &[name, live] : copy->stateDict(false)) {
        const auto it = merged.find(name);
        if (it == merged.end())
            throw Error("value model: the reward model's backbone has no tensor \"" + name + "\"");
        live.copy_(it->second);
    }
    return copy;
}

} // namespace

ValueModel::ValueModel(const GrpoOptions &o, CausalLM &policy, const RewardModel &rm,
                       const std::vector<double> &weights, c10::Device device, c10::ScalarType dtype)
{
    const std::int64_t hidden = o.valueModelInit == "policy" ? policy.config().hiddenSize : rm.backbone().config().hiddenSize;
    const auto f32 = at::TensorOptions().dtype(at::kFloat).device(device);
    m_weight = at::zeros({1, hidden}, f32);
    m_bias = at::zeros({1}, f32);
    if (o.valueModelInit == "reward_model") {
        if (rm.backbone().config().vocabSize != policy.config().vocabSize)
            throw Error("value_model_init reward_model: the reward model's embedding has " +
                        std::to_string(rm.backbone().config().vocabSize) + " rows but the policy's (" + o.model +
                        ") has " + std::to_string(policy.config().vocabSize) +
                        ": they do not share a tokenizer; use value_model_init policy");
        m_backbone = mergedCopy(rm.backbone(), device, dtype);
        // The head: sum_k w_k * head_k, so V starts as the reward model's weighted score of each prefix.
        const auto head = rm.headState();
        const at::Tensor w = at::tensor(weights, at::kDouble).to(f32);
        at::NoGradGuard noGrad;
        m_weight.copy_(at::matmul(w.unsqueeze(0), head[0].second.to(f32)));
        m_bias.copy_((w * head[1].second.to(f32)).sum().reshape({1}));
    } else if (o.useLora) {
        m_backbone = CausalLM::sharingBaseOf(policy);
    } else {
        CausalLM::LoadOptions lo;
        lo.device = device;
        lo.dtype = dtype;
        m_backbone = CausalLM::load(o.model, lo);
    }
    if (o.useLora) {
        m_backbone->addLora(loraOptionsFor(o), mixSeed(o.seed, 0, 5));
        m_backbone->setBaseTrainable(false);
    } else {
        m_backbone->setBaseTrainable(true);
    }
    m_weight.requires_grad_(true);
    m_bias.requires_grad_(true);
}

ValueModel::~ValueModel() = default;

at::Tensor ValueModel::values(const PackedMicroBatch &batch)
{
    const at::Tensor hidden = m_backbone->forward(batch.ids, batch.positions, nullptr, batch.valid);
    const at::Tensor h = hidden.narrow(1, batch.promptWidth - 1, batch.completionWidth).to(at::kFloat);
    return (at::matmul(h, m_weight.t()).squeeze(-1) + m_bias);
}

void ValueModel::setTraining(bool training) { m_backbone->setTraining(training); }

NamedTensors ValueModel::trainableParameters() const
{
    NamedTensors out = {{"value.score.weight", m_weight}, {"value.score.bias", m_bias}};
    for (auto &[name, t] : m_backbone->trainableParameters())
        out.emplace_back("value." + name, t);
    return out;
}

NamedTensors ValueModel::state() const
{
    NamedTensors out;
    for (auto &[name, t] : trainableParameters())
        out.emplace_back(name, t.detach());
    return out;
}

void ValueModel::loadState(const SafetensorsFile &file, const std::string &label)
{
    at::NoGradGuard noGrad;
    for (auto &[name, live] : trainableParameters()) {
        if (!file.contains(name))
            throw FormatError(label + ": tensor \"" + name + "\" of the value model is missing");
        const at::Tensor t = file.tensor(name);
        if (t.sizes() != live.sizes())
            throw FormatError(label + ": tensor \"" + name + "\" has the wrong shape for this value model");
        live.copy_(t);
    }
}

std::int64_t ValueModel::hiddenSize() const { return m_weight.size(1); }
bool ValueModel::sharesBase() const { return m_backbone->sharesBase(); }

} // namespace awb
