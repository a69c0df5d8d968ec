#pragma once
// Four operations of the model's training and scoring passes that would
// otherwise hold large fp32 tensors:
//
//  - storedLinear: a product with a frozen weight kept in bfloat16 (the base of
//    a LoRA model, as stored in the folder) while activations are fp32. The
//    product runs on the kernels (kernels::linearBf16, 256 rows at a time),
//    which widen each weight as they read it, and so does the backward
//    (kernels::productBf16, panels of the weight widened in cache): no fp32 copy
//    of a weight is ever written (at::linear on a widened weight would keep
//    every layer's copy alive until the backward). Other narrow types (float16)
//    widen a tile of rows at a time for the BLAS, forward and backward.
//
//  - tokenLogProbs: the log-probability of each target token, and optionally
//    the entropy, from hidden states and the output head, a chunk of tokens at
//    a time, so at most chunk x vocabulary logits exist at once (never the
//    [tokens x vocabulary] logits of a micro-batch and their softmax, gather and
//    backward copies). The gradient with respect to the hidden states is exact
//    and computed in the same pass: log p(t | h) depends on its own hidden state
//    only, and its derivative (head[t] - sum_v p_v head[v]) / temperature is a
//    vector per token, stored instead of the logits; the backward scales it by
//    the loss's per-token gradient. A trainable head (full fine-tuning) gets its
//    gradient from a recomputation of the chunk's logits in the backward.
//
//  - droppedLinear: LoRA's first product with PEFT's dropout on the adapter's
//    input. Autograd's dropout keeps its fp32 noise and the dropped copy of the
//    input for the backward, two floats per input element for every adapter
//    (q, k and v each draw their own mask); this keeps the input, which the
//    layer holds anyway, and a one-byte mask.
//
//  - siluGate: the SwiGLU gate silu(gate) * up of Llama and Qwen2 MLPs. Autograd
//    keeps silu(gate) for the product's backward, an intermediate-sized tensor
//    per token and layer; this keeps the gate_up projection only and recomputes
//    silu in the backward.
//
// Core-only header (ATen): app/ and widgets/ must not include it.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace awb {

// x [..., K] (fp32) times w [N, K]^T, w in a narrower floating type (bfloat16,
// float16) that does not require grad; differentiable with respect to x.
// Returns [..., N] in x's dtype.
at::Tensor storedLinear(const at::Tensor &x, const at::Tensor &w);

// hidden [..., H] (fp32), head [V, H] (fp32 or bfloat16), targets [...] int64 ids
// in [0, V): log softmax(hidden head^T / temperature)[target] per token, in
// fp32, differentiable with respect to hidden and (when it requires grad) head.
// With `entropy`, also the entropy in nats of each token's distribution (no
// grad). Chunks hold at most `maxLogitBytes` of logits (at least one token).
// Throws Error for mismatched shapes, a non-positive temperature or a target
// outside the head.
at::Tensor tokenLogProbs(const at::Tensor &hidden, const at::Tensor &head, const at::Tensor &targets,
                         double temperature, at::Tensor *entropy = nullptr,
                         std::int64_t maxLogitBytes = std::int64_t(16) << 20);

// silu(h[..., :inter]) * h[..., inter:] for h [..., 2 * inter] (the fused
// gate_up projection); differentiable with respect to h, with values and
// gradients equal to those of the same at:: expression.
at::Tensor siluGate(const at::Tensor &h, std::int64_t inter);

// dropout(x, p) A^T while training (p in (0, 1)): x [..., K] times the
// adapter's down-projection a [r, K], differentiable with respect to both. The
// mask is drawn exactly as at::dropout draws it (the same generator calls), so
// values and gradients equal at::linear(at::dropout(x, p, true), a)'s.
at::Tensor droppedLinear(const at::Tensor &x, const at::Tensor &a, double p);

} // namespace awb
