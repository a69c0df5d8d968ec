#include "model/causal_lm.h"

#include "model/lora.h"
#include "model/stored_ops.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace awb {

namespace {

constexpr double kPi = 3.14159265358979323846;

} // namespace

// ---- Projection -----------------------------------------------------------------

bool Projection::hasLora() const
{
    for (const auto &l : lora)
        if (l)
            return true;
    return false;
}

at::Tensor Projection::forward(const at::Tensor &x, bool adaptersOn, bool training, const at::Tensor &preference) const
{
    at::Tensor y;
    if (weight.scalar_type() != x.scalar_type()) {
        // A frozen base held as stored (bfloat16): widened as it is read.
        y = storedLinear(x, weight);
        if (bias.defined())
            y = y + bias;
    } else if (x.numel() == x.size(-1)) {
        // One row (batch-1 decoding): OpenBLAS runs a 1-row GEMM several times
        // slower than the equivalent GEMV, so call GEMV directly.
        std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
        shape.back() = weight.size(0);
        y = at::mv(weight, x.reshape({-1}));
        if (bias.defined())
            y = y + bias;
        y = y.view(shape);
    } else {
        y = bias.defined() ? at::linear(x, weight, bias) : at::linear(x, weight);
    }
    if (!adaptersOn)
        return y;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < outSizes.size(); ++i) {
        if (lora[i]) {
            const LoraAdapter &ad = *lora[i];
            at::Tensor down = training && ad.dropout > 0.0 ? droppedLinear(x, ad.a, ad.dropout) : at::linear(x, ad.a);
            if (ad.preferenceRank > 0) {
                // The preference block: inner dimensions [r, r + K) times s * w_k of the row.
                const std::int64_t K = ad.preferenceRank, r = ad.a.size(0) - K;
                if (down.dim() != 3 || (preference.defined() && preference.size(0) != down.size(0)))
                    throw Error("model: a preference-conditioned adapter needs [B, T, in] inputs and one weight "
                                "vector per row");
                const at::Tensor w = preference.defined() ? preference : at::full({1, 1, K}, 1.0 / double(K), down.options());
                down = down * at::cat({at::ones({w.size(0), 1, r}, down.options()), w * ad.preferenceScale}, -1);
            }
            const at::Tensor delta = at::linear(down, ad.b).mul_(ad.scaling);
            // In place on a slice of y: the matrix product's backward needs its inputs, not y.
            y.narrow(-1, offset, outSizes[i]).add_(delta);
        }
        offset += outSizes[i];
    }
    return y;
}

// ---- KvCache --------------------------------------------------------------------

void KvCache::selectRows(const at::Tensor &index)
{
    const at::Tensor idx = index.to(keyValid.device(), at::kLong);
    for (auto &k : keys)
        k = k.index_select(0, idx);
    for (auto &v : values)
        v = v.index_select(0, idx);
    keyValid = keyValid.index_select(0, idx);
}

std::int64_t KvCache::bytes() const
{
    std::int64_t n = 0;
    for (const auto &k : keys)
        n += k.numel() * k.element_size();
    for (const auto &v : values)
        n += v.numel() * v.element_size();
    return n;
}

// ---- RoPE -----------------------------------------------------------------------

std::vector<double> ropeInverseFrequencies(const ModelConfig &c)
{
    const std::int64_t half = c.headDim / 2;
    std::vector<double> inv(static_cast<std::size_t>(half));
    for (std::int64_t i = 0; i < half; ++i)
        inv[i] = 1.0 / std::pow(c.ropeTheta, static_cast<double>(2 * i) / static_cast<double>(c.headDim));
    const RopeScaling &rs = c.ropeScaling;
    if (rs.type == "linear") {
        for (auto &f : inv)
            f /= rs.factor;
    } else if (rs.type == "llama3") {
        // transformers' _compute_llama3_parameters.
        const double lowWavelen = rs.originalMaxPositionEmbeddings / rs.lowFreqFactor;
        const double highWavelen = rs.originalMaxPositionEmbeddings / rs.highFreqFactor;
        for (auto &f : inv) {
            const double wavelen = 2.0 * kPi / f;
            if (wavelen > lowWavelen) {
                f = f / rs.factor;
            } else if (wavelen >= highWavelen) {
                const double smooth = (rs.originalMaxPositionEmbeddings / wavelen - rs.lowFreqFactor)
                                      / (rs.highFreqFactor - rs.lowFreqFactor);
                f = (1.0 - smooth) * f / rs.factor + smooth * f;
            }
        }
    }
    return inv;
}

void CausalLM::buildRope()
{
    if (m_config.architecture == Architecture::Gpt2)
        return;
    const auto inv = ropeInverseFrequencies(m_config);
    const at::Tensor invFreq = at::tensor(inv, at::kDouble);
    const at::Tensor pos = at::arange(m_config.maxPositionEmbeddings, at::kDouble);
    const at::Tensor freqs = at::outer(pos, invFreq);   // [P, d/2]
    const at::Tensor emb = at::cat({freqs, freqs}, -1);  // rotate_half layout
    const auto opts = at::TensorOptions().dtype(at::kFloat).device(m_device);
    m_ropeCos = emb.cos().to(opts);
    // The sign of rotate_half folded into the table: rotate_half(x) * sin equals
    // roll(x, d/2) * cat(-sin, sin).
    const at::Tensor sin = emb.sin();
    const std::int64_t half = m_config.headDim / 2;
    m_ropeSin = at::cat({-sin.narrow(1, 0, half), sin.narrow(1, half, half)}, 1).to(opts);
}

at::Tensor CausalLM::applyRope(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin) const
{
    // x [B, T, heads, d]; cos/sin [B, T, 1, d].
    const at::Tensor rolled = at::roll(x, {m_config.headDim / 2}, {-1});
    return at::addcmul(x * cos, rolled, sin);
}

// ---- forward --------------------------------------------------------------------

at::Tensor CausalLM::norm(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b) const
{
    if (m_config.architecture == Architecture::Gpt2)
        return at::layer_norm(x, {m_config.hiddenSize}, w, b, m_config.normEps);
    // LlamaRMSNorm: statistics in fp32, weight applied in the input dtype.
    const at::Tensor xf = x.scalar_type() == at::kFloat ? x : x.to(at::kFloat);
    const at::Tensor r = at::rsqrt(xf.pow(2).mean(-1, true).add_(m_config.normEps));
    const at::Tensor normed = xf * r;
    return w * (normed.scalar_type() == x.scalar_type() ? normed : normed.to(x.scalar_type()));
}

void CausalLM::validateIds(const at::Tensor &ids) const
{
    if (ids.dim() != 2)
        throw Error("model input: token ids must be a [batch, length] tensor");
    if (ids.numel() == 0)
        throw Error("model input: no tokens");
    const std::int64_t lo = ids.min().item<std::int64_t>();
    const std::int64_t hi = ids.max().item<std::int64_t>();
    if (lo < 0 || hi >= m_config.vocabSize)
        throw Error("model input: token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the vocabulary (0.."
                    + std::to_string(m_config.vocabSize - 1) + ")");
}

at::Tensor CausalLM::attention(const TransformerLayer &layer, std::size_t index, const at::Tensor &x,
                               const at::Tensor &cos, const at::Tensor &sin, const at::Tensor &mask, KvCache *cache,
                               const at::Tensor &preference)
{
    const std::int64_t B = x.size(0), T = x.size(1);
    const std::int64_t nh = m_config.numHeads, nkv = m_config.numKvHeads, d = m_config.headDim, g = nh / nkv;
    const bool lora = m_adaptersOn && !m_loraMerged;
    const at::Tensor qkv = layer.qkv.forward(x, lora, m_training, preference);   // [B, T, (nh + 2 nkv) d]

    at::Tensor q, k;
    if (m_ropeCos.defined()) {
        // q and k are adjacent in the fused output: rotate both in one pass.
        const at::Tensor qk = applyRope(qkv.narrow(-1, 0, (nh + nkv) * d).view({B, T, nh + nkv, d}), cos, sin);
        q = qk.narrow(2, 0, nh);
        k = qk.narrow(2, nh, nkv);
    } else {
        q = qkv.narrow(-1, 0, nh * d).view({B, T, nh, d});
        k = qkv.narrow(-1, nh * d, nkv * d).view({B, T, nkv, d});
    }
    at::Tensor v = qkv.narrow(-1, (nh + nkv) * d, nkv * d).view({B, T, nkv, d}).permute({0, 2, 1, 3});
    k = k.permute({0, 2, 1, 3});   // [B, nkv, T, d]
    // Head h uses KV head h / g, as transformers' repeat_kv: group the g query heads
    // of each KV head and their T positions into one matrix.
    q = q.view({B, T, nkv, g, d}).permute({0, 2, 3, 1, 4}).reshape({B, nkv, g * T, d}) * (1.0 / std::sqrt(double(d)));

    if (cache) {
        const std::int64_t start = cache->length;
        cache->keys[index].narrow(2, start, T).copy_(k);
        cache->values[index].narrow(2, start, T).copy_(v);
        k = cache->keys[index].narrow(2, 0, start + T);
        v = cache->values[index].narrow(2, 0, start + T);
    }
    const std::int64_t L = k.size(2);
    at::Tensor scores = at::matmul(q, k.transpose(-1, -2)).view({B, nkv, g, T, L});
    scores = scores + mask;   // [B, 1, 1, T, L]
    const at::Tensor probs = scores.scalar_type() == at::kFloat
                                 ? at::softmax(scores, -1)
                                 : at::softmax(scores, -1, at::kFloat).to(scores.scalar_type());
    const at::Tensor out = at::matmul(probs.view({B, nkv, g * T, L}), v)
                               .view({B, nkv, g, T, d})
                               .permute({0, 3, 1, 2, 4})
                               .reshape({B, T, nh * d});
    return layer.out.forward(out, lora, m_training, preference);
}

at::Tensor CausalLM::forward(const at::Tensor &idsIn, const at::Tensor &positionsIn, KvCache *cache,
                             const at::Tensor &newValidIn)
{
    validateIds(idsIn);
    const at::Tensor ids = idsIn.to(m_device, at::kLong);
    const at::Tensor positions = positionsIn.to(m_device, at::kLong);
    const std::int64_t B = ids.size(0), T = ids.size(1);
    if (positions.sizes() != ids.sizes())
        throw Error("model input: positions must have the shape of the ids");
    const std::int64_t maxPos = positions.max().item<std::int64_t>();
    if (maxPos >= m_config.maxPositionEmbeddings || positions.min().item<std::int64_t>() < 0)
        throw Error("model input: position " + std::to_string(maxPos) + " is beyond the model's context of "
                    + std::to_string(m_config.maxPositionEmbeddings) + " tokens");
    const std::int64_t start = cache ? cache->length : 0;
    if (cache) {
        if (cache->batchSize() != B)
            throw Error("model input: batch of " + std::to_string(B) + " sequences but the cache holds "
                        + std::to_string(cache->batchSize()));
        if (start + T > cache->capacity)
            throw Error("model input: " + std::to_string(start + T) + " positions exceed the cache capacity of "
                        + std::to_string(cache->capacity));
    }

    // Which keys each query may see: earlier (or same) slots that hold real tokens,
    // and always itself, so a padding query never has an empty softmax.
    const auto boolOpts = at::TensorOptions().dtype(at::kBool).device(m_device);
    const at::Tensor newValid = newValidIn.defined() ? newValidIn.to(m_device, at::kBool) : at::ones({B, T}, boolOpts);
    at::Tensor keyValid;
    if (cache) {
        cache->keyValid.narrow(1, start, T).copy_(newValid);
        keyValid = cache->keyValid.narrow(1, 0, start + T);
    } else {
        keyValid = newValid;
    }
    const bool lora = m_adaptersOn && !m_loraMerged;
    const at::Tensor preference = lora ? preferenceRows(B) : at::Tensor();
    if (fastPath(B, T) && fastForwardSupported(cache)) {
        at::Tensor out = forwardFast(ids, positions, cache, keyValid, preference);
        if (cache)
            cache->length += T;
        return out;
    }
    const std::int64_t L = start + T;
    const auto longOpts = at::TensorOptions().dtype(at::kLong).device(m_device);
    const at::Tensor qpos = at::arange(start, start + T, longOpts).unsqueeze(1);   // [T, 1]
    const at::Tensor kpos = at::arange(0, L, longOpts).unsqueeze(0);               // [1, L]
    const at::Tensor allowed = (kpos.le(qpos).unsqueeze(0) & keyValid.unsqueeze(1)) | kpos.eq(qpos).unsqueeze(0);
    const at::Tensor mask = at::zeros({B, T, L}, at::TensorOptions().dtype(m_dtype).device(m_device))
                                .masked_fill_(allowed.logical_not(), -std::numeric_limits<float>::infinity())
                                .view({B, 1, 1, T, L});

    at::Tensor x = at::embedding(m_embed, ids);
    if (x.scalar_type() != m_dtype)
        x = x.to(m_dtype);   // a bfloat16 base (keepStoredBf16)
    at::Tensor cos, sin;
    if (m_config.architecture == Architecture::Gpt2) {
        x = x + at::embedding(m_positions, positions).to(m_dtype);
    } else {
        const at::Tensor flat = positions.reshape({-1});
        cos = m_ropeCos.index_select(0, flat).view({B, T, 1, m_config.headDim}).to(m_dtype);
        sin = m_ropeSin.index_select(0, flat).view({B, T, 1, m_config.headDim}).to(m_dtype);
    }

    const std::int64_t inter = m_config.intermediateSize;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const TransformerLayer &layer = m_layers[i];
        x = x + attention(layer, i, norm(x, layer.norm1Weight, layer.norm1Bias), cos, sin, mask, cache, preference);
        const at::Tensor h = layer.up.forward(norm(x, layer.norm2Weight, layer.norm2Bias), lora, m_training, preference);
        at::Tensor act;
        if (m_config.architecture == Architecture::Gpt2) {
            if (m_config.hiddenAct == "relu")
                act = at::relu(h);
            else if (m_config.hiddenAct == "gelu")
                act = at::gelu(h);
            else
                act = at::gelu(h, "tanh");   // gelu_new and gelu_pytorch_tanh
        } else {
            act = siluGate(h, inter);
        }
        x = x + layer.down.forward(act, lora, m_training, preference);
    }
    if (cache)
        cache->length += T;
    return norm(x, m_finalNormWeight, m_finalNormBias);
}

at::Tensor CausalLM::outputHead() const
{
    return m_outputVocab > 0 ? m_lmHead.narrow(0, 0, m_outputVocab) : m_lmHead;
}

void CausalLM::setOutputVocab(std::int64_t n)
{
    m_outputVocab = n > 0 && n < m_lmHead.size(0) ? n : 0;
}

std::int64_t CausalLM::outputVocab() const
{
    return m_outputVocab > 0 ? m_outputVocab : m_lmHead.size(0);
}

at::Tensor CausalLM::logits(const at::Tensor &hidden) const
{
    const at::Tensor head = outputHead();   // the first rows of a contiguous matrix: still contiguous
    if (hidden.dim() > 0 && hidden.scalar_type() == at::kFloat && hidden.size(-1) == head.size(1)
        && fastPath(hidden.numel() / head.size(1), 1) && head.is_contiguous())
        return logitsFast(hidden);
    at::Tensor out;
    if (head.scalar_type() != hidden.scalar_type()) {
        out = storedLinear(hidden, head);
    } else if (hidden.numel() == hidden.size(-1)) {   // one row: GEMV, see Projection::forward
        std::vector<std::int64_t> shape(hidden.sizes().begin(), hidden.sizes().end());
        shape.back() = head.size(0);
        out = at::mv(head, hidden.reshape({-1})).view(shape);
    } else {
        out = at::linear(hidden, head);
    }
    return out.scalar_type() == at::kFloat ? out : out.to(at::kFloat);
}

at::Tensor CausalLM::tokenLogProbs(const at::Tensor &hidden, const at::Tensor &targets, double temperature,
                                   at::Tensor *entropy) const
{
    return awb::tokenLogProbs(hidden, outputHead(), targets, temperature, entropy);
}

KvCache CausalLM::makeCache(std::int64_t batch, std::int64_t capacity) const
{
    if (capacity > m_config.maxPositionEmbeddings)
        capacity = m_config.maxPositionEmbeddings;
    KvCache cache;
    cache.capacity = capacity;
    const auto opts = at::TensorOptions().dtype(m_dtype).device(m_device);
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        // Slots are written before they are read, so they need no initialisation.
        cache.keys.push_back(at::empty({batch, m_config.numKvHeads, capacity, m_config.headDim}, opts));
        cache.values.push_back(at::empty({batch, m_config.numKvHeads, capacity, m_config.headDim}, opts));
    }
    cache.keyValid = at::zeros({batch, capacity}, at::TensorOptions().dtype(at::kBool).device(m_device));
    return cache;
}

// ---- parameters -----------------------------------------------------------------

void CausalLM::forEachProjection(const std::function<void(Projection &)> &fn)
{
    for (auto &layer : m_layers)
        for (Projection *p : {&layer.qkv, &layer.out, &layer.up, &layer.down})
            fn(*p);
}

void CausalLM::forEachProjection(const std::function<void(const Projection &)> &fn) const
{
    for (const auto &layer : m_layers)
        for (const Projection *p : {&layer.qkv, &layer.out, &layer.up, &layer.down})
            fn(*p);
}

void CausalLM::setBaseTrainable(bool trainable)
{
    if (trainable && m_baseShared)
        throw Error("model: the base weights are shared with another model (one base in memory) and stay frozen");
    if (trainable && baseDtype() != m_dtype)
        throw Error("model: the base weights are held in bfloat16 as stored (a frozen base, LoRA or inference); "
                    "load them converted (frozen base \"float32\") to train them");
    std::vector<at::Tensor *> base = {&m_embed, &m_finalNormWeight, &m_finalNormBias, &m_positions, &m_lmHead};
    for (auto &layer : m_layers) {
        for (at::Tensor *t : {&layer.norm1Weight, &layer.norm1Bias, &layer.norm2Weight, &layer.norm2Bias})
            base.push_back(t);
        for (Projection *p : {&layer.qkv, &layer.out, &layer.up, &layer.down}) {
            base.push_back(&p->weight);
            base.push_back(&p->bias);
        }
    }
    // Only tensors that change are touched: a shared base another thread is reading stays unwritten.
    for (at::Tensor *t : base)
        if (t->defined() && t->requires_grad() != trainable)
            t->set_requires_grad(trainable);
}

NamedTensors CausalLM::trainableParameters() const
{
    // stateDict() returns views of fused weights; the optimiser needs the leaves.
    NamedTensors leaves;
    std::vector<const void *> seen;
    auto addLeaf = [&](const std::string &name, const at::Tensor &t) {
        if (!t.defined() || !t.requires_grad())
            return;
        for (const void *p : seen)
            if (p == t.unsafeGetTensorImpl())
                return;
        seen.push_back(t.unsafeGetTensorImpl());
        leaves.emplace_back(name, t);
    };
    addLeaf("embed", m_embed);
    addLeaf("positions", m_positions);
    addLeaf("lm_head", m_lmHead);
    addLeaf("final_norm.weight", m_finalNormWeight);
    addLeaf("final_norm.bias", m_finalNormBias);
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const auto &l = m_layers[i];
        const std::string p = "layers." + std::to_string(i) + ".";
        addLeaf(p + "norm1.weight", l.norm1Weight);
        addLeaf(p + "norm1.bias", l.norm1Bias);
        addLeaf(p + "norm2.weight", l.norm2Weight);
        addLeaf(p + "norm2.bias", l.norm2Bias);
        const std::pair<const char *, const Projection *> projs[] = {
            {"qkv", &l.qkv}, {"out", &l.out}, {"up", &l.up}, {"down", &l.down}};
        for (const auto &[pn, proj] : projs) {
            addLeaf(p + pn + ".weight", proj->weight);
            addLeaf(p + pn + ".bias", proj->bias);
            for (std::size_t k = 0; k < proj->lora.size(); ++k)
                if (proj->lora[k]) {
                    addLeaf(p + proj->partNames[k] + ".lora_A", proj->lora[k]->a);
                    addLeaf(p + proj->partNames[k] + ".lora_B", proj->lora[k]->b);
                    addLeaf(p + proj->partNames[k] + ".lora_preference_scale", proj->lora[k]->preferenceScale);
                }
        }
    }
    return leaves;
}

std::int64_t CausalLM::parameterCount() const
{
    std::int64_t n = m_embed.numel() + m_finalNormWeight.numel();
    if (m_finalNormBias.defined())
        n += m_finalNormBias.numel();
    if (m_positions.defined())
        n += m_positions.numel();
    if (!m_config.tieWordEmbeddings)
        n += m_lmHead.numel();
    for (const auto &l : m_layers) {
        for (const at::Tensor *t : {&l.norm1Weight, &l.norm1Bias, &l.norm2Weight, &l.norm2Bias})
            if (t->defined())
                n += t->numel();
        for (const Projection *p : {&l.qkv, &l.out, &l.up, &l.down})
            n += p->weight.numel() + (p->bias.defined() ? p->bias.numel() : 0);
    }
    return n;
}

CausalLM::~CausalLM() = default;

} // namespace awb
