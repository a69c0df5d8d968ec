#include "model/stored_ops.h"

#include "model/kernels.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <sstream>

namespace awb {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows of x that one call of the bfloat16 kernel runs: a chunk of activations
// stays in cache while it meets every weight row. At 1,024 rows of the 0.5B MLP
// this ran at 1.7x (AVX-512) and 0.97x (AVX2) OpenBLAS on the fp32 weight, where
// widening tiles of the weight for the BLAS ran at 0.5x (bench_kernels
// --benchmark_filter=StoredProduct). Other narrow types (float16), and weights
// off the CPU, are widened a tile at a time for at::mm.
constexpr std::int64_t kKernelRows = 256;
// fp32 bytes of one widened tile of a stored weight.
constexpr std::int64_t kTileBytes = std::int64_t(8) << 20;

std::int64_t tileRows(const at::Tensor &w)
{
    return std::max<std::int64_t>(16, kTileBytes / (4 * std::max<std::int64_t>(1, w.size(1))));
}

// w as fp32 (or x's dtype): bfloat16 rows of a CPU matrix through the widening
// kernel, on every thread and a few times faster than LibTorch's copy here.
// The result lives in one buffer per thread, valid until this thread's next
// call: the tiles of every product would otherwise each map and zero fresh
// pages (8 MB a tile, gigabytes over a step, measured as seconds of page faults).
at::Tensor widened(const at::Tensor &w, at::ScalarType to)
{
    if (to != at::kFloat || w.scalar_type() != at::kBFloat16 || !w.device().is_cpu() || !w.is_contiguous())
        return w.to(to);
    thread_local at::Tensor scratch;
    if (!scratch.defined() || scratch.numel() < w.numel())
        scratch = at::empty({w.numel()}, w.options().dtype(at::kFloat));
    at::Tensor out = scratch.narrow(0, 0, w.numel()).view(w.sizes());
    kernels::widenBf16(reinterpret_cast<const std::uint16_t *>(w.data_ptr()), w.numel(), out.data_ptr<float>());
    return out;
}

// y [R, N] = x [R, K] w^T, no autograd; w may be narrower than x.
at::Tensor storedProduct(const at::Tensor &xIn, const at::Tensor &w)
{
    const at::Tensor x = xIn.contiguous();
    const std::int64_t R = x.size(0), N = w.size(0), K = w.size(1);
    if (w.scalar_type() == x.scalar_type())
        return at::mm(x, w.t());
    if (x.device().is_cpu() && x.scalar_type() == at::kFloat && w.scalar_type() == at::kBFloat16
        && w.is_contiguous()) {
        // kKernelRows rows at a time: the rows of a chunk stay in cache while
        // the kernel runs them against a few weight rows; each row's sums are
        // those of a single call.
        at::Tensor y = at::empty({R, N}, x.options());
        for (std::int64_t r0 = 0; r0 < R; r0 += kKernelRows)
            kernels::linearBf16(x.data_ptr<float>() + r0 * K, std::min(kKernelRows, R - r0), K, K,
                                reinterpret_cast<const std::uint16_t *>(w.data_ptr()), N, nullptr,
                                y.data_ptr<float>() + r0 * N, N);
        return y;
    }
    const std::int64_t t = tileRows(w);
    if (t >= N)
        return at::mm(x, widened(w, x.scalar_type()).t());
    at::Tensor y = at::empty({R, N}, x.options());
    for (std::int64_t n0 = 0; n0 < N; n0 += t) {
        const std::int64_t n = std::min(t, N - n0);
        y.narrow(1, n0, n).copy_(at::mm(x, widened(w.narrow(0, n0, n), x.scalar_type()).t()));
    }
    return y;
}

// g [R, N] w [N, K] -> [R, K], no autograd: the input gradient of storedProduct.
// A bfloat16 weight on the CPU goes through kernels::productBf16, which widens
// panels of w in cache (widening tiles for the BLAS wrote and read each tile
// through memory again: about a tenth of a 0.5B GRPO step).
at::Tensor storedProductBackward(const at::Tensor &gIn, const at::Tensor &w)
{
    const std::int64_t N = w.size(0), t = tileRows(w);
    if (w.scalar_type() == gIn.scalar_type())
        return at::mm(gIn, w);
    if (gIn.device().is_cpu() && gIn.scalar_type() == at::kFloat && w.scalar_type() == at::kBFloat16
        && w.is_contiguous()) {
        const at::Tensor g = gIn.contiguous();
        at::Tensor gx = at::empty({g.size(0), w.size(1)}, g.options());
        kernels::productBf16(g.data_ptr<float>(), g.size(0), N, N, reinterpret_cast<const std::uint16_t *>(w.data_ptr()),
                             w.size(1), gx.data_ptr<float>(), w.size(1));
        return gx;
    }
    const at::Tensor &g = gIn;
    if (t >= N)
        return at::mm(g, widened(w, g.scalar_type()));
    at::Tensor gx = at::zeros({g.size(0), w.size(1)}, g.options());
    for (std::int64_t n0 = 0; n0 < N; n0 += t) {
        const std::int64_t n = std::min(t, N - n0);
        gx.addmm_(g.narrow(1, n0, n), widened(w.narrow(0, n0, n), g.scalar_type()));
    }
    return gx;
}

struct StoredLinearFn : public torch::autograd::Function<StoredLinearFn>
{
    static at::Tensor forward(AutogradContext *ctx, at::Tensor x, at::Tensor w)
    {
        ctx->save_for_backward({w});
        return storedProduct(x, w);
    }

    static variable_list backward(AutogradContext *ctx, variable_list grads)
    {
        const at::Tensor w = ctx->get_saved_variables()[0];
        return {storedProductBackward(grads[0], w), at::Tensor()};
    }
};

// The dropout's noise: 0 or 1 / (1 - p) per element, as at::dropout computes it.
at::Tensor dropoutNoise(const at::Tensor &mask, double p, at::ScalarType type)
{
    return mask.to(type).div_(1 - p);
}

struct DroppedLinearFn : public torch::autograd::Function<DroppedLinearFn>
{
    static at::Tensor forward(AutogradContext *ctx, at::Tensor x, at::Tensor a, double p)
    {
        // at::dropout's own steps (ATen's _dropout_impl): the same draws and values.
        at::Tensor noise = at::empty({}, x.options()).resize_(x.sizes());
        noise.bernoulli_(1 - p);
        noise.div_(1 - p);
        const at::Tensor y = at::linear(x * noise, a);
        ctx->save_for_backward({x, a, noise.ne(0)});
        ctx->saved_data["p"] = p;
        return y;
    }

    static variable_list backward(AutogradContext *ctx, variable_list grads)
    {
        const variable_list saved = ctx->get_saved_variables();
        const at::Tensor &x = saved[0], &a = saved[1], &mask = saved[2];
        const double p = ctx->saved_data["p"].toDouble();
        const at::Tensor noise = dropoutNoise(mask, p, x.scalar_type());
        const at::Tensor g = grads[0];
        at::Tensor gradX, gradA;
        if (x.requires_grad())
            gradX = at::matmul(g, a).mul_(noise);
        if (a.requires_grad()) {
            const at::Tensor in = (x * noise).reshape({-1, x.size(-1)});
            gradA = g.reshape({-1, g.size(-1)}).t().mm(in);
        }
        return {gradX, gradA, at::Tensor()};
    }
};

struct SiluGateFn : public torch::autograd::Function<SiluGateFn>
{
    static at::Tensor forward(AutogradContext *ctx, at::Tensor h, std::int64_t inter)
    {
        ctx->save_for_backward({h});
        ctx->saved_data["inter"] = inter;
        return at::silu(h.narrow(-1, 0, inter)) * h.narrow(-1, inter, inter);
    }

    static variable_list backward(AutogradContext *ctx, variable_list grads)
    {
        const at::Tensor h = ctx->get_saved_variables()[0];
        const std::int64_t inter = ctx->saved_data["inter"].toInt();
        const at::Tensor gate = h.narrow(-1, 0, inter), up = h.narrow(-1, inter, inter);
        const at::Tensor &g = grads[0];
        // The product's backward, then silu's, as autograd computes them.
        at::Tensor gradUp = g * at::silu(gate);
        at::Tensor gradGate = at::silu_backward(g * up, gate);
        return {at::cat({gradGate, gradUp}, -1), at::Tensor()};
    }
};

// ---- token log-probabilities ------------------------------------------------------

struct LogProbPass
{
    at::Tensor logp, entropy, jacobian, lse;
};

// Logits of the rows h [c, H] over the head, divided by the temperature.
at::Tensor chunkLogits(const at::Tensor &h, const at::Tensor &head, double temperature)
{
    at::Tensor l = storedProduct(h, head);
    if (temperature != 1.0)
        l.div_(temperature);
    return l;
}

// Rows of a chunk whose entropy is summed at once (a few MB of temporaries).
constexpr std::int64_t kEntropyRows = 8;

std::int64_t chunkRows(const at::Tensor &head, std::int64_t maxLogitBytes)
{
    return std::max<std::int64_t>(1, maxLogitBytes / (4 * std::max<std::int64_t>(1, head.size(0))));
}

LogProbPass logProbChunks(const at::Tensor &h, const at::Tensor &head, const at::Tensor &targets, double temperature,
                          bool wantEntropy, bool wantJacobian, std::int64_t maxLogitBytes)
{
    at::NoGradGuard noGrad;
    const std::int64_t R = h.size(0), step = chunkRows(head, maxLogitBytes);
    LogProbPass out;
    out.logp = at::empty({R}, h.options());
    out.lse = at::empty({R}, h.options());
    if (wantEntropy)
        out.entropy = at::empty({R}, h.options());
    if (wantJacobian)
        out.jacobian = at::empty({R, h.size(1)}, h.options());
    for (std::int64_t r0 = 0; r0 < R; r0 += step) {
        const std::int64_t c = std::min(step, R - r0);
        const at::Tensor hc = h.narrow(0, r0, c);
        const at::Tensor tc = targets.narrow(0, r0, c);
        at::Tensor l = chunkLogits(hc, head, temperature);
        const at::Tensor lse = at::logsumexp(l, {1});
        out.lse.narrow(0, r0, c).copy_(lse);
        out.logp.narrow(0, r0, c).copy_(l.gather(1, tc.unsqueeze(1)).squeeze(1) - lse);
        if (!wantEntropy && !wantJacobian)
            continue;
        l.sub_(lse.unsqueeze(1));        // log p
        if (wantEntropy) {
            // -(exp(logp) * logp).sum(-1), as entropyFromLogits, a few rows at a
            // time: no second chunk-sized tensor beside the log-probs.
            for (std::int64_t i = 0; i < c; i += kEntropyRows) {
                const std::int64_t n = std::min(kEntropyRows, c - i);
                const at::Tensor li = l.narrow(0, i, n);
                out.entropy.narrow(0, r0 + i, n).copy_((li.exp() * li).sum(1).neg_());
            }
        }
        if (wantJacobian) {
            // d log p(t) / d h = (head[t] - sum_v p_v head[v]) / temperature, with p in l's memory
            const at::Tensor p = l.exp_();
            const at::Tensor picked = head.index_select(0, tc).to(h.scalar_type());
            out.jacobian.narrow(0, r0, c).copy_((picked - storedProductBackward(p, head)).div_(temperature));
        }
    }
    return out;
}

struct TokenLogProbsFn : public torch::autograd::Function<TokenLogProbsFn>
{
    static at::Tensor forward(AutogradContext *ctx, at::Tensor h, at::Tensor head, at::Tensor targets,
                              double temperature, at::Tensor *entropy, std::int64_t maxLogitBytes)
    {
        LogProbPass pass =
            logProbChunks(h, head, targets, temperature, entropy != nullptr, h.requires_grad(), maxLogitBytes);
        if (entropy)
            *entropy = pass.entropy;
        const bool headGrad = head.requires_grad();
        ctx->save_for_backward({pass.jacobian, headGrad ? h : at::Tensor(), head, targets, pass.lse});
        ctx->saved_data["temperature"] = temperature;
        ctx->saved_data["max_logit_bytes"] = maxLogitBytes;
        return pass.logp;
    }

    static variable_list backward(AutogradContext *ctx, variable_list grads)
    {
        const variable_list saved = ctx->get_saved_variables();
        const at::Tensor &jacobian = saved[0], &h = saved[1], &head = saved[2], &targets = saved[3], &lse = saved[4];
        const double temperature = ctx->saved_data["temperature"].toDouble();
        const at::Tensor g = grads[0];
        at::Tensor gradH, gradHead;
        if (jacobian.defined())
            gradH = jacobian * g.unsqueeze(1);
        if (h.defined()) {
            // A trainable head: recompute each chunk's softmax, then
            // d/d head = sum_rows g (onehot(t) - p)^T h / temperature.
            at::NoGradGuard noGrad;
            gradHead = at::zeros(head.sizes(), head.options());
            const std::int64_t R = h.size(0);
            const std::int64_t step = chunkRows(head, ctx->saved_data["max_logit_bytes"].toInt());
            for (std::int64_t r0 = 0; r0 < R; r0 += step) {
                const std::int64_t c = std::min(step, R - r0);
                const at::Tensor hc = h.narrow(0, r0, c);
                const at::Tensor gc = g.narrow(0, r0, c).unsqueeze(1) / temperature;
                at::Tensor coef = chunkLogits(hc, head, temperature).sub_(lse.narrow(0, r0, c).unsqueeze(1)).exp_();
                coef.mul_(-gc).scatter_add_(1, targets.narrow(0, r0, c).unsqueeze(1), gc);
                gradHead.addmm_(coef.t(), hc);
            }
        }
        return {gradH, gradHead, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

std::string shapeText(at::IntArrayRef s)
{
    std::ostringstream o;
    o << s;
    return o.str();
}

} // namespace

at::Tensor storedLinear(const at::Tensor &x, const at::Tensor &w)
{
    if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1))
        throw Error("storedLinear: input " + shapeText(x.sizes()) + " does not match weight " + shapeText(w.sizes()));
    if (w.requires_grad())
        throw Error("storedLinear: a weight kept in its stored dtype is frozen and cannot require grad");
    std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = w.size(0);
    const at::Tensor x2 = x.reshape({-1, w.size(1)});
    const at::Tensor y = at::GradMode::is_enabled() && x.requires_grad() ? StoredLinearFn::apply(x2, w)
                                                                         : storedProduct(x2, w);
    return y.view(shape);
}

at::Tensor siluGate(const at::Tensor &h, std::int64_t inter)
{
    if (h.dim() < 1 || h.size(-1) != 2 * inter)
        throw Error("siluGate: input " + shapeText(h.sizes()) + " is not a gate and an up projection of "
                    + std::to_string(inter) + " each");
    if (at::GradMode::is_enabled() && h.requires_grad())
        return SiluGateFn::apply(h, inter);
    return at::silu(h.narrow(-1, 0, inter)) * h.narrow(-1, inter, inter);
}

at::Tensor droppedLinear(const at::Tensor &x, const at::Tensor &a, double p)
{
    if (!(p > 0.0 && p < 1.0))
        throw Error("droppedLinear: the dropout probability must be in (0, 1), got " + std::to_string(p));
    if (a.dim() != 2 || x.dim() < 1 || x.size(-1) != a.size(1))
        throw Error("droppedLinear: input " + shapeText(x.sizes()) + " does not match adapter " + shapeText(a.sizes()));
    return DroppedLinearFn::apply(x, a, p);
}

at::Tensor tokenLogProbs(const at::Tensor &hidden, const at::Tensor &head, const at::Tensor &targets,
                         double temperature, at::Tensor *entropy, std::int64_t maxLogitBytes)
{
    if (!hidden.defined() || hidden.dim() < 1 || head.dim() != 2 || hidden.size(-1) != head.size(1))
        throw Error("tokenLogProbs: hidden states " + shapeText(hidden.sizes()) + " do not match the head "
                    + shapeText(head.sizes()));
    const std::vector<std::int64_t> lead(hidden.sizes().begin(), hidden.sizes().end() - 1);
    if (!targets.defined() || targets.sizes() != at::IntArrayRef(lead))
        throw Error("tokenLogProbs: targets must have shape " + shapeText(lead));
    if (!(temperature > 0.0))
        throw Error("tokenLogProbs: temperature must be positive");
    const std::int64_t V = head.size(0);
    const at::Tensor ids = targets.reshape({-1}).to(hidden.device(), at::kLong);
    if (ids.numel() > 0 && (ids.min().item<std::int64_t>() < 0 || ids.max().item<std::int64_t>() >= V))
        throw Error("tokenLogProbs: a target token id is outside the vocabulary of " + std::to_string(V));
    const at::Tensor h = hidden.reshape({-1, hidden.size(-1)});
    const bool grad = at::GradMode::is_enabled() && (hidden.requires_grad() || head.requires_grad());
    at::Tensor ent, logp;
    if (grad) {
        logp = TokenLogProbsFn::apply(h, head, ids, temperature, entropy ? &ent : nullptr, maxLogitBytes);
    } else {
        LogProbPass pass = logProbChunks(h, head, ids, temperature, entropy != nullptr, false, maxLogitBytes);
        logp = pass.logp;
        ent = pass.entropy;
    }
    if (entropy)
        *entropy = ent.view(lead);
    return logp.view(lead);
}

} // namespace awb
