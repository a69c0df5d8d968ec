// Loading and saving CausalLM weights under transformers' tensor names.
#include "model/causal_lm.h"

#include "io/mapped_file.h"
#include "io/model_config.h"
#include "model/lora.h"
#include "model/weight_arena.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::string shapeText(at::IntArrayRef shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Hugging Face names of one layer's tensors, per family.
struct LayerNames
{
    std::string norm1, norm1Bias, norm2, norm2Bias;
    std::vector<std::string> qkv, qkvBias;   // three names (Llama) or one fused Conv1D (GPT-2)
    std::string out, outBias;
    std::vector<std::string> up, upBias;     // gate+up (Llama) or c_fc (GPT-2)
    std::string down, downBias;
};

LayerNames layerNames(const ModelConfig &c, std::size_t i, const std::string &gptPrefix)
{
    LayerNames n;
    if (c.architecture == Architecture::Gpt2) {
        const std::string p = gptPrefix + "h." + std::to_string(i) + ".";
        n.norm1 = p + "ln_1.weight";
        n.norm1Bias = p + "ln_1.bias";
        n.norm2 = p + "ln_2.weight";
        n.norm2Bias = p + "ln_2.bias";
        n.qkv = {p + "attn.c_attn.weight"};
        n.qkvBias = {p + "attn.c_attn.bias"};
        n.out = p + "attn.c_proj.weight";
        n.outBias = p + "attn.c_proj.bias";
        n.up = {p + "mlp.c_fc.weight"};
        n.upBias = {p + "mlp.c_fc.bias"};
        n.down = p + "mlp.c_proj.weight";
        n.downBias = p + "mlp.c_proj.bias";
        return n;
    }
    const std::string p = "model.layers." + std::to_string(i) + ".";
    n.norm1 = p + "input_layernorm.weight";
    n.norm2 = p + "post_attention_layernorm.weight";
    for (const char *m : {"q_proj", "k_proj", "v_proj"}) {
        n.qkv.push_back(p + "self_attn." + m + ".weight");
        if (c.qkvBias)
            n.qkvBias.push_back(p + "self_attn." + m + ".bias");
    }
    n.out = p + "self_attn.o_proj.weight";
    if (c.outputBias)
        n.outBias = p + "self_attn.o_proj.bias";
    for (const char *m : {"gate_proj", "up_proj"}) {
        n.up.push_back(p + "mlp." + m + ".weight");
        if (c.mlpBias)
            n.upBias.push_back(p + "mlp." + m + ".bias");
    }
    n.down = p + "mlp.down_proj.weight";
    if (c.mlpBias)
        n.downBias = p + "mlp.down_proj.bias";
    return n;
}

std::vector<std::string> partNames(const ModelConfig &c, const char *which)
{
    const bool gpt = c.architecture == Architecture::Gpt2;
    const std::string w = which;
    if (w == "qkv")
        return gpt ? std::vector<std::string>{"attn.c_attn"} : std::vector<std::string>{"q_proj", "k_proj", "v_proj"};
    if (w == "out")
        return {gpt ? "attn.c_proj" : "o_proj"};
    if (w == "up")
        return gpt ? std::vector<std::string>{"mlp.c_fc"} : std::vector<std::string>{"gate_proj", "up_proj"};
    return {gpt ? "mlp.c_proj" : "down_proj"};
}

std::vector<std::int64_t> partSizes(const ModelConfig &c, const char *which)
{
    const std::string w = which;
    const std::int64_t q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
    const bool gpt = c.architecture == Architecture::Gpt2;
    if (w == "qkv")
        return gpt ? std::vector<std::int64_t>{q + 2 * kv} : std::vector<std::int64_t>{q, kv, kv};
    if (w == "out")
        return {c.hiddenSize};
    if (w == "up")
        return gpt ? std::vector<std::int64_t>{c.intermediateSize}
                   : std::vector<std::int64_t>{c.intermediateSize, c.intermediateSize};
    return {c.hiddenSize};
}

std::int64_t projectionInput(const ModelConfig &c, const char *which)
{
    const std::string w = which;
    if (w == "out")
        return c.numHeads * c.headDim;
    if (w == "down")
        return c.intermediateSize;
    return c.hiddenSize;
}

} // namespace

// Fetches tensors from a checkpoint with shape checks and remembers which
// names were used, so anything left over can be reported.
struct CausalLMLoader
{
    const Checkpoint &cp;
    const at::TensorOptions options;
    std::set<std::string> used;
    bool keepBf16 = false;   // LoadOptions::keepStoredBf16, where it applies

    // A base matrix (projection, embedding, head): kept as stored when it is
    // bfloat16 and keepBf16 is set.
    at::Tensor getBase(const std::string &name, std::vector<std::int64_t> shape, bool conv1d = false)
    {
        if (keepBf16 && cp.contains(name) && cp.entry(name).dtype == SafetensorsDtype::BF16)
            return get(name, std::move(shape), conv1d, at::kBFloat16);
        return get(name, std::move(shape), conv1d);
    }

    at::Tensor get(const std::string &name, std::vector<std::int64_t> shape, bool conv1d = false,
                   c10::ScalarType keep = c10::ScalarType::Undefined)
    {
        if (!cp.contains(name))
            throw FormatError(cp.files().front() + ": tensor \"" + name + "\" is missing (the config.json describes "
                              + "a model that needs it)");
        const SafetensorsEntry &e = cp.entry(name);
        // GPT-2's Conv1D stores [in, out]; we keep the Linear layout [out, in].
        std::vector<std::int64_t> stored = shape;
        if (conv1d)
            std::swap(stored[0], stored[1]);
        if (e.shape != stored)
            throw FormatError(cp.fileOf(name) + ": tensor \"" + name + "\" has shape " + shapeText(e.shape)
                              + " but config.json implies " + shapeText(stored));
        if (e.dtype != SafetensorsDtype::F32 && e.dtype != SafetensorsDtype::F16 && e.dtype != SafetensorsDtype::BF16
            && e.dtype != SafetensorsDtype::F64)
            throw FormatError(cp.fileOf(name) + ": tensor \"" + name + "\" is " + dtypeName(e.dtype)
                              + ", not a floating-point type");
        used.insert(name);
        at::Tensor t = cp.tensor(name);
        if (conv1d)
            t = t.t();
        // A CPU fp32 tensor that is already contiguous keeps borrowing the mapping.
        at::Tensor out = t.to(keep == c10::ScalarType::Undefined ? options : options.dtype(keep)).contiguous();
        if (!out.is_same(t))
            release(t);
        return out;
    }

    // The file pages of a tensor read from the checkpoint whose bytes were
    // copied away (a conversion, a concatenation): see MappedFile::releasePages.
    static void release(const at::Tensor &borrowed)
    {
        if (borrowed.defined() && borrowed.device().is_cpu())
            MappedFile::releasePages(borrowed.storage().data(), borrowed.storage().nbytes());
    }

    Projection projection(const ModelConfig &c, const char *which, const std::vector<std::string> &weights,
                          const std::vector<std::string> &biases, bool conv1d)
    {
        Projection p;
        p.partNames = partNames(c, which);
        p.outSizes = partSizes(c, which);
        p.lora.resize(p.partNames.size());
        const std::int64_t in = projectionInput(c, which);
        std::vector<at::Tensor> ws, bs;
        for (std::size_t i = 0; i < weights.size(); ++i)
            ws.push_back(getBase(weights[i], {p.outSizes[i], in}, conv1d));
        for (std::size_t i = 0; i < biases.size(); ++i)
            if (!biases[i].empty())
                bs.push_back(get(biases[i], {p.outSizes[i]}));
        p.weight = ws.size() == 1 ? ws[0] : at::cat(ws, 0);
        if (ws.size() > 1)
            for (const at::Tensor &w : ws)
                release(w);
        if (!bs.empty())
            p.bias = bs.size() == 1 ? bs[0] : at::cat(bs, 0);
        return p;
    }

    // CPU weights into one huge-page block in the order a forward pass reads
    // them (see weight_arena.h): batch-1 decoding streams them at a higher rate.
    static void moveWeights(CausalLM &m)
    {
        std::vector<at::Tensor *> order;
        for (auto &l : m.m_layers) {
            order.insert(order.end(), {&l.norm1Weight, &l.norm1Bias});
            for (Projection *p : {&l.qkv, &l.out})
                order.insert(order.end(), {&p->weight, &p->bias});
            order.insert(order.end(), {&l.norm2Weight, &l.norm2Bias});
            for (Projection *p : {&l.up, &l.down})
                order.insert(order.end(), {&p->weight, &p->bias});
        }
        order.insert(order.end(), {&m.m_finalNormWeight, &m.m_finalNormBias, &m.m_lmHead, &m.m_embed, &m.m_positions});
        moveToWeightArena(order);
    }
};

CausalLM::LoadOptions loadOptionsFor(const Runtime &runtime, bool frozenBase)
{
    CausalLM::LoadOptions lo;
    lo.device = runtime.device;
    lo.dtype = runtime.dtype;
    lo.keepStoredBf16 = frozenBase && runtime.keepStoredBf16;
    return lo;
}

std::unique_ptr<CausalLM> CausalLM::load(const std::string &dir)
{
    return load(dir, LoadOptions{});
}

std::unique_ptr<CausalLM> CausalLM::load(const std::string &dir, const LoadOptions &options)
{
    std::unique_ptr<CausalLM> m(new CausalLM());
    m->m_config = loadModelConfig(dir);
    m->m_device = options.device;
    m->m_dtype = options.dtype;
    const ModelConfig &c = m->m_config;
    const Checkpoint cp = Checkpoint::open(dir);
    CausalLMLoader loader{cp, at::TensorOptions().dtype(options.dtype).device(options.device), {}};
    // Kept as stored only where the kernels and storedLinear widen it: fp32 compute on the CPU.
    loader.keepBf16 = options.keepStoredBf16 && options.dtype == at::kFloat && options.device.is_cpu();

    const bool gpt = c.architecture == Architecture::Gpt2;
    std::string prefix;
    if (gpt) {
        if (cp.contains("transformer.wte.weight"))
            prefix = "transformer.";
        else if (!cp.contains("wte.weight"))
            throw FormatError(cp.files().front() + ": tensor \"transformer.wte.weight\" is missing (this is not a "
                                                   "GPT-2 checkpoint)");
        m->m_embed = loader.getBase(prefix + "wte.weight", {c.vocabSize, c.hiddenSize});
        m->m_positions = loader.get(prefix + "wpe.weight", {c.maxPositionEmbeddings, c.hiddenSize});
        m->m_finalNormWeight = loader.get(prefix + "ln_f.weight", {c.hiddenSize});
        m->m_finalNormBias = loader.get(prefix + "ln_f.bias", {c.hiddenSize});
    } else {
        m->m_embed = loader.getBase("model.embed_tokens.weight", {c.vocabSize, c.hiddenSize});
        m->m_finalNormWeight = loader.get("model.norm.weight", {c.hiddenSize});
    }
    if (c.tieWordEmbeddings)
        m->m_lmHead = m->m_embed;
    else
        m->m_lmHead = loader.getBase("lm_head.weight", {c.vocabSize, c.hiddenSize});

    for (std::int64_t i = 0; i < c.numLayers; ++i) {
        const LayerNames n = layerNames(c, static_cast<std::size_t>(i), prefix);
        TransformerLayer layer;
        layer.norm1Weight = loader.get(n.norm1, {c.hiddenSize});
        layer.norm2Weight = loader.get(n.norm2, {c.hiddenSize});
        if (gpt) {
            layer.norm1Bias = loader.get(n.norm1Bias, {c.hiddenSize});
            layer.norm2Bias = loader.get(n.norm2Bias, {c.hiddenSize});
        }
        layer.qkv = loader.projection(c, "qkv", n.qkv, n.qkvBias, gpt);
        layer.out = loader.projection(c, "out", {n.out}, {n.outBias}, gpt);
        layer.up = loader.projection(c, "up", n.up, n.upBias, gpt);
        layer.down = loader.projection(c, "down", {n.down}, {n.downBias}, gpt);
        m->m_layers.push_back(std::move(layer));
    }

    // Anything else in the checkpoint is an error, except buffers transformers
    // itself ignores: GPT-2's causal-mask buffers, old rotary inv_freq buffers,
    // and a saved lm_head when the head is tied.
    static const std::regex ignorable(
        R"(^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$|^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$)");
    for (const auto &name : cp.names()) {
        if (loader.used.count(name) || std::regex_match(name, ignorable))
            continue;
        if (c.tieWordEmbeddings && name == "lm_head.weight")
            continue;
        throw FormatError(cp.fileOf(name) + ": unexpected tensor \"" + name + "\" (not part of a "
                          + architectureName(c.architecture) + " model with " + std::to_string(c.numLayers)
                          + " layers as config.json describes)");
    }
    CausalLMLoader::moveWeights(*m);
    m->buildRope();
    m->setBaseTrainable(false);
    return m;
}

std::unique_ptr<CausalLM> CausalLM::sharingBaseOf(const CausalLM &base)
{
    if (base.m_loraMerged)
        throw Error("model: cannot share base weights that have LoRA adapters merged in");
    std::unique_ptr<CausalLM> m(new CausalLM());
    m->m_config = base.m_config;
    m->m_device = base.m_device;
    m->m_dtype = base.m_dtype;
    m->m_embed = base.m_embed;
    m->m_positions = base.m_positions;
    m->m_lmHead = base.m_lmHead;
    m->m_finalNormWeight = base.m_finalNormWeight;
    m->m_finalNormBias = base.m_finalNormBias;
    m->m_ropeCos = base.m_ropeCos;
    m->m_ropeSin = base.m_ropeSin;
    m->m_layers = base.m_layers;   // tensor handles: the same storage
    m->forEachProjection([](Projection &p) { p.lora.assign(p.partNames.size(), std::nullopt); });
    m->m_baseShared = true;
    base.m_baseShared = true;
    return m;
}

std::unique_ptr<CausalLM> CausalLM::create(const ModelConfig &config, std::uint64_t seed, const LoadOptions &options)
{
    std::unique_ptr<CausalLM> m(new CausalLM());
    m->m_config = config;
    m->m_device = options.device;
    m->m_dtype = options.dtype;
    const ModelConfig &c = config;
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const double std = c.raw.is_object() && c.raw.contains("initializer_range") && c.raw["initializer_range"].is_number()
                           ? c.raw["initializer_range"].get<double>()
                           : 0.02;
    const auto opts = at::TensorOptions().dtype(options.dtype).device(options.device);
    auto normal = [&](std::vector<std::int64_t> shape) {
        return at::normal(0.0, std, shape, gen, at::TensorOptions().dtype(at::kFloat)).to(opts);
    };
    const bool gpt = c.architecture == Architecture::Gpt2;
    m->m_embed = normal({c.vocabSize, c.hiddenSize});
    m->m_lmHead = c.tieWordEmbeddings ? m->m_embed : normal({c.vocabSize, c.hiddenSize});
    // The largest tensors move before the others exist: the copy then adds to
    // the peak memory only while nothing else is allocated.
    moveToWeightArena({&m->m_lmHead, &m->m_embed});
    m->m_finalNormWeight = at::ones({c.hiddenSize}, opts);
    if (gpt) {
        m->m_positions = normal({c.maxPositionEmbeddings, c.hiddenSize});
        m->m_finalNormBias = at::zeros({c.hiddenSize}, opts);
    }
    auto projection = [&](const char *which, bool bias) {
        Projection p;
        p.partNames = partNames(c, which);
        p.outSizes = partSizes(c, which);
        p.lora.resize(p.partNames.size());
        std::int64_t out = 0;
        for (auto s : p.outSizes)
            out += s;
        p.weight = normal({out, projectionInput(c, which)});
        if (bias)
            p.bias = at::zeros({out}, opts);
        return p;
    };
    for (std::int64_t i = 0; i < c.numLayers; ++i) {
        TransformerLayer layer;
        layer.norm1Weight = at::ones({c.hiddenSize}, opts);
        layer.norm2Weight = at::ones({c.hiddenSize}, opts);
        if (gpt) {
            layer.norm1Bias = at::zeros({c.hiddenSize}, opts);
            layer.norm2Bias = at::zeros({c.hiddenSize}, opts);
        }
        layer.qkv = projection("qkv", c.qkvBias);
        layer.out = projection("out", c.outputBias);
        layer.up = projection("up", c.mlpBias);
        layer.down = projection("down", c.mlpBias);
        m->m_layers.push_back(std::move(layer));
    }
    CausalLMLoader::moveWeights(*m);
    m->buildRope();
    m->setBaseTrainable(false);
    return m;
}

NamedTensors CausalLM::stateDict(bool mergedLora) const
{
    const ModelConfig &c = m_config;
    const bool gpt = c.architecture == Architecture::Gpt2;
    const std::string prefix = gpt ? "transformer." : "";
    NamedTensors out;
    if (gpt) {
        out.emplace_back(prefix + "wte.weight", m_embed);
        out.emplace_back(prefix + "wpe.weight", m_positions);
    } else {
        out.emplace_back("model.embed_tokens.weight", m_embed);
    }
    // Each part of a fused projection as its own tensor, with adapters folded in on request.
    auto emit = [&](const Projection &p, const std::vector<std::string> &weights, const std::vector<std::string> &biases) {
        std::int64_t offset = 0;
        for (std::size_t i = 0; i < p.outSizes.size(); ++i) {
            at::Tensor w = p.weight.narrow(0, offset, p.outSizes[i]);
            if (mergedLora && !m_loraMerged && p.lora[i])
                // In the compute dtype: a base held in bfloat16 would round the adapters away.
                w = w.to(m_dtype) + at::matmul(p.lora[i]->b, loraInner(*p.lora[i], m_preference)).mul(p.lora[i]->scaling).to(m_dtype);
            out.emplace_back(weights[i], gpt ? w.t() : w);
            if (p.bias.defined() && i < biases.size() && !biases[i].empty())
                out.emplace_back(biases[i], p.bias.narrow(0, offset, p.outSizes[i]));
            offset += p.outSizes[i];
        }
    };
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const TransformerLayer &l = m_layers[i];
        const LayerNames n = layerNames(c, i, prefix);
        out.emplace_back(n.norm1, l.norm1Weight);
        if (gpt)
            out.emplace_back(n.norm1Bias, l.norm1Bias);
        emit(l.qkv, n.qkv, n.qkvBias);
        emit(l.out, {n.out}, {n.outBias});
        out.emplace_back(n.norm2, l.norm2Weight);
        if (gpt)
            out.emplace_back(n.norm2Bias, l.norm2Bias);
        emit(l.up, n.up, n.upBias);
        emit(l.down, {n.down}, {n.downBias});
    }
    if (gpt) {
        out.emplace_back(prefix + "ln_f.weight", m_finalNormWeight);
        out.emplace_back(prefix + "ln_f.bias", m_finalNormBias);
    } else {
        out.emplace_back("model.norm.weight", m_finalNormWeight);
    }
    if (!c.tieWordEmbeddings)
        out.emplace_back("lm_head.weight", m_lmHead);
    return out;
}

void CausalLM::save(const std::string &dir, std::uint64_t maxShardBytes, bool mergedLora,
                    c10::ScalarType storeDtype) const
{
    const c10::ScalarType dtype = storeDtype == c10::ScalarType::Undefined ? m_dtype : storeDtype;
    if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf)
        throw Error(dir + ": weights can be saved as float32, bfloat16 or float16, not " + c10::toString(dtype));
    NamedTensors tensors;
    for (auto &[name, t] : stateDict(mergedLora))
        tensors.emplace_back(name, t.detach().to(dtype));   // no copy when the dtype is already right
    saveCheckpoint(dir, tensors, maxShardBytes);
    ModelConfig config = m_config;
    config.torchDtype = dtype == at::kBFloat16 ? "bfloat16" : dtype == at::kHalf ? "float16" : "float32";
    saveModelConfig(dir, config);
}

} // namespace awb
