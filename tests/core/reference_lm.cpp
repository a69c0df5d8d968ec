#include "core/reference_lm.h"

#include "io/safetensors.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

namespace awb::reference {

namespace {

constexpr double kPi = 3.14159265358979323846;

enum class Kind { Embedding, Matrix, Bias, NormWeight, NormBias };

struct WeightSpec
{
    std::string name;
    std::vector<std::int64_t> shape;
    Kind kind;
};

std::string layerPrefix(const ModelConfig &c, std::int64_t i)
{
    return (c.architecture == Architecture::Gpt2 ? "transformer.h." : "model.layers.") + std::to_string(i) + ".";
}

std::vector<WeightSpec> specs(const ModelConfig &c)
{
    const std::int64_t H = c.hiddenSize, V = c.vocabSize, I = c.intermediateSize;
    std::vector<WeightSpec> out;
    auto add = [&out](std::string name, std::vector<std::int64_t> shape, Kind kind) {
        out.push_back({std::move(name), std::move(shape), kind});
    };
    if (c.architecture == Architecture::Gpt2) {
        add("transformer.wte.weight", {V, H}, Kind::Embedding);
        add("transformer.wpe.weight", {c.maxPositionEmbeddings, H}, Kind::Embedding);
        for (std::int64_t i = 0; i < c.numLayers; ++i) {
            const std::string p = layerPrefix(c, i);
            add(p + "ln_1.weight", {H}, Kind::NormWeight);
            add(p + "ln_1.bias", {H}, Kind::NormBias);
            add(p + "attn.c_attn.weight", {H, 3 * H}, Kind::Matrix);   // Conv1D: [in, out]
            add(p + "attn.c_attn.bias", {3 * H}, Kind::Bias);
            add(p + "attn.c_proj.weight", {H, H}, Kind::Matrix);
            add(p + "attn.c_proj.bias", {H}, Kind::Bias);
            add(p + "ln_2.weight", {H}, Kind::NormWeight);
            add(p + "ln_2.bias", {H}, Kind::NormBias);
            add(p + "mlp.c_fc.weight", {H, I}, Kind::Matrix);
            add(p + "mlp.c_fc.bias", {I}, Kind::Bias);
            add(p + "mlp.c_proj.weight", {I, H}, Kind::Matrix);
            add(p + "mlp.c_proj.bias", {H}, Kind::Bias);
        }
        add("transformer.ln_f.weight", {H}, Kind::NormWeight);
        add("transformer.ln_f.bias", {H}, Kind::NormBias);
    } else {
        const std::int64_t qDim = c.numHeads * c.headDim, kvDim = c.numKvHeads * c.headDim;
        add("model.embed_tokens.weight", {V, H}, Kind::Embedding);
        for (std::int64_t i = 0; i < c.numLayers; ++i) {
            const std::string p = layerPrefix(c, i);
            // nn.Linear: weight [out, in]; module order of LlamaDecoderLayer.__init__.
            const std::pair<const char *, std::int64_t> qkv[] = {{"q_proj", qDim}, {"k_proj", kvDim}, {"v_proj", kvDim}};
            for (const auto &[proj, dim] : qkv) {
                add(p + "self_attn." + proj + ".weight", {dim, H}, Kind::Matrix);
                if (c.qkvBias)
                    add(p + "self_attn." + proj + ".bias", {dim}, Kind::Bias);
            }
            add(p + "self_attn.o_proj.weight", {H, qDim}, Kind::Matrix);
            if (c.outputBias)
                add(p + "self_attn.o_proj.bias", {H}, Kind::Bias);
            const std::tuple<const char *, std::int64_t, std::int64_t> mlp[] = {
                {"gate_proj", I, H}, {"up_proj", I, H}, {"down_proj", H, I}};
            for (const auto &[proj, outDim, inDim] : mlp) {
                add(p + "mlp." + proj + ".weight", {outDim, inDim}, Kind::Matrix);
                if (c.mlpBias)
                    add(p + "mlp." + proj + ".bias", {outDim}, Kind::Bias);
            }
            add(p + "input_layernorm.weight", {H}, Kind::NormWeight);
            add(p + "post_attention_layernorm.weight", {H}, Kind::NormWeight);
        }
        add("model.norm.weight", {H}, Kind::NormWeight);
    }
    if (!c.tieWordEmbeddings)
        add("lm_head.weight", {V, H}, Kind::Matrix);
    return out;
}

std::string shapeString(at::IntArrayRef shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// FNV-1a of the name, mixed with the seed: each tensor has its own stream, so
// toggling a bias leaves every other weight unchanged.
std::uint64_t tensorSeed(std::uint64_t seed, const std::string &name)
{
    std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
    for (unsigned char ch : name) {
        h ^= ch;
        h *= 1099511628211ULL;
    }
    return h;
}

// A weight as a row-major float64 matrix (vectors have one row).
struct Mat
{
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<double> v;

    double at(std::int64_t r, std::int64_t c) const { return v[static_cast<std::size_t>(r * cols + c)]; }
    std::vector<double> row(std::int64_t r) const
    {
        return std::vector<double>(v.begin() + r * cols, v.begin() + (r + 1) * cols);
    }
};

Mat toMat(const at::Tensor &t)
{
    const at::Tensor d = t.detach().to(at::kCPU).to(at::kDouble).contiguous();
    Mat m;
    m.rows = d.dim() == 2 ? d.size(0) : 1;
    m.cols = d.dim() == 2 ? d.size(1) : d.numel();
    m.v.assign(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    return m;
}

using Vec = std::vector<double>;

// nn.Linear: y = W x + b with W [out, in].
Vec linear(const Mat &w, const Mat *b, const Vec &x)
{
    Vec y(static_cast<std::size_t>(w.rows), 0.0);
    for (std::int64_t o = 0; o < w.rows; ++o) {
        double s = 0.0;
        for (std::int64_t i = 0; i < w.cols; ++i)
            s += w.at(o, i) * x[static_cast<std::size_t>(i)];
        y[static_cast<std::size_t>(o)] = s + (b ? b->v[static_cast<std::size_t>(o)] : 0.0);
    }
    return y;
}

// GPT-2's Conv1D: y = x W + b with W [in, out].
Vec conv1d(const Mat &w, const Mat &b, const Vec &x)
{
    Vec y(static_cast<std::size_t>(w.cols), 0.0);
    for (std::int64_t o = 0; o < w.cols; ++o) {
        double s = 0.0;
        for (std::int64_t i = 0; i < w.rows; ++i)
            s += x[static_cast<std::size_t>(i)] * w.at(i, o);
        y[static_cast<std::size_t>(o)] = s + b.v[static_cast<std::size_t>(o)];
    }
    return y;
}

Vec slice(const Vec &x, std::int64_t start, std::int64_t length)
{
    return Vec(x.begin() + start, x.begin() + start + length);
}

double dot(const Vec &a, const Vec &b)
{
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

// Causal attention of one head at query position t over keys 0..t:
// softmax(q k^T * scale) v, with the masked positions simply left out.
Vec attendOne(const Vec &q, const std::vector<Vec> &keys, const std::vector<Vec> &values, std::size_t t, double scale)
{
    std::vector<double> scores(t + 1);
    for (std::size_t s = 0; s <= t; ++s)
        scores[s] = dot(q, keys[s]) * scale;
    const double mx = *std::max_element(scores.begin(), scores.end());
    double sum = 0.0;
    for (double &s : scores) {
        s = std::exp(s - mx);
        sum += s;
    }
    Vec out(values[0].size(), 0.0);
    for (std::size_t s = 0; s <= t; ++s)
        for (std::size_t j = 0; j < out.size(); ++j)
            out[j] += scores[s] / sum * values[s][j];
    return out;
}

class Weights
{
public:
    explicit Weights(const RefModel &model)
    {
        const auto expected = specs(model.config);
        for (const auto &spec : expected) {
            const auto it = model.weights.find(spec.name);
            if (it == model.weights.end())
                throw Error("reference logits: missing weight \"" + spec.name + "\"");
            if (it->second.sizes() != at::IntArrayRef(spec.shape))
                throw Error("reference logits: weight \"" + spec.name + "\" has shape " + shapeString(it->second.sizes())
                            + ", expected " + shapeString(spec.shape));
            m_mats.emplace(spec.name, toMat(it->second));
        }
        for (const auto &[name, tensor] : model.weights)
            if (!m_mats.count(name))
                throw Error("reference logits: unexpected weight \"" + name + "\"");
    }

    const Mat &operator()(const std::string &name) const { return m_mats.at(name); }
    const Mat *optional(const std::string &name) const
    {
        const auto it = m_mats.find(name);
        return it == m_mats.end() ? nullptr : &it->second;
    }

private:
    std::map<std::string, Mat> m_mats;
};

std::vector<Vec> llamaHidden(const RefModel &model, const Weights &w, const std::vector<std::int64_t> &ids)
{
    const ModelConfig &c = model.config;
    const std::size_t T = ids.size();
    const std::int64_t hd = c.headDim, groups = c.numHeads / c.numKvHeads;
    const Vec invFreq = ropeInvFreq(c);
    std::vector<Vec> x(T);
    for (std::size_t t = 0; t < T; ++t)
        x[t] = w("model.embed_tokens.weight").row(ids[t]);

    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        const std::string p = layerPrefix(c, l);
        const std::string a = p + "self_attn.";
        // q[t][h], k[t][g], v[t][g]: per-head vectors, q and k rotated at position t.
        std::vector<std::vector<Vec>> q(T), k(T), v(T);
        for (std::size_t t = 0; t < T; ++t) {
            const Vec n = rmsNorm(x[t], w(p + "input_layernorm.weight").v, c.normEps);
            const Vec qAll = linear(w(a + "q_proj.weight"), w.optional(a + "q_proj.bias"), n);
            const Vec kAll = linear(w(a + "k_proj.weight"), w.optional(a + "k_proj.bias"), n);
            const Vec vAll = linear(w(a + "v_proj.weight"), w.optional(a + "v_proj.bias"), n);
            for (std::int64_t h = 0; h < c.numHeads; ++h)
                q[t].push_back(applyRope(slice(qAll, h * hd, hd), static_cast<std::int64_t>(t), invFreq));
            for (std::int64_t g = 0; g < c.numKvHeads; ++g) {
                k[t].push_back(applyRope(slice(kAll, g * hd, hd), static_cast<std::int64_t>(t), invFreq));
                v[t].push_back(slice(vAll, g * hd, hd));
            }
        }
        for (std::size_t t = 0; t < T; ++t) {
            Vec merged;
            for (std::int64_t h = 0; h < c.numHeads; ++h) {
                // repeat_kv: head h reads KV head h / (heads / kv heads).
                const std::int64_t g = h / groups;
                std::vector<Vec> keys, values;
                for (std::size_t s = 0; s <= t; ++s) {
                    keys.push_back(k[s][static_cast<std::size_t>(g)]);
                    values.push_back(v[s][static_cast<std::size_t>(g)]);
                }
                const Vec o = attendOne(q[t][static_cast<std::size_t>(h)], keys, values, t,
                                        1.0 / std::sqrt(static_cast<double>(hd)));
                merged.insert(merged.end(), o.begin(), o.end());
            }
            const Vec attnOut = linear(w(a + "o_proj.weight"), w.optional(a + "o_proj.bias"), merged);
            for (std::size_t j = 0; j < attnOut.size(); ++j)
                x[t][j] += attnOut[j];
        }
        const std::string m = p + "mlp.";
        for (std::size_t t = 0; t < T; ++t) {
            const Vec n = rmsNorm(x[t], w(p + "post_attention_layernorm.weight").v, c.normEps);
            Vec gate = linear(w(m + "gate_proj.weight"), w.optional(m + "gate_proj.bias"), n);
            const Vec up = linear(w(m + "up_proj.weight"), w.optional(m + "up_proj.bias"), n);
            for (std::size_t j = 0; j < gate.size(); ++j)
                gate[j] = activation(c.hiddenAct, gate[j]) * up[j];
            const Vec down = linear(w(m + "down_proj.weight"), w.optional(m + "down_proj.bias"), gate);
            for (std::size_t j = 0; j < down.size(); ++j)
                x[t][j] += down[j];
        }
    }
    for (std::size_t t = 0; t < T; ++t)
        x[t] = rmsNorm(x[t], w("model.norm.weight").v, c.normEps);
    return x;
}

std::vector<Vec> gpt2Hidden(const RefModel &model, const Weights &w, const std::vector<std::int64_t> &ids)
{
    const ModelConfig &c = model.config;
    const std::size_t T = ids.size();
    const std::int64_t H = c.hiddenSize, hd = H / c.numHeads;
    if (static_cast<std::int64_t>(T) > c.maxPositionEmbeddings)
        throw Error("reference logits: " + std::to_string(T) + " tokens exceed n_positions "
                    + std::to_string(c.maxPositionEmbeddings));
    std::vector<Vec> x(T);
    for (std::size_t t = 0; t < T; ++t) {
        x[t] = w("transformer.wte.weight").row(ids[t]);
        const Vec pos = w("transformer.wpe.weight").row(static_cast<std::int64_t>(t));
        for (std::int64_t j = 0; j < H; ++j)
            x[t][static_cast<std::size_t>(j)] += pos[static_cast<std::size_t>(j)];
    }
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        const std::string p = layerPrefix(c, l);
        std::vector<Vec> qkv(T);
        for (std::size_t t = 0; t < T; ++t) {
            const Vec n = layerNorm(x[t], w(p + "ln_1.weight").v, w(p + "ln_1.bias").v, c.normEps);
            qkv[t] = conv1d(w(p + "attn.c_attn.weight"), w(p + "attn.c_attn.bias"), n);   // [q | k | v]
        }
        for (std::size_t t = 0; t < T; ++t) {
            Vec merged;
            for (std::int64_t h = 0; h < c.numHeads; ++h) {
                std::vector<Vec> keys, values;
                for (std::size_t s = 0; s <= t; ++s) {
                    keys.push_back(slice(qkv[s], H + h * hd, hd));
                    values.push_back(slice(qkv[s], 2 * H + h * hd, hd));
                }
                const Vec o = attendOne(slice(qkv[t], h * hd, hd), keys, values, t,
                                        1.0 / std::sqrt(static_cast<double>(hd)));
                merged.insert(merged.end(), o.begin(), o.end());
            }
            const Vec attnOut = conv1d(w(p + "attn.c_proj.weight"), w(p + "attn.c_proj.bias"), merged);
            for (std::size_t j = 0; j < attnOut.size(); ++j)
                x[t][j] += attnOut[j];
        }
        for (std::size_t t = 0; t < T; ++t) {
            const Vec n = layerNorm(x[t], w(p + "ln_2.weight").v, w(p + "ln_2.bias").v, c.normEps);
            Vec f = conv1d(w(p + "mlp.c_fc.weight"), w(p + "mlp.c_fc.bias"), n);
            for (double &e : f)
                e = activation(c.hiddenAct, e);
            const Vec out = conv1d(w(p + "mlp.c_proj.weight"), w(p + "mlp.c_proj.bias"), f);
            for (std::size_t j = 0; j < out.size(); ++j)
                x[t][j] += out[j];
        }
    }
    for (std::size_t t = 0; t < T; ++t)
        x[t] = layerNorm(x[t], w("transformer.ln_f.weight").v, w("transformer.ln_f.bias").v, c.normEps);
    return x;
}

} // namespace

std::vector<std::pair<std::string, std::vector<std::int64_t>>> weightShapes(const ModelConfig &config)
{
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> out;
    for (auto &spec : specs(config))
        out.emplace_back(spec.name, spec.shape);
    return out;
}

ModelConfig tinyConfig(Architecture arch)
{
    ModelConfig c;
    c.architecture = arch;
    c.modelType = architectureName(arch);
    c.vocabSize = 101;
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = arch == Architecture::Gpt2 ? 4 : 2;
    c.headDim = 8;
    c.maxPositionEmbeddings = 64;
    c.bosTokenIds = {1};
    c.eosTokenIds = {2};
    if (arch == Architecture::Gpt2) {
        c.intermediateSize = 128;
        c.normEps = 1e-5;
        c.hiddenAct = "gelu_new";
        c.tieWordEmbeddings = true;
        c.qkvBias = c.outputBias = c.mlpBias = true;
    } else {
        c.intermediateSize = 64;
        c.normEps = 1e-6;
        c.ropeTheta = arch == Architecture::Qwen2 ? 1000000.0 : 10000.0;
        c.hiddenAct = "silu";
        c.tieWordEmbeddings = false;
        c.qkvBias = arch == Architecture::Qwen2;
        c.outputBias = c.mlpBias = false;
    }
    return c;
}

RefModel randomModel(const ModelConfig &config, std::uint64_t seed, const RandomOptions &options)
{
    RefModel model;
    model.config = config;
    for (const auto &spec : specs(config)) {
        std::mt19937_64 gen(tensorSeed(seed, spec.name));
        std::normal_distribution<double> normal(0.0, 1.0);
        const at::Tensor t = at::empty(spec.shape, at::TensorOptions().dtype(at::kDouble));
        double *data = t.data_ptr<double>();
        for (std::int64_t i = 0; i < t.numel(); ++i) {
            const double z = normal(gen);
            switch (spec.kind) {
            case Kind::Embedding: data[i] = options.embeddingStd * z; break;
            case Kind::Matrix: data[i] = options.weightStd * z; break;
            case Kind::Bias: data[i] = options.biasStd * z; break;
            case Kind::NormWeight: data[i] = 1.0 + options.normNoise * z; break;
            case Kind::NormBias: data[i] = options.normNoise * z; break;
            }
        }
        model.weights[spec.name] = t.to(options.dtype);
    }
    return model;
}

std::vector<std::pair<std::string, at::Tensor>> checkpointTensors(const RefModel &model, const SaveOptions &options)
{
    const ModelConfig &c = model.config;
    const bool gpt2 = c.architecture == Architecture::Gpt2;
    std::vector<std::pair<std::string, at::Tensor>> out;
    auto name = [&](const std::string &canonical) {
        const std::string prefix = "transformer.";
        if (gpt2 && options.gpt2DropPrefix && canonical.compare(0, prefix.size(), prefix) == 0)
            return canonical.substr(prefix.size());
        return canonical;
    };
    for (const auto &spec : specs(c)) {
        const auto it = model.weights.find(spec.name);
        if (it == model.weights.end())
            throw Error("reference save: missing weight \"" + spec.name + "\"");
        out.emplace_back(name(spec.name), it->second);
        // The buffers follow each block's attention weights, as in the original files.
        if (gpt2 && spec.name.find(".attn.c_proj.bias") != std::string::npos) {
            const std::string block = spec.name.substr(0, spec.name.size() - std::string("c_proj.bias").size());
            const std::int64_t P = c.maxPositionEmbeddings;
            if (options.gpt2MaskBuffer != MaskBuffer::None) {
                at::Tensor mask = at::tril(at::ones({P, P}, at::kFloat)).view({1, 1, P, P});
                if (options.gpt2MaskBuffer == MaskBuffer::Bool)
                    mask = mask.to(at::kBool);
                else if (options.gpt2MaskBuffer == MaskBuffer::UInt8)
                    mask = mask.to(at::kByte);
                out.emplace_back(name(block + "bias"), mask);
            }
            if (options.gpt2MaskedBias)
                out.emplace_back(name(block + "masked_bias"), at::full({}, -1e4, at::kFloat));
        }
    }
    if (c.tieWordEmbeddings && options.includeTiedLmHead)
        out.emplace_back("lm_head.weight",
                         model.weights.at(gpt2 ? "transformer.wte.weight" : "model.embed_tokens.weight").clone());
    return out;
}

void saveModelFolder(const RefModel &model, const std::string &dir, const SaveOptions &options)
{
    saveModelConfig(dir, model.config);
    saveCheckpoint(dir, checkpointTensors(model, options), options.maxShardBytes);
}

RefModel loadModelFolder(const std::string &dir)
{
    RefModel model;
    model.config = loadModelConfig(dir);
    const ModelConfig &c = model.config;
    const bool gpt2 = c.architecture == Architecture::Gpt2;
    const Checkpoint checkpoint = Checkpoint::open(dir);
    auto endsWith = [](const std::string &s, const std::string &suffix) {
        return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    for (const std::string &stored : checkpoint.names()) {
        std::string canonical = stored;
        if (gpt2 && canonical.rfind("transformer.", 0) != 0 && canonical.rfind("lm_head.", 0) != 0)
            canonical = "transformer." + canonical;
        if (gpt2 && (endsWith(canonical, ".attn.bias") || endsWith(canonical, ".attn.masked_bias")))
            continue;
        if (!gpt2 && endsWith(canonical, "rotary_emb.inv_freq"))
            continue;
        if (c.tieWordEmbeddings && canonical == "lm_head.weight")
            continue;
        model.weights[canonical] = checkpoint.tensor(stored).clone();
    }
    for (const auto &spec : specs(c)) {
        const auto it = model.weights.find(spec.name);
        if (it == model.weights.end())
            throw Error(dir + ": missing tensor \"" + spec.name + "\"");
        if (it->second.sizes() != at::IntArrayRef(spec.shape))
            throw Error(dir + ": tensor \"" + spec.name + "\" has shape " + shapeString(it->second.sizes())
                        + ", expected " + shapeString(spec.shape));
    }
    return model;
}

at::Tensor logits(const RefModel &model, const std::vector<std::int64_t> &ids)
{
    const ModelConfig &c = model.config;
    const Weights w(model);
    for (std::size_t t = 0; t < ids.size(); ++t)
        if (ids[t] < 0 || ids[t] >= c.vocabSize)
            throw Error("reference logits: token " + std::to_string(ids[t]) + " at position " + std::to_string(t)
                        + " is outside the vocabulary of " + std::to_string(c.vocabSize));
    const bool gpt2 = c.architecture == Architecture::Gpt2;
    const std::vector<Vec> hidden = gpt2 ? gpt2Hidden(model, w, ids) : llamaHidden(model, w, ids);
    const Mat &head = c.tieWordEmbeddings ? w(gpt2 ? "transformer.wte.weight" : "model.embed_tokens.weight")
                                          : w("lm_head.weight");
    at::Tensor out = at::empty({static_cast<std::int64_t>(ids.size()), c.vocabSize}, at::kDouble);
    double *data = out.data_ptr<double>();
    for (std::size_t t = 0; t < hidden.size(); ++t) {
        const Vec row = linear(head, nullptr, hidden[t]);
        std::copy(row.begin(), row.end(), data + t * row.size());
    }
    return out.to(at::kFloat);
}

std::vector<double> ropeInvFreq(const ModelConfig &c)
{
    const std::int64_t dim = c.headDim;
    std::vector<double> inv;
    for (std::int64_t i = 0; i < dim; i += 2)
        inv.push_back(1.0 / std::pow(c.ropeTheta, static_cast<double>(i) / static_cast<double>(dim)));
    const RopeScaling &rs = c.ropeScaling;
    if (rs.type == "linear") {
        for (double &f : inv)
            f /= rs.factor;
    } else if (rs.type == "llama3") {
        const double oldContext = static_cast<double>(rs.originalMaxPositionEmbeddings);
        const double lowFreqWavelen = oldContext / rs.lowFreqFactor;
        const double highFreqWavelen = oldContext / rs.highFreqFactor;
        for (double &f : inv) {
            const double wavelen = 2.0 * kPi / f;
            if (wavelen < highFreqWavelen)
                continue;                       // high frequency: unchanged
            if (wavelen > lowFreqWavelen) {
                f /= rs.factor;                 // low frequency: interpolated fully
                continue;
            }
            const double smooth = (oldContext / wavelen - rs.lowFreqFactor) / (rs.highFreqFactor - rs.lowFreqFactor);
            f = (1.0 - smooth) * f / rs.factor + smooth * f;
        }
    } else if (rs.type != "default") {
        throw Error("reference: rope scaling \"" + rs.type + "\" is not implemented");
    }
    return inv;
}

std::vector<double> applyRope(const std::vector<double> &x, std::int64_t position, const std::vector<double> &invFreq)
{
    const std::size_t d = x.size(), half = d / 2;
    if (d != 2 * invFreq.size())
        throw Error("reference rope: vector of " + std::to_string(d) + " needs " + std::to_string(d / 2)
                    + " frequencies, got " + std::to_string(invFreq.size()));
    std::vector<double> cosv(d), sinv(d), rotated(d), out(d);
    for (std::size_t i = 0; i < d; ++i) {
        const double angle = static_cast<double>(position) * invFreq[i % half];   // emb = cat(freqs, freqs)
        cosv[i] = std::cos(angle);
        sinv[i] = std::sin(angle);
        rotated[i] = i < half ? -x[i + half] : x[i - half];                      // rotate_half: cat(-x2, x1)
    }
    for (std::size_t i = 0; i < d; ++i)
        out[i] = x[i] * cosv[i] + rotated[i] * sinv[i];
    return out;
}

std::vector<double> rmsNorm(const std::vector<double> &x, const std::vector<double> &weight, double eps)
{
    double meanSquare = 0.0;
    for (double e : x)
        meanSquare += e * e;
    meanSquare /= static_cast<double>(x.size());
    const double scale = 1.0 / std::sqrt(meanSquare + eps);
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        out[i] = weight[i] * (x[i] * scale);
    return out;
}

std::vector<double> layerNorm(const std::vector<double> &x, const std::vector<double> &weight,
                              const std::vector<double> &bias, double eps)
{
    const double n = static_cast<double>(x.size());
    double mean = 0.0;
    for (double e : x)
        mean += e;
    mean /= n;
    double var = 0.0;   // biased, as nn.LayerNorm
    for (double e : x)
        var += (e - mean) * (e - mean);
    var /= n;
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        out[i] = (x[i] - mean) / std::sqrt(var + eps) * weight[i] + bias[i];
    return out;
}

double activation(const std::string &name, double x)
{
    if (name == "silu")
        return x / (1.0 + std::exp(-x));
    if (name == "gelu_new" || name == "gelu_pytorch_tanh")
        return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
    if (name == "gelu")
        return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    if (name == "relu")
        return x > 0.0 ? x : 0.0;
    throw Error("reference: activation \"" + name + "\" is not implemented");
}

} // namespace awb::reference
