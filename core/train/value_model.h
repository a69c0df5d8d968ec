#pragma once
// PPO's value model (TRL's PPOTrainer): a causal-LM backbone with a scalar
// head, V(prefix) at every completion position: the value of completion token
// t is read from the hidden state that predicts it (the column the policy's
// logits come from), so values[r, t] pairs with logps[r, t].
//
// value_model_init:
//   "reward_model" (TRL's choice): the reward model's backbone (its LoRA
//       merged, in a copy of its own) and, as the head, the reward model's
//       aspect heads combined with the run's aspect weights, so the first
//       values are the weighted score of each prefix. The reward model's
//       tokenizer must be the policy's (same number of ids).
//   "policy": the policy folder's weights and a zero head. With LoRA the
//       backbone borrows the policy's base (one base in memory).
// With use_lora the backbone gets its own LoRA adapters (the policy's
// options) and its base is frozen; else every backbone weight trains.
//
// Trainer thread only. Core-only header.

#include "io/safetensors.h"
#include "train/grpo_batch.h"
#include "train/grpo_options.h"

#include <memory>
#include <string>
#include <vector>

namespace awb {

class CausalLM;
class RewardModel;

class ValueModel
{
public:
    // Throws Error naming the reward model or the policy folder when the
    // backbone cannot serve the policy's tokens.
    ValueModel(const GrpoOptions &options, CausalLM &policy, const RewardModel &rewardModel,
               const std::vector<double> &aspectWeights, c10::Device device, c10::ScalarType dtype);
    ~ValueModel();

    // [rows, completionWidth] values of the completion positions (grad when grad mode is on).
    at::Tensor values(const PackedMicroBatch &batch);
    void setTraining(bool training);
    // Prefixed "value." so they sit beside the policy's in one optimiser.
    NamedTensors trainableParameters() const;
    // What a checkpoint keeps: the head and the trainable backbone tensors (LoRA, or all).
    NamedTensors state() const;
    // Throws FormatError naming `label` for a missing tensor or a shape that differs.
    void loadState(const SafetensorsFile &file, const std::string &label);
    std::int64_t hiddenSize() const;
    bool sharesBase() const;

private:
    std::unique_ptr<CausalLM> m_backbone;
    at::Tensor m_weight;   // [1, hidden]
    at::Tensor m_bias;     // [1]
};

} // namespace awb
