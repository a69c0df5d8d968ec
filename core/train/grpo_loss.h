#pragma once
// The GRPO policy loss and the per-token quantities it is built from, as TRL's
// GRPOTrainer._compute_loss and trl.trainer.utils define them.
//
// The trainer computes per-token log-probabilities of the sampled completion
// tokens under the current policy (with grad), the sampling ("old") policy and
// the frozen reference, then calls grpoLoss once per micro-batch and
// backpropagates the returned scalar. All functions are pure: any thread may
// call them, and tensors stay on the device they came on.
//
// Gradient accumulation (how TRL scales each micro-batch's loss so that the
// gradients summed over one optimiser step mean the same thing whatever the
// micro-batch size):
//   grpo, bnpo, dr_grpo: the micro-batch loss is divided by
//       gradient_accumulation_steps (GrpoLossOptions::gradientAccumulationSteps);
//       the optimiser step then sees the average of the micro-batch losses.
//   dapo: the token sum of the micro-batch is divided by num_items_in_batch, the
//       number of completion tokens in the whole generation batch (every
//       micro-batch of this optimiser step), so the step sees one token-level
//       mean over the generation batch and gradientAccumulationSteps is unused.
//       TRL counts those tokens up to and including EOS *before*
//       mask_truncated_completions zeroes truncated rows, so the caller should
//       pass that count in GrpoLossInputs::numItemsInBatch.
// The caller must not divide the returned loss again.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace awb {

// TRL's loss_type: how per-token losses are reduced to one number.
enum class LossType {
    Grpo,     // "grpo":    mean over sequences of each sequence's token mean
    Bnpo,     // "bnpo":    token mean over the micro-batch
    DrGrpo,   // "dr_grpo": token sum / (rows * max_completion_length)
    Dapo,     // "dapo" (TRL default): token sum / active tokens in the generation batch
};

const char *lossTypeName(LossType type);
// Throws Error naming loss_type and the bad value.
LossType parseLossType(const std::string &name);

struct GrpoLossOptions
{
    LossType lossType = LossType::Dapo;          // loss_type (TRL default "dapo")
    double epsilonLow = 0.2;                     // epsilon: ratio clipped below at 1 - epsilonLow
    double epsilonHigh = 0.2;                    // epsilon_high: TRL defaults it to epsilon; DAPO uses 0.28
    double beta = 0.04;                          // KL coefficient; the project's default (TRL's is 0.0)
    std::int64_t maxCompletionLength = 256;      // max_completion_length: dr_grpo's constant normaliser
    std::int64_t gradientAccumulationSteps = 1;  // grpo/bnpo/dr_grpo divide by it (see above)
};

struct GrpoLossInputs
{
    at::Tensor logps;        // [N, T] per-token log-probs of the current policy (requires grad)
    // [N, T] per-token log-probs of the policy that sampled the completions.
    // Undefined: logps.detach(), as TRL when num_iterations == 1 (ratio 1, gradient unchanged).
    at::Tensor oldLogps;
    // [N, T] per-token log-probs of the reference. Required when beta != 0;
    // when given with beta == 0 the KL is still reported, but not optimised.
    at::Tensor refLogps;
    at::Tensor advantages;   // [N], or [N, T] per token
    at::Tensor mask;         // [N, T] 1 for completion tokens that count, 0 for padding/after EOS/masked rows
    // dapo: active tokens in the whole generation batch (see above); 0 means
    // mask.sum() clamped to 1, right only without gradient accumulation.
    double numItemsInBatch = 0.0;
};

struct GrpoLossOutput
{
    at::Tensor loss;               // scalar in logps' dtype, differentiable w.r.t. logps
    // Token means over the mask, as TRL logs them ("kl", "clip_ratio/low_mean",
    // "clip_ratio/high_mean", "clip_ratio/region_mean"):
    double kl = 0.0;               // mean of exp(ref - logp) - (ref - logp) - 1; 0 without refLogps
    double clipRatioLow = 0.0;     // ratio < 1 - epsilonLow where the advantage is negative
    double clipRatioHigh = 0.0;    // ratio > 1 + epsilonHigh where the advantage is positive
    double clipRatioRegion = 0.0;  // either of the two
};

// Throws Error on mismatched shapes, a non-positive normaliser, or beta != 0
// without refLogps.
GrpoLossOutput grpoLoss(const GrpoLossInputs &in, const GrpoLossOptions &options);

// Per-token log-probability of targets [N, T] under softmax(logits / temperature),
// logits [N, T, V]: TRL's selective_log_softmax after _get_per_token_logps_and_entropies
// divides the logits by the sampling temperature. Works one row at a time, so
// the full [N, T, V] log-softmax is never materialised; float32/float64 use
// logit - logsumexp, half types log_softmax (logsumexp loses too much there).
// Differentiable w.r.t. logits. Returns [N, T] in the logits' dtype.
at::Tensor selectiveLogSoftmax(const at::Tensor &logits, const at::Tensor &targets, double temperature = 1.0);

// Entropy (nats) of softmax(logits / temperature) over the last dimension, for
// any leading shape: TRL's entropy_from_logits, chunkSize rows at a time. Like
// TRL, computed without grad (it is a metric). Returns logits.shape[:-1].
at::Tensor entropyFromLogits(const at::Tensor &logits, double temperature = 1.0, std::int64_t chunkSize = 128);

} // namespace awb
