#include "model/lora.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "model/causal_lm.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace awb {

double LoraOptions::scaling() const
{
    return useRslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
}

namespace {

constexpr const char *kPeftPrefix = "base_model.model.";

// The Hugging Face module path of part `k` of one of a layer's projections.
std::string modulePath(const ModelConfig &c, std::size_t layer, int projection, const std::string &part)
{
    if (c.architecture == Architecture::Gpt2)
        return "transformer.h." + std::to_string(layer) + "." + part;
    const char *block = projection < 2 ? "self_attn." : "mlp.";
    return "model.layers." + std::to_string(layer) + "." + block + part;
}

// PEFT's rule: a target matches a module whose full name equals it or ends in "." + target.
bool targetMatches(const std::string &module, const std::vector<std::string> &targets)
{
    for (const auto &t : targets)
        if (module == t || (module.size() > t.size() && module.compare(module.size() - t.size(), t.size(), t) == 0
                            && module[module.size() - t.size() - 1] == '.'))
            return true;
    return false;
}

} // namespace

at::Tensor loraInner(const LoraAdapter &ad, const at::Tensor &preference)
{
    if (ad.preferenceRank == 0)
        return ad.a;
    const std::int64_t K = ad.preferenceRank, r = ad.a.size(0) - K;
    const at::Tensor w = preference.defined() ? preference.reshape({K})
                                              : at::full({K}, 1.0 / double(K), ad.a.options().requires_grad(false));
    const at::Tensor scale = at::cat({at::ones({r}, ad.a.options().requires_grad(false)), w * ad.preferenceScale});
    return ad.a * scale.unsqueeze(1);
}

void CausalLM::addLora(const LoraOptions &options, std::uint64_t seed)
{
    if (hasLora())
        throw Error("the model already has LoRA adapters");
    if (options.r <= 0)
        throw Error("LoRA rank r must be positive, got " + std::to_string(options.r));
    if (options.dropout < 0.0 || options.dropout >= 1.0)
        throw Error("LoRA dropout must be in [0, 1)");
    if (options.preferenceRank < 0)
        throw Error("LoRA preference rank must not be negative, got " + std::to_string(options.preferenceRank));
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const auto opts = at::TensorOptions().dtype(m_dtype).device(m_device);
    std::set<std::string> matched;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        Projection *projs[] = {&m_layers[i].qkv, &m_layers[i].out, &m_layers[i].up, &m_layers[i].down};
        for (int pi = 0; pi < 4; ++pi) {
            Projection &p = *projs[pi];
            const std::int64_t in = p.weight.size(1);
            for (std::size_t k = 0; k < p.partNames.size(); ++k) {
                const std::string module = modulePath(m_config, i, pi, p.partNames[k]);
                if (!targetMatches(module, options.targetModules))
                    continue;
                matched.insert(p.partNames[k]);
                LoraAdapter ad;
                // PEFT's init: A ~ kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)); B = 0,
                // so a fresh adapter leaves the model's outputs unchanged.
                const double bound = 1.0 / std::sqrt(static_cast<double>(in));
                // A preference block adds K inner dimensions, initialised the same way, and
                // a learned scale s = 1 (B = 0 still leaves the outputs unchanged).
                const std::int64_t inner = options.r + options.preferenceRank;
                ad.a = at::empty({inner, in}, at::kFloat).uniform_(-bound, bound, gen).to(opts).set_requires_grad(true);
                ad.b = at::zeros({p.outSizes[k], inner}, opts).set_requires_grad(true);
                ad.preferenceRank = options.preferenceRank;
                if (options.preferenceRank > 0)
                    ad.preferenceScale = at::ones({1}, opts).set_requires_grad(true);
                ad.scaling = options.scaling();
                ad.dropout = options.dropout;
                p.lora[k] = std::move(ad);
            }
        }
    }
    if (matched.empty())
        throw Error("LoRA target_modules match no module of this " + std::string(architectureName(m_config.architecture))
                    + " model");
    m_loraOptions = std::make_unique<LoraOptions>(options);
    m_adaptersOn = true;
    m_loraMerged = false;
}

std::int64_t CausalLM::preferenceRank() const
{
    return m_loraOptions ? m_loraOptions->preferenceRank : 0;
}

void CausalLM::setPreference(const at::Tensor &rows)
{
    if (!rows.defined()) {
        m_preference = at::Tensor();
        return;
    }
    const std::int64_t K = preferenceRank();
    if (rows.dim() != 2 || rows.size(1) != K)
        throw Error("model: preference rows must be [B, " + std::to_string(K) + "] (the adapters' preference rank), got "
                    + std::to_string(rows.dim() == 2 ? rows.size(1) : -1) + " columns");
    m_preference = rows.detach().to(m_device, m_dtype).contiguous();
}

void CausalLM::bakePreference()
{
    const std::int64_t K = preferenceRank();
    if (K == 0)
        return;
    if (m_preference.defined() && m_preference.size(0) != 1)
        throw Error("model: baking the preference block needs one weight vector, got " + std::to_string(m_preference.size(0)));
    at::NoGradGuard noGrad;
    const at::Tensor preference = m_preference;
    forEachProjection([&preference](Projection &p) {
        for (auto &ad : p.lora)
            if (ad && ad->preferenceRank > 0) {
                ad->a = loraInner(*ad, preference).detach().clone().set_requires_grad(ad->a.requires_grad());
                ad->preferenceRank = 0;
                ad->preferenceScale = at::Tensor();
            }
    });
    LoraOptions &o = *m_loraOptions;
    const double scaling = o.scaling();
    o.r += K;
    o.preferenceRank = 0;
    o.alpha = o.useRslora ? scaling * std::sqrt(static_cast<double>(o.r)) : scaling * static_cast<double>(o.r);
    m_preference = at::Tensor();
}

at::Tensor CausalLM::preferenceRows(std::int64_t batch) const
{
    const std::int64_t K = preferenceRank();
    if (K == 0 || !m_preference.defined())
        return {};
    if (m_preference.size(0) != batch)
        throw Error("model: " + std::to_string(m_preference.size(0)) + " preference rows for a batch of "
                    + std::to_string(batch) + " sequences");
    return m_preference.view({batch, 1, K});
}

bool CausalLM::hasLora() const
{
    bool any = false;
    forEachProjection([&](const Projection &p) { any = any || p.hasLora(); });
    return any;
}

void CausalLM::setAdaptersEnabled(bool enabled)
{
    if (!enabled && m_loraMerged)
        throw Error("the LoRA adapters are merged into the weights; unmerge them before disabling");
    m_adaptersOn = enabled;
}

void CausalLM::addLoraDelta(double sign)
{
    if (m_baseShared)
        throw Error("model: cannot merge LoRA adapters into base weights shared with another model (one base in "
                    "memory); export from a checkpoint instead");
    if (baseDtype() != m_dtype)
        throw Error("model: the base weights are held in bfloat16 as stored; merging adapters into them would "
                    "round the adapters away (load the base converted, frozen base \"float32\", to merge)");
    at::NoGradGuard noGrad;
    // A preference block merges at the model's single preference row (uniform when none is set).
    if (m_preference.defined() && m_preference.size(0) != 1)
        throw Error("model: merging preference-conditioned adapters needs one weight vector, got "
                    + std::to_string(m_preference.size(0)));
    const at::Tensor preference = m_preference;
    forEachProjection([sign, &preference](Projection &p) {
        std::int64_t offset = 0;
        for (std::size_t k = 0; k < p.outSizes.size(); ++k) {
            if (p.lora[k])
                p.weight.narrow(0, offset, p.outSizes[k])
                    .add_(at::matmul(p.lora[k]->b, loraInner(*p.lora[k], preference)).mul_(sign * p.lora[k]->scaling));
            offset += p.outSizes[k];
        }
    });
}

void CausalLM::mergeLora()
{
    if (m_loraMerged || !hasLora())
        return;
    addLoraDelta(1.0);
    m_loraMerged = true;
}

void CausalLM::unmergeLora()
{
    if (!m_loraMerged)
        return;
    addLoraDelta(-1.0);
    m_loraMerged = false;
}

NamedTensors CausalLM::loraStateDict() const
{
    NamedTensors out;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const Projection *projs[] = {&m_layers[i].qkv, &m_layers[i].out, &m_layers[i].up, &m_layers[i].down};
        for (int pi = 0; pi < 4; ++pi)
            for (std::size_t k = 0; k < projs[pi]->partNames.size(); ++k)
                if (projs[pi]->lora[k]) {
                    const std::string base = kPeftPrefix + modulePath(m_config, i, pi, projs[pi]->partNames[k]);
                    out.emplace_back(base + ".lora_A.weight", projs[pi]->lora[k]->a);
                    out.emplace_back(base + ".lora_B.weight", projs[pi]->lora[k]->b);
                    if (projs[pi]->lora[k]->preferenceRank > 0)
                        out.emplace_back(base + ".lora_preference_scale", projs[pi]->lora[k]->preferenceScale);
                }
    }
    return out;
}

void CausalLM::saveLora(const std::string &dir) const
{
    if (!m_loraOptions)
        throw Error("the model has no LoRA adapters to save");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError(dir + ": cannot create folder: " + ec.message());
    NamedTensors tensors;
    for (auto &[name, t] : loraStateDict())
        tensors.emplace_back(name, t.detach());
    saveSafetensors((fs::path(dir) / "adapter_model.safetensors").string(), tensors, {{"format", "pt"}});
    const LoraOptions &o = *m_loraOptions;
    nlohmann::json config = {
        {"peft_type", "LORA"},
        {"task_type", "CAUSAL_LM"},
        {"base_model_name_or_path", o.baseModelPath},
        {"r", o.r},
        {"lora_alpha", o.alpha},
        {"lora_dropout", o.dropout},
        {"use_rslora", o.useRslora},
        {"use_dora", false},
        {"target_modules", o.targetModules},
        {"bias", "none"},
        // PEFT sets it for GPT-2's Conv1D; it affects merging only, not the key layout.
        {"fan_in_fan_out", m_config.architecture == Architecture::Gpt2},
        {"inference_mode", true},
        {"init_lora_weights", true},
        {"modules_to_save", nullptr},
        {"layers_to_transform", nullptr},
        {"layers_pattern", nullptr},
        {"rank_pattern", nlohmann::json::object()},
        {"alpha_pattern", nlohmann::json::object()},
        {"revision", nullptr},
    };
    if (o.preferenceRank > 0)
        config["awb_preference_rank"] = o.preferenceRank;   // not PEFT's: export writes a plain adapter
    writeFileAtomically((fs::path(dir) / "adapter_config.json").string(), config.dump(2) + "\n");
}

void CausalLM::loadLora(const std::string &dir)
{
    const std::string configPath = (fs::path(dir) / "adapter_config.json").string();
    const nlohmann::json j = readJsonFile(configPath);
    if (optString(j, "peft_type", configPath).value_or("LORA") != "LORA")
        throw FormatError(configPath + ": peft_type is not LORA");
    LoraOptions o;
    o.r = optInt(j, "r", configPath).value_or(8);
    o.alpha = optNumber(j, "lora_alpha", configPath).value_or(8.0);
    o.dropout = optNumber(j, "lora_dropout", configPath).value_or(0.0);
    o.useRslora = optBool(j, "use_rslora", configPath).value_or(false);
    o.baseModelPath = optString(j, "base_model_name_or_path", configPath).value_or("");
    o.preferenceRank = optInt(j, "awb_preference_rank", configPath).value_or(0);
    if (o.preferenceRank < 0)
        throw FormatError(configPath + ": \"awb_preference_rank\" must not be negative");
    if (optBool(j, "use_dora", configPath).value_or(false))
        throw FormatError(configPath + ": DoRA adapters are not supported");
    const auto targets = j.find("target_modules");
    if (targets == j.end() || !(targets->is_array() || targets->is_string()))
        throw FormatError(configPath + ": \"target_modules\" must be a list of module names");
    o.targetModules.clear();
    if (targets->is_string())
        o.targetModules.push_back(targets->get<std::string>());
    else
        for (const auto &t : *targets)
            o.targetModules.push_back(t.get<std::string>());

    const std::string weightsPath = (fs::path(dir) / "adapter_model.safetensors").string();
    const auto file = SafetensorsFile::open(weightsPath);
    if (hasLora()) {
        // Adapters already in place (a resumed run): the file's values go into them, and a
        // file of another rank, preference rank or set of modules is refused by its shapes and names.
        if (m_loraOptions && (m_loraOptions->r != o.r || m_loraOptions->preferenceRank != o.preferenceRank))
            throw FormatError(configPath + ": the adapters have r=" + std::to_string(o.r) + " and preference rank "
                              + std::to_string(o.preferenceRank) + ", the model's have r=" + std::to_string(m_loraOptions->r)
                              + " and " + std::to_string(m_loraOptions->preferenceRank));
        copyLoraWeights(*file, o.r);
        return;
    }
    addLora(o, 0);
    try {
        copyLoraWeights(*file, o.r);
    } catch (...) {
        // Leave the model as it was: no half-loaded adapters.
        forEachProjection([](Projection &p) {
            for (auto &l : p.lora)
                l.reset();
        });
        m_loraOptions.reset();
        throw;
    }
}

void CausalLM::copyLoraWeights(const SafetensorsFile &file, std::int64_t r)
{
    const std::string &weightsPath = file.path();
    std::set<std::string> expected;
    at::NoGradGuard noGrad;
    for (auto &[name, t] : loraStateDict()) {
        expected.insert(name);
        // PEFT files may keep the adapter name ("lora_A.default.weight") when saved by hand.
        std::string stored = name;
        if (!file.contains(stored)) {
            std::string alt = name;
            const auto suffix = alt.rfind(".weight");
            if (suffix != std::string::npos)
                alt.replace(suffix, 7, ".default.weight");
            if (suffix != std::string::npos && file.contains(alt))
                stored = alt;
            else
                throw FormatError(weightsPath + ": tensor \"" + name + "\" is missing (adapter_config.json targets "
                                  + "that module)");
        }
        const at::Tensor src = file.tensor(stored);
        if (src.sizes() != t.sizes())
            throw FormatError(weightsPath + ": tensor \"" + stored + "\" does not have the shape r="
                              + std::to_string(r) + " and this model imply");
        t.copy_(src);
        expected.insert(stored);
    }
    for (const auto &name : file.names())
        if (!expected.count(name))
            throw FormatError(weightsPath + ": unexpected tensor \"" + name + "\" for this model and adapter_config.json");
}

} // namespace awb
