// The inference path of CausalLM for fp32 on the CPU (base weights fp32 or
// bfloat16 as stored): the same computation as
// forward() in causal_lm.cpp, layer by layer on raw buffers with the kernels of
// kernels.h. Decoding runs a few rows through every weight matrix per step, so
// its time goes to streaming the weights and, with torch operators, to the
// dispatch of some twenty small operators per layer; here each layer is a
// handful of kernel calls and the matrix products stream the weights on every
// core. Used only when no gradient is needed (see CausalLM::fastPath), so
// training keeps autograd, and CUDA keeps torch.
#include "model/causal_lm.h"

#include "model/kernels.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <vector>
#include <cmath>
#include <cstring>
#include <memory>

namespace awb {

namespace {

// Sizes where the kernels beat LibTorch with OpenBLAS here (tests/bench): up to
// 256 rows a matrix product is at least as fast, and a decode step (one new
// token per sequence) also saves the dispatch of small operators. A prefill of
// more than 64 rows goes to torch, whose batched attention is faster there.
constexpr std::int64_t kFastRows = 256;
constexpr std::int64_t kFastPrefillRows = 64;

struct Buffer
{
    std::unique_ptr<float[]> data;
    explicit Buffer(std::int64_t n) : data(new float[static_cast<std::size_t>(std::max<std::int64_t>(n, 1))]) {}
    float *get() { return data.get(); }
};

const float *ptr(const at::Tensor &t) { return t.defined() ? t.data_ptr<float>() : nullptr; }

// y [R, out] = x [R, in] W^T (+ bias), plus the enabled LoRA adapters as
// Projection::forward adds them: scaling * B (A x) on each part's slice.
// y [R, N] = x [R, K] w^T (+ bias) for an fp32 or bfloat16 weight w [N, K].
void linearAny(const float *x, std::int64_t R, const at::Tensor &w, const float *bias, float *y)
{
    const std::int64_t N = w.size(0), K = w.size(1);
    if (w.scalar_type() == at::kBFloat16)
        kernels::linearBf16(x, R, K, K, reinterpret_cast<const std::uint16_t *>(w.data_ptr()), N, bias, y, N);
    else
        kernels::linear(x, R, K, K, w.data_ptr<float>(), N, bias, y, N);
}

// Row `id` of an fp32 or bfloat16 embedding [V, H], as fp32.
void embeddingRow(const at::Tensor &embed, std::int64_t id, float *out)
{
    const std::int64_t H = embed.size(1);
    if (embed.scalar_type() == at::kBFloat16) {
        const auto *row = reinterpret_cast<const std::uint16_t *>(embed.data_ptr()) + id * H;
        for (std::int64_t i = 0; i < H; ++i) {
            const std::uint32_t bits = static_cast<std::uint32_t>(row[i]) << 16;
            std::memcpy(out + i, &bits, sizeof(float));
        }
    } else {
        const float *row = embed.data_ptr<float>() + id * H;
        std::copy(row, row + H, out);
    }
}

// Each row's aspect weights for adapters with a preference block: row r of a
// forward belongs to sequence r / tokens; `weights` [B, K], or null for uniform.
struct RowPreference
{
    const float *weights = nullptr;
    std::int64_t tokens = 1;
};

void project(const Projection &p, const float *x, std::int64_t R, float *y, bool adapters,
             const RowPreference &preference)
{
    const std::int64_t N = p.weight.size(0), K = p.weight.size(1);
    linearAny(x, R, p.weight, ptr(p.bias), y);
    if (!adapters)
        return;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < p.outSizes.size(); ++i) {
        if (p.lora[i]) {
            const LoraAdapter &ad = *p.lora[i];
            const std::int64_t r = ad.a.size(0), out = p.outSizes[i];
            Buffer ax(R * r), delta(R * out);
            kernels::linear(x, R, K, K, ad.a.data_ptr<float>(), r, nullptr, ax.get(), r);
            if (ad.preferenceRank > 0) {   // the block [r - Kp, r) times s * w of the row's sequence
                const std::int64_t Kp = ad.preferenceRank;
                const float scale = ad.preferenceScale.item<float>();
                for (std::int64_t row = 0; row < R; ++row)
                    for (std::int64_t k = 0; k < Kp; ++k) {
                        const float w = preference.weights ? preference.weights[(row / preference.tokens) * Kp + k]
                                                           : 1.f / static_cast<float>(Kp);
                        ax.get()[row * r + r - Kp + k] *= scale * w;
                    }
            }
            kernels::linear(ax.get(), R, r, r, ad.b.data_ptr<float>(), out, nullptr, delta.get(), out);
            for (std::int64_t row = 0; row < R; ++row)
                kernels::axpy(out, static_cast<float>(ad.scaling), delta.get() + row * out, y + row * N + offset);
        }
        offset += p.outSizes[i];
    }
}

bool contiguousFloat(const at::Tensor &t)
{
    return !t.defined() || (t.scalar_type() == at::kFloat && t.is_contiguous());
}

// A base matrix the kernels read: fp32, or bfloat16 as stored (keepStoredBf16).
bool contiguousWeight(const at::Tensor &t)
{
    return contiguousFloat(t) || (t.scalar_type() == at::kBFloat16 && t.is_contiguous());
}

} // namespace

bool CausalLM::fastPath(std::int64_t batch, std::int64_t tokens) const
{
    // LoRA dropout is only drawn in training mode; the kernels have no dropout.
    return m_device.is_cpu() && m_dtype == at::kFloat && !at::GradMode::is_enabled() && !m_training
           && batch * tokens <= (tokens == 1 ? kFastRows : kFastPrefillRows);
}

bool CausalLM::fastForwardSupported(const KvCache *cache) const
{
    if (m_config.architecture == Architecture::Gpt2 || m_config.hiddenAct != "silu")
        return false;
    if (cache)
        for (std::size_t i = 0; i < cache->keys.size(); ++i)
            if (!contiguousFloat(cache->keys[i]) || !contiguousFloat(cache->values[i]))
                return false;
    bool ok = contiguousWeight(m_embed) && contiguousFloat(m_finalNormWeight) && contiguousFloat(m_ropeCos)
              && contiguousFloat(m_ropeSin);
    for (const auto &l : m_layers) {
        ok = ok && contiguousFloat(l.norm1Weight) && contiguousFloat(l.norm2Weight);
        for (const Projection *p : {&l.qkv, &l.out, &l.up, &l.down}) {
            ok = ok && contiguousWeight(p->weight) && contiguousFloat(p->bias);
            for (const auto &ad : p->lora)
                ok = ok && (!ad || (contiguousFloat(ad->a) && contiguousFloat(ad->b)));
        }
    }
    return ok;
}

at::Tensor CausalLM::forwardFast(const at::Tensor &ids, const at::Tensor &positions, KvCache *cache,
                                 const at::Tensor &keyValid, const at::Tensor &preference)
{
    const ModelConfig &c = m_config;
    const std::int64_t B = ids.size(0), T = ids.size(1), R = B * T;
    const std::int64_t H = c.hiddenSize, nh = c.numHeads, nkv = c.numKvHeads, d = c.headDim, g = nh / nkv;
    const std::int64_t inter = c.intermediateSize, qkvN = (nh + 2 * nkv) * d;
    const std::int64_t start = cache ? cache->length : 0, L = start + T;
    const float eps = static_cast<float>(c.normEps), scale = static_cast<float>(1.0 / std::sqrt(double(d)));
    const bool adapters = m_adaptersOn && !m_loraMerged;
    const at::Tensor prefC = preference.defined() ? preference.contiguous() : at::Tensor();
    const RowPreference rowPref{prefC.defined() ? prefC.data_ptr<float>() : nullptr, T};

    const at::Tensor idsC = ids.contiguous(), posC = positions.contiguous();
    const std::int64_t *idp = idsC.data_ptr<std::int64_t>(), *posp = posC.data_ptr<std::int64_t>();
    // Which slots each query sees: earlier (or same) slots holding real tokens, and
    // always itself, as the mask of forward().
    const at::Tensor validC = keyValid.contiguous();
    const bool *valid = validC.data_ptr<bool>();
    std::unique_ptr<bool[]> visible(new bool[static_cast<std::size_t>(R * L)]);
    for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t t = 0; t < T; ++t)
            for (std::int64_t l = 0; l < L; ++l)
                visible[(b * T + t) * L + l] = l == start + t || (l < start + t && valid[b * L + l]);
    // Attention starts at each sequence's first real slot: the left padding a batch
    // gives a sequence then changes nothing in its sums (the softmax adds its
    // terms in vector lanes counted from where it starts), so a sequence's
    // tokens do not depend on the other sequences of its batch.
    std::vector<std::int64_t> firstSlot(static_cast<std::size_t>(B), L);
    for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t l = 0; l < L; ++l)
            if (valid[b * L + l]) {
                firstSlot[static_cast<std::size_t>(b)] = l;
                break;
            }

    Buffer x(R * H), h(R * H), qkv(R * qkvN), attn(R * nh * d), tmp(R * std::max(H, inter)), gu(R * 2 * inter);
    for (std::int64_t r = 0; r < R; ++r)
        embeddingRow(m_embed, idp[r], x.get() + r * H);
    const float *ropeCos = m_ropeCos.data_ptr<float>(), *ropeSin = m_ropeSin.data_ptr<float>();

    // Without a cache, the T new keys and values of a layer live in a buffer
    // laid out like a cache of capacity T.
    const std::int64_t cap = cache ? cache->capacity : T;
    std::unique_ptr<Buffer> localK, localV;
    if (!cache) {
        localK = std::make_unique<Buffer>(B * nkv * T * d);
        localV = std::make_unique<Buffer>(B * nkv * T * d);
    }

    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const TransformerLayer &layer = m_layers[i];
        kernels::rmsNorm(x.get(), layer.norm1Weight.data_ptr<float>(), eps, R, H, h.get());
        project(layer.qkv, h.get(), R, qkv.get(), adapters, rowPref);
        float *kc = cache ? cache->keys[i].data_ptr<float>() : localK->get();
        float *vc = cache ? cache->values[i].data_ptr<float>() : localV->get();
        for (std::int64_t r = 0; r < R; ++r) {
            float *row = qkv.get() + r * qkvN;
            const std::int64_t pos = posp[r];
            // q and k are adjacent in the fused output: rotate both in one pass.
            kernels::rope(row, nh + nkv, d, ropeCos + pos * d, ropeSin + pos * d);
            const std::int64_t b = r / T, slot = start + r % T;
            for (std::int64_t kh = 0; kh < nkv; ++kh) {
                const std::int64_t dst = ((b * nkv + kh) * cap + slot) * d;
                std::copy(row + (nh + kh) * d, row + (nh + kh + 1) * d, kc + dst);
                std::copy(row + (nh + nkv + kh) * d, row + (nh + nkv + kh + 1) * d, vc + dst);
            }
        }
        // One task per (sequence, KV head): its g query heads share keys and values.
        kernels::parallelFor(B * nkv, 1, [&](std::int64_t begin, std::int64_t end) {
            Buffer scratch(g * L);
            for (std::int64_t task = begin; task < end; ++task) {
                const std::int64_t b = task / nkv, kh = task % nkv;
                const float *keys = kc + (b * nkv + kh) * cap * d, *values = vc + (b * nkv + kh) * cap * d;
                for (std::int64_t t = 0; t < T; ++t) {
                    const std::int64_t r = b * T + t;
                    // Query t sees slots from its sequence's first real one up to its own
                    // (a padding query only itself): no work on the causal future.
                    const std::int64_t f = std::min(firstSlot[static_cast<std::size_t>(b)], start + t);
                    kernels::attend(qkv.get() + r * qkvN + kh * g * d, g, d, keys + f * d, values + f * d,
                                    start + t + 1 - f, d, scale, visible.get() + r * L + f, g, scratch.get(),
                                    attn.get() + r * nh * d + kh * g * d, d);
                }
            }
        });
        project(layer.out, attn.get(), R, tmp.get(), adapters, rowPref);
        kernels::axpy(R * H, 1.f, tmp.get(), x.get());

        kernels::rmsNorm(x.get(), layer.norm2Weight.data_ptr<float>(), eps, R, H, h.get());
        project(layer.up, h.get(), R, gu.get(), adapters, rowPref);
        kernels::parallelFor(R, 1, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t r = begin; r < end; ++r)
                kernels::siluMul(gu.get() + r * 2 * inter, gu.get() + r * 2 * inter + inter, inter,
                                 tmp.get() + r * inter);
        });
        project(layer.down, tmp.get(), R, h.get(), adapters, rowPref);
        kernels::axpy(R * H, 1.f, h.get(), x.get());
    }

    at::Tensor out = at::empty({B, T, H}, at::TensorOptions().dtype(at::kFloat));
    kernels::rmsNorm(x.get(), m_finalNormWeight.data_ptr<float>(), eps, R, H, out.data_ptr<float>());
    return out;
}

at::Tensor CausalLM::logitsFast(const at::Tensor &hidden) const
{
    const at::Tensor h = hidden.contiguous();
    const at::Tensor head = outputHead();
    const std::int64_t H = m_config.hiddenSize, V = head.size(0), rows = h.numel() / H;
    std::vector<std::int64_t> shape(h.sizes().begin(), h.sizes().end());
    shape.back() = V;
    at::Tensor out = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    linearAny(h.data_ptr<float>(), rows, head, nullptr, out.data_ptr<float>());
    return out;
}

} // namespace awb
