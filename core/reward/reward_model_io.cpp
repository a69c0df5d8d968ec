// RewardModel::save and RewardModel::load: the folder layout documented in reward_model.h.
#include "reward/reward_model.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "model/lora.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <set>

namespace fs = std::filesystem;

namespace awb {

namespace {

constexpr const char *kFormatName = "awb-reward-model";

std::string shapeText(const at::Tensor &t)
{
    std::string s = "[";
    for (std::int64_t d = 0; d < t.dim(); ++d)
        s += (d ? ", " : "") + std::to_string(t.size(d));
    return s + "]";
}

std::string utcNow()
{
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// JSON has no NaN; undefined correlations are written as null.
nlohmann::json numberOrNull(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

double numberOrNaN(const nlohmann::json &obj, const char *key, const std::string &label)
{
    return optNumber(obj, key, label).value_or(std::numeric_limits<double>::quiet_NaN());
}

// True when `inner` is `outer` or lies below it.
bool isWithin(const fs::path &inner, const fs::path &outer)
{
    const fs::path rel = fs::weakly_canonical(inner).lexically_relative(fs::weakly_canonical(outer));
    return !rel.empty() && *rel.begin() != "..";
}

fs::path withoutTrailingSeparator(fs::path p)
{
    if (p.has_relative_path() && p.filename().empty())
        p = p.parent_path();
    return p;
}

void makeFolder(const fs::path &dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError(dir.string() + ": cannot create folder: " + ec.message());
}

// head.safetensors: score.weight [K, H] and score.bias [K]; with `members` > 1 also
// ensemble.weight [M, K, H] and ensemble.bias [M, K], which are returned instead.
std::pair<at::Tensor, at::Tensor> readHead(const std::string &headPath, std::int64_t k, std::int64_t h,
                                           std::int64_t members)
{
    const auto head = SafetensorsFile::open(headPath);
    std::set<std::string> expected = {"score.weight", "score.bias"};
    if (members > 1)
        expected.insert({"ensemble.weight", "ensemble.bias"});
    for (const auto &name : head->names())
        if (!expected.count(name))
            throw FormatError(headPath + ": unexpected tensor \"" + name + "\" (a reward head has score.weight and "
                              "score.bias" + std::string(members > 1 ? ", ensemble.weight and ensemble.bias" : " only")
                              + "; reward_model.json says ensemble_size " + std::to_string(members) + ")");
    for (const auto &name : expected)
        if (!head->contains(name))
            throw FormatError(headPath + ": tensor \"" + name + "\" is missing");
    const at::Tensor weight = head->tensor("score.weight");
    const at::Tensor bias = head->tensor("score.bias");
    const std::string want = "[" + std::to_string(k) + ", " + std::to_string(h) + "]";
    if (weight.dim() != 2 || weight.size(0) != k)
        throw FormatError(headPath + ": score.weight has shape " + shapeText(weight) + " but aspects.json lists "
                          + std::to_string(k) + " aspects (expected " + want + ")");
    if (weight.size(1) != h)
        throw FormatError(headPath + ": score.weight has shape " + shapeText(weight) + " but the backbone's hidden size is "
                          + std::to_string(h) + " (expected " + want + ")");
    if (bias.dim() != 1 || bias.size(0) != k)
        throw FormatError(headPath + ": score.bias has shape " + shapeText(bias) + " but aspects.json lists "
                          + std::to_string(k) + " aspects (expected [" + std::to_string(k) + "])");
    if (members == 1)
        return {weight, bias};
    const at::Tensor ew = head->tensor("ensemble.weight");
    const at::Tensor eb = head->tensor("ensemble.bias");
    const std::string m = std::to_string(members);
    if (ew.dim() != 3 || ew.size(0) != members || ew.size(1) != k || ew.size(2) != h)
        throw FormatError(headPath + ": ensemble.weight has shape " + shapeText(ew) + " but expected [" + m + ", "
                          + std::to_string(k) + ", " + std::to_string(h) + "] (ensemble_size, aspects, hidden size)");
    if (eb.dim() != 2 || eb.size(0) != members || eb.size(1) != k)
        throw FormatError(headPath + ": ensemble.bias has shape " + shapeText(eb) + " but expected [" + m + ", "
                          + std::to_string(k) + "]");
    return {ew, eb};
}

} // namespace

std::unique_ptr<RewardModel> RewardModel::load(const std::string &dir)
{
    return load(dir, CausalLM::LoadOptions());
}

std::unique_ptr<RewardModel> RewardModel::load(const std::string &dir, const CausalLM::LoadOptions &options)
{
    return load(dir, options, nullptr, std::string());
}

void RewardModel::save(const std::string &dir) const
{
    if (m_tokenizerJson.empty())
        throw Error(dir + ": cannot save the reward model: its tokenizer (" + m_tokenizer.path()
                    + ") was not loaded from a tokenizer.json file, so there is nothing to copy");
    const fs::path target = withoutTrailingSeparator(fs::absolute(dir));
    fs::path tmp = target;
    tmp += ".tmp";
    std::error_code ec;
    fs::remove_all(tmp, ec);
    makeFolder(tmp);

    const CausalLM &lm = *m_backbone;
    const bool lora = lm.hasLora() && !lm.loraMerged();
    const std::string kind = lora ? "lora" : (m_info.backboneKind == "lora" ? "full" : m_info.backboneKind);
    nlohmann::json backbone = {{"kind", kind},
                               {"model_type", lm.config().modelType},
                               {"hidden_size", lm.config().hiddenSize}};
    if (lora) {
        lm.saveLora(tmp.string());
        fs::path base = !m_basePath.empty() ? fs::path(m_basePath) : fs::path(lm.loraOptions()->baseModelPath);
        std::string recorded;
        // A base inside the folder being replaced (a previous save's "base") would vanish with it.
        if (!base.empty() && fs::is_regular_file(base / "config.json", ec) && !isWithin(base, target)) {
            recorded = fs::absolute(base).lexically_normal().string();
        } else {
            lm.save((tmp / "base").string(), 0, false);
            recorded = "base";
        }
        backbone["base_model"] = recorded;
        // PEFT reads base_model_name_or_path relative to its working directory: make it absolute.
        const std::string adapterConfig = (tmp / "adapter_config.json").string();
        nlohmann::json ac = readJsonFile(adapterConfig);
        ac["base_model_name_or_path"] = recorded == "base" ? (target / "base").string() : recorded;
        writeFileAtomically(adapterConfig, ac.dump(2) + "\n");
    } else {
        lm.save(tmp.string());
    }

    saveSafetensors((tmp / "head.safetensors").string(), headState(), {{"format", "pt"}});
    writeFileAtomically((tmp / "aspects.json").string(), m_aspects.toJson().dump(2) + "\n");
    writeFileAtomically((tmp / "tokenizer.json").string(), m_tokenizerJson);
    if (!m_tokenizerConfigJson.empty())
        writeFileAtomically((tmp / "tokenizer_config.json").string(), m_tokenizerConfigJson);

    const nlohmann::json metrics = rewardModelMetricsJson(*this);
    const nlohmann::json meta = {
        {"format", kFormatName},
        {"format_version", ensembleSize() > 1 ? kFormatVersion : 1},
        {"ensemble_size", ensembleSize()},
        {"backbone", backbone},
        {"aspects", m_aspects.names()},
        {"training", m_info.trainingOptions.is_object() ? m_info.trainingOptions : nlohmann::json::object()},
        {"label_count", m_info.labelCount},
        {"metrics", metrics},
        {"created", m_info.created.empty() ? utcNow() : m_info.created},
    };
    writeFileAtomically((tmp / "reward_model.json").string(), meta.dump(2) + "\n");

    // Swap the finished folder in. Between the two renames `dir` is briefly absent, never partial.
    fs::path old = target;
    old += ".old";
    fs::remove_all(old, ec);
    if (fs::exists(target, ec)) {
        fs::rename(target, old, ec);
        if (ec)
            throw IoError(target.string() + ": cannot move the previous reward model aside: " + ec.message());
    }
    fs::rename(tmp, target, ec);
    if (ec)
        throw IoError(target.string() + ": cannot move the saved reward model into place from " + tmp.string() + ": "
                      + ec.message());
    fs::remove_all(old, ec);
}

std::unique_ptr<RewardModel> RewardModel::load(const std::string &dir, const CausalLM::LoadOptions &options,
                                               const CausalLM *sharedBase, const std::string &sharedBaseFolder)
{
    const fs::path folder = fs::path(dir);
    const std::string metaPath = (folder / "reward_model.json").string();
    const nlohmann::json meta = readJsonFile(metaPath);
    if (!meta.is_object())
        throw FormatError(metaPath + ": expected a JSON object");
    if (optString(meta, "format", metaPath).value_or("") != kFormatName)
        throw FormatError(metaPath + ": field \"format\" must be \"" + kFormatName + "\"");
    const auto version = optInt(meta, "format_version", metaPath);
    if (!version || *version < 1 || *version > kFormatVersion)
        throw FormatError(metaPath + ": field \"format_version\" must be 1.." + std::to_string(kFormatVersion));
    const auto backboneIt = meta.find("backbone");
    if (backboneIt == meta.end() || !backboneIt->is_object())
        throw FormatError(metaPath + ": field \"backbone\" must be an object");
    const std::string kind = optString(*backboneIt, "kind", metaPath + ": backbone").value_or("");
    if (kind != "full" && kind != "lora" && kind != "frozen")
        throw FormatError(metaPath + ": field \"backbone.kind\" must be \"full\", \"lora\" or \"frozen\", got \"" + kind
                          + "\"");

    const std::string aspectsPath = (folder / "aspects.json").string();
    AspectSchema aspects = AspectSchema::fromJson(readJsonFile(aspectsPath), aspectsPath);
    if (aspects.empty())
        throw FormatError(aspectsPath + ": lists no aspects");

    std::unique_ptr<CausalLM> lm;
    std::string basePath;
    if (kind == "lora") {
        const auto base = optString(*backboneIt, "base_model", metaPath + ": backbone");
        if (!base || base->empty())
            throw FormatError(metaPath + ": field \"backbone.base_model\" must name the base model folder of the LoRA "
                                         "adapters");
        fs::path bp = *base;
        if (bp.is_relative())
            bp = folder / bp;
        basePath = fs::absolute(bp).lexically_normal().string();
        std::error_code e1, e2;
        const bool sameFolder = sharedBase && !sharedBaseFolder.empty()
                                && fs::weakly_canonical(basePath, e1) == fs::weakly_canonical(sharedBaseFolder, e2) && !e1 && !e2;
        if (sameFolder && sharedBase->device() == options.device && sharedBase->dtype() == options.dtype
            && modelConfigToJson(sharedBase->config()) == modelConfigToJson(loadModelConfig(basePath)))
            lm = CausalLM::sharingBaseOf(*sharedBase);
        else
            lm = CausalLM::load(basePath, options);
        lm->loadLora(dir);
    } else {
        lm = CausalLM::load(dir, options);
    }

    const std::string tokenizerPath = (folder / "tokenizer.json").string();
    Tokenizer tokenizer = Tokenizer::load(tokenizerPath);
    const std::int64_t k = static_cast<std::int64_t>(aspects.size());
    const std::int64_t h = lm->config().hiddenSize;
    std::unique_ptr<RewardModel> m(new RewardModel(std::move(lm), tokenizer, std::move(aspects)));
    m->m_basePath = basePath;
    m->m_tokenizerJson = readWholeFile(tokenizerPath);
    std::error_code ec;
    const fs::path tokenizerConfig = folder / "tokenizer_config.json";
    if (fs::is_regular_file(tokenizerConfig, ec))
        m->m_tokenizerConfigJson = readWholeFile(tokenizerConfig.string());

    const std::string headPath = (folder / "head.safetensors").string();
    const std::int64_t members = optInt(meta, "ensemble_size", metaPath).value_or(1);
    if (members < 1)
        throw FormatError(metaPath + ": field \"ensemble_size\" must be at least 1, got " + std::to_string(members));
    const auto [weight, bias] = readHead(headPath, k, h, members);
    const c10::Device device = m->m_backbone->device();
    m->m_weight = weight.to(device, at::kFloat, false, true).set_requires_grad(true);
    m->m_bias = bias.to(device, at::kFloat, false, true).set_requires_grad(true);

    RewardModelInfo info;
    info.backboneKind = kind;
    if (const auto t = meta.find("training"); t != meta.end() && t->is_object())
        info.trainingOptions = *t;
    info.labelCount = optInt(meta, "label_count", metaPath).value_or(0);
    info.created = optString(meta, "created", metaPath).value_or("");
    if (const auto mt = meta.find("metrics"); mt != meta.end() && mt->is_object() && !mt->empty()) {
        info.metrics.resize(static_cast<std::size_t>(k));
        for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
            const std::string &name = m->m_aspects.at(i).name;
            const auto e = mt->find(name);
            AspectMetrics &am = info.metrics[i];
            am.rmse = am.pearson = am.spearman = std::numeric_limits<double>::quiet_NaN();
            if (e == mt->end() || !e->is_object())
                continue;
            const std::string label = metaPath + ": metrics." + name;
            am.count = optInt(*e, "count", label).value_or(0);
            am.rmse = numberOrNaN(*e, "rmse", label);
            am.pearson = numberOrNaN(*e, "pearson", label);
            am.spearman = numberOrNaN(*e, "spearman", label);
            am.pairs = optInt(*e, "pairs", label).value_or(0);
            am.pairwiseAccuracy = numberOrNaN(*e, "pairwise_accuracy", label);
        }
    }
    m->m_info = std::move(info);
    return m;
}

nlohmann::json aspectMetricsJson(const AspectMetrics &m)
{
    nlohmann::json j = {{"count", m.count},
                        {"rmse", numberOrNull(m.rmse)},
                        {"pearson", numberOrNull(m.pearson)},
                        {"spearman", numberOrNull(m.spearman)}};
    if (m.pairs > 0) {
        j["pairs"] = m.pairs;
        j["pairwise_accuracy"] = numberOrNull(m.pairwiseAccuracy);
    }
    return j;
}

nlohmann::json rewardModelMetricsJson(const RewardModel &model)
{
    nlohmann::json metrics = nlohmann::json::object();
    const auto &m = model.info().metrics;
    for (std::size_t i = 0; i < m.size() && i < model.aspects().size(); ++i)
        metrics[model.aspects().at(i).name] = aspectMetricsJson(m[i]);
    return metrics;
}

} // namespace awb
