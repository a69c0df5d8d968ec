#pragma once
// AdamW (Loshchilov & Hutter) with a state that can be saved as safetensors,
// and gradient-norm clipping: the optimiser transformers' Trainer gives TRL's
// GRPOTrainer by default (optim "adamw_torch" = torch.optim.AdamW, clipped to
// max_grad_norm before every step).
//
// The update is torch.optim.AdamW's (single-tensor, amsgrad off), per parameter:
//   p      *= 1 - lr * weight_decay                    (decoupled decay, skipped for noDecay names)
//   t      += 1                                        (per parameter: a parameter without grad is skipped)
//   m       = lerp(m, g, 1 - beta1)                    exp_avg
//   v       = beta2 * v + (1 - beta2) * g * g          exp_avg_sq
//   p      -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// The optimiser holds the parameters by handle (tensors share storage with
// the model) and updates them in place; the model must outlive it. Not
// thread-safe: call from the training thread only.

#include "io/safetensors.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace awb {

// Defaults are transformers.TrainingArguments' (adam_beta1, adam_beta2,
// adam_epsilon, weight_decay) with GRPOConfig's learning_rate.
struct AdamWOptions
{
    double lr = 1e-6;            // learning_rate (GRPOConfig default 1e-6); the schedule rescales it via setLr
    double beta1 = 0.9;          // adam_beta1
    double beta2 = 0.999;        // adam_beta2
    double eps = 1e-8;           // adam_epsilon, added outside sqrt(v_hat)
    double weightDecay = 0.0;    // weight_decay (decoupled, multiplied by lr)
};

class AdamW
{
public:
    // `params`: the trainable tensors (leaf tensors that will receive .grad()),
    // with unique names; the names key the saved state. `noDecay`: names that
    // get no weight decay (transformers exempts biases and norm weights).
    // Throws Error for duplicate names, undefined tensors, or unknown noDecay names.
    explicit AdamW(NamedTensors params, const AdamWOptions &options = {},
                   const std::set<std::string> &noDecay = {});

    const AdamWOptions &options() const { return m_options; }
    double lr() const { return m_options.lr; }
    void setLr(double lr) { m_options.lr = lr; }
    const NamedTensors &params() const { return m_params; }

    // Drops every gradient (set_to_none, what Trainer's model.zero_grad() does
    // in torch 2), so a parameter the next backward does not reach is skipped.
    void zeroGrad();
    // One update of every parameter that has a gradient. Gradients are used as
    // they are (a NaN propagates, as in torch); throws Error for a gradient
    // whose shape differs from its parameter's.
    void step();
    // Number of step() calls since construction or the loaded state.
    std::int64_t stepCount() const { return m_stepCount; }

    // "<name>.exp_avg", "<name>.exp_avg_sq" (the parameter's dtype and device)
    // and "<name>.step" (int64 scalar) for every parameter that has state, plus
    // "step" (int64 scalar, stepCount). The tensors are the live state: save
    // them before the next step() (saveSafetensors copies them out).
    NamedTensors stateDict() const;
    // Replaces the state with a copy of `state` (from stateDict, e.g. read back
    // from safetensors), converted to each parameter's dtype and device.
    // Throws FormatError for an unknown name, a missing half of a pair, or a
    // shape that does not match the parameter.
    void loadStateDict(const NamedTensors &state);

private:
    struct Slot
    {
        at::Tensor expAvg;
        at::Tensor expAvgSq;
        std::int64_t step = 0;
        bool decay = true;
    };

    NamedTensors m_params;
    std::vector<Slot> m_slots;   // parallel to m_params
    AdamWOptions m_options;
    std::int64_t m_stepCount = 0;
};

// torch.nn.utils.clip_grad_norm_(params, maxNorm) with the 2-norm: the total
// norm of all gradients together (the 2-norm of the per-tensor 2-norms);
// every gradient is multiplied by min(1, maxNorm / (total + 1e-6)). Returns
// the total norm before clipping (transformers logs it as grad_norm).
// Parameters without a gradient are ignored; none at all returns 0.
double clipGradNorm(const std::vector<at::Tensor> &params, double maxNorm);
double clipGradNorm(const NamedTensors &params, double maxNorm);

} // namespace awb
