#include "io/model_config.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "util/error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace awb {

namespace {

struct Family
{
    Architecture arch;
    const char *modelType;
    const char *className;   // architectures[0] in transformers' files
};

constexpr Family kFamilies[] = {
    {Architecture::Llama, "llama", "LlamaForCausalLM"},
    {Architecture::Qwen2, "qwen2", "Qwen2ForCausalLM"},
    {Architecture::Gpt2, "gpt2", "GPT2LMHeadModel"},
};

const Family *familyByType(const std::string &type)
{
    for (const auto &f : kFamilies)
        if (type == f.modelType)
            return &f;
    return nullptr;
}

const Family *familyByClass(const std::string &cls)
{
    for (const auto &f : kFamilies)
        if (cls == f.className)
            return &f;
    return nullptr;
}

std::vector<std::int64_t> tokenIds(const nlohmann::json &json, const char *key, const std::string &label)
{
    std::vector<std::int64_t> ids;
    const auto it = json.find(key);
    if (it == json.end() || it->is_null())
        return ids;
    if (it->is_number_integer()) {
        ids.push_back(it->get<std::int64_t>());
        return ids;
    }
    if (it->is_array()) {
        for (const auto &v : *it) {
            if (!v.is_number_integer())
                throw FormatError(label + ": field \"" + key + "\" must hold integers");
            ids.push_back(v.get<std::int64_t>());
        }
        return ids;
    }
    throw FormatError(label + ": field \"" + key + "\" must be an integer or a list of integers");
}

void requirePositive(std::int64_t value, const char *key, const std::string &label)
{
    if (value <= 0)
        throw FormatError(label + ": field \"" + key + "\" must be positive, got " + std::to_string(value));
}

RopeScaling parseRopeScaling(const nlohmann::json &json, const std::string &label)
{
    RopeScaling rs;
    const auto it = json.find("rope_scaling");
    if (it == json.end() || it->is_null())
        return rs;
    if (!it->is_object())
        throw FormatError(label + ": field \"rope_scaling\" must be an object or null");
    const std::string where = label + ": rope_scaling";
    // transformers renamed "type" to "rope_type"; both are read.
    auto type = optString(*it, "rope_type", where);
    if (!type)
        type = optString(*it, "type", where);
    rs.type = type.value_or("default");
    if (rs.type == "default")
        return rs;
    if (rs.type != "linear" && rs.type != "llama3")
        throw FormatError(where + ": type \"" + rs.type + "\" is not supported (default, linear, llama3 are)");
    const auto factor = optNumber(*it, "factor", where);
    if (!factor || *factor < 1.0)
        throw FormatError(where + ": \"factor\" must be a number >= 1");
    rs.factor = *factor;
    if (rs.type == "llama3") {
        const auto low = optNumber(*it, "low_freq_factor", where);
        const auto high = optNumber(*it, "high_freq_factor", where);
        const auto original = optInt(*it, "original_max_position_embeddings", where);
        if (!low || !high || !original)
            throw FormatError(where + ": llama3 scaling needs low_freq_factor, high_freq_factor and "
                                      "original_max_position_embeddings");
        if (*high <= *low)
            throw FormatError(where + ": high_freq_factor must exceed low_freq_factor");
        requirePositive(*original, "original_max_position_embeddings", where);
        rs.lowFreqFactor = *low;
        rs.highFreqFactor = *high;
        rs.originalMaxPositionEmbeddings = *original;
    }
    return rs;
}

void parseLlamaLike(ModelConfig &c, const nlohmann::json &j, const std::string &label)
{
    const bool qwen = c.architecture == Architecture::Qwen2;
    c.vocabSize = optInt(j, "vocab_size", label).value_or(qwen ? 151936 : 32000);
    c.hiddenSize = optInt(j, "hidden_size", label).value_or(4096);
    c.intermediateSize = optInt(j, "intermediate_size", label).value_or(qwen ? 22016 : 11008);
    c.numLayers = optInt(j, "num_hidden_layers", label).value_or(32);
    c.numHeads = optInt(j, "num_attention_heads", label).value_or(32);
    // LlamaConfig: None means "same as num_attention_heads"; Qwen2Config defaults to 32.
    c.numKvHeads = optInt(j, "num_key_value_heads", label).value_or(qwen ? 32 : c.numHeads);
    c.maxPositionEmbeddings = optInt(j, "max_position_embeddings", label).value_or(qwen ? 32768 : 2048);
    c.normEps = optNumber(j, "rms_norm_eps", label).value_or(1e-6);
    c.ropeTheta = optNumber(j, "rope_theta", label).value_or(10000.0);
    c.ropeScaling = parseRopeScaling(j, label);
    c.tieWordEmbeddings = optBool(j, "tie_word_embeddings", label).value_or(false);
    c.hiddenAct = optString(j, "hidden_act", label).value_or("silu");
    if (qwen) {
        c.qkvBias = true;   // Qwen2Attention always has q/k/v biases and no o_proj bias
        c.outputBias = false;
        c.mlpBias = false;
        if (optBool(j, "use_sliding_window", label).value_or(false))
            throw FormatError(label + ": use_sliding_window is true; sliding-window attention is not supported");
    } else {
        const bool bias = optBool(j, "attention_bias", label).value_or(false);
        c.qkvBias = bias;
        c.outputBias = bias;
        c.mlpBias = optBool(j, "mlp_bias", label).value_or(false);
    }
    if (c.hiddenAct != "silu")
        throw FormatError(label + ": hidden_act \"" + c.hiddenAct + "\" is not supported (silu is)");

    requirePositive(c.numHeads, "num_attention_heads", label);
    requirePositive(c.hiddenSize, "hidden_size", label);
    const auto headDim = optInt(j, "head_dim", label);
    if (headDim) {
        c.headDim = *headDim;
    } else {
        if (c.hiddenSize % c.numHeads != 0)
            throw FormatError(label + ": hidden_size " + std::to_string(c.hiddenSize)
                              + " is not divisible by num_attention_heads " + std::to_string(c.numHeads));
        c.headDim = c.hiddenSize / c.numHeads;
    }
    if (c.headDim % 2 != 0)
        throw FormatError(label + ": head_dim " + std::to_string(c.headDim) + " must be even for rotary embeddings");
}

void parseGpt2(ModelConfig &c, const nlohmann::json &j, const std::string &label)
{
    c.vocabSize = optInt(j, "vocab_size", label).value_or(50257);
    c.hiddenSize = optInt(j, "n_embd", label).value_or(768);
    c.numLayers = optInt(j, "n_layer", label).value_or(12);
    c.numHeads = optInt(j, "n_head", label).value_or(12);
    c.numKvHeads = c.numHeads;
    c.maxPositionEmbeddings = optInt(j, "n_positions", label).value_or(1024);
    c.intermediateSize = optInt(j, "n_inner", label).value_or(4 * c.hiddenSize);
    c.normEps = optNumber(j, "layer_norm_epsilon", label).value_or(1e-5);
    c.hiddenAct = optString(j, "activation_function", label).value_or("gelu_new");
    c.tieWordEmbeddings = optBool(j, "tie_word_embeddings", label).value_or(true);
    c.qkvBias = c.outputBias = c.mlpBias = true;
    if (c.hiddenAct != "gelu_new" && c.hiddenAct != "gelu_pytorch_tanh" && c.hiddenAct != "gelu"
        && c.hiddenAct != "relu")
        throw FormatError(label + ": activation_function \"" + c.hiddenAct
                          + "\" is not supported (gelu_new, gelu_pytorch_tanh, gelu, relu are)");
    if (optBool(j, "scale_attn_by_inverse_layer_idx", label).value_or(false)
        || optBool(j, "reorder_and_upcast_attn", label).value_or(false))
        throw FormatError(label + ": scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn are not supported");
    requirePositive(c.numHeads, "n_head", label);
    requirePositive(c.hiddenSize, "n_embd", label);
    if (c.hiddenSize % c.numHeads != 0)
        throw FormatError(label + ": n_embd " + std::to_string(c.hiddenSize) + " is not divisible by n_head "
                          + std::to_string(c.numHeads));
    c.headDim = c.hiddenSize / c.numHeads;
}

} // namespace

const char *architectureName(Architecture arch)
{
    for (const auto &f : kFamilies)
        if (f.arch == arch)
            return f.modelType;
    return "unknown";
}

ModelConfig parseModelConfig(const nlohmann::json &json, const std::string &label)
{
    if (!json.is_object())
        throw FormatError(label + ": a model config must be a JSON object");
    ModelConfig c;
    c.raw = json;

    const auto modelType = optString(json, "model_type", label);
    const Family *byClass = nullptr;
    std::string className;
    if (const auto it = json.find("architectures"); it != json.end() && !it->is_null()) {
        if (!it->is_array() || it->empty() || !(*it)[0].is_string())
            throw FormatError(label + ": field \"architectures\" must be a list of class names");
        className = (*it)[0].get<std::string>();
        byClass = familyByClass(className);
    }
    const Family *family = nullptr;
    if (modelType) {
        family = familyByType(*modelType);
        if (!family)
            throw FormatError(label + ": model_type \"" + *modelType
                              + "\" is not a supported architecture (llama, qwen2, gpt2 are)");
        if (!className.empty() && byClass != family)
            throw FormatError(label + ": model_type \"" + *modelType + "\" contradicts architectures [\""
                              + className + "\"]");
    } else if (byClass) {
        family = byClass;
    } else if (!className.empty()) {
        throw FormatError(label + ": architecture \"" + className
                          + "\" is not supported (LlamaForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel are)");
    } else {
        throw FormatError(label + ": neither \"model_type\" nor \"architectures\" says what model this is");
    }
    c.architecture = family->arch;
    c.modelType = family->modelType;

    if (c.architecture == Architecture::Gpt2)
        parseGpt2(c, json, label);
    else
        parseLlamaLike(c, json, label);

    requirePositive(c.vocabSize, "vocab_size", label);
    requirePositive(c.numLayers, "num_hidden_layers", label);
    requirePositive(c.intermediateSize, "intermediate_size", label);
    requirePositive(c.maxPositionEmbeddings, "max_position_embeddings", label);
    requirePositive(c.numKvHeads, "num_key_value_heads", label);
    requirePositive(c.headDim, "head_dim", label);
    if (c.numHeads % c.numKvHeads != 0)
        throw FormatError(label + ": num_attention_heads " + std::to_string(c.numHeads)
                          + " is not a multiple of num_key_value_heads " + std::to_string(c.numKvHeads));
    if (!(c.normEps > 0.0))
        throw FormatError(label + ": the normalisation epsilon must be positive");
    if (!(c.ropeTheta > 0.0))
        throw FormatError(label + ": rope_theta must be positive");

    c.bosTokenIds = tokenIds(json, "bos_token_id", label);
    c.eosTokenIds = tokenIds(json, "eos_token_id", label);
    if (c.architecture == Architecture::Gpt2) {
        if (!json.contains("bos_token_id"))
            c.bosTokenIds = {50256};
        if (!json.contains("eos_token_id"))
            c.eosTokenIds = {50256};
    }
    for (auto id : c.bosTokenIds)
        if (id < 0 || id >= c.vocabSize)
            throw FormatError(label + ": bos_token_id " + std::to_string(id) + " is outside the vocabulary");
    for (auto id : c.eosTokenIds)
        if (id < 0 || id >= c.vocabSize)
            throw FormatError(label + ": eos_token_id " + std::to_string(id) + " is outside the vocabulary");
    c.padTokenId = optInt(json, "pad_token_id", label);
    c.torchDtype = optString(json, "torch_dtype", label).value_or("");
    return c;
}

ModelConfig loadModelConfig(const std::string &path)
{
    std::error_code ec;
    const std::string file = fs::is_directory(path, ec) ? (fs::path(path) / "config.json").string() : path;
    return parseModelConfig(readJsonFile(file), file);
}

std::vector<std::int64_t> loadGenerationEosIds(const std::string &dir)
{
    const fs::path file = fs::path(dir) / "generation_config.json";
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        return {};
    const nlohmann::json j = readJsonFile(file.string());
    if (!j.is_object())
        throw FormatError(file.string() + ": expected a JSON object");
    return tokenIds(j, "eos_token_id", file.string());
}

nlohmann::json modelConfigToJson(const ModelConfig &c)
{
    nlohmann::json j = c.raw.is_object() ? c.raw : nlohmann::json::object();
    j["model_type"] = architectureName(c.architecture);
    for (const auto &f : kFamilies)
        if (f.arch == c.architecture)
            j["architectures"] = {f.className};
    j["vocab_size"] = c.vocabSize;
    j["tie_word_embeddings"] = c.tieWordEmbeddings;
    if (c.architecture == Architecture::Gpt2) {
        j["n_embd"] = c.hiddenSize;
        j["n_layer"] = c.numLayers;
        j["n_head"] = c.numHeads;
        j["n_positions"] = c.maxPositionEmbeddings;
        j["n_inner"] = c.intermediateSize;
        j["layer_norm_epsilon"] = c.normEps;
        j["activation_function"] = c.hiddenAct;
    } else {
        j["hidden_size"] = c.hiddenSize;
        j["intermediate_size"] = c.intermediateSize;
        j["num_hidden_layers"] = c.numLayers;
        j["num_attention_heads"] = c.numHeads;
        j["num_key_value_heads"] = c.numKvHeads;
        j["head_dim"] = c.headDim;
        j["max_position_embeddings"] = c.maxPositionEmbeddings;
        j["rms_norm_eps"] = c.normEps;
        j["rope_theta"] = c.ropeTheta;
        j["hidden_act"] = c.hiddenAct;
        if (c.ropeScaling.type == "default") {
            j["rope_scaling"] = nullptr;
        } else {
            nlohmann::json rs = {{"rope_type", c.ropeScaling.type}, {"factor", c.ropeScaling.factor}};
            if (c.ropeScaling.type == "llama3") {
                rs["low_freq_factor"] = c.ropeScaling.lowFreqFactor;
                rs["high_freq_factor"] = c.ropeScaling.highFreqFactor;
                rs["original_max_position_embeddings"] = c.ropeScaling.originalMaxPositionEmbeddings;
            }
            j["rope_scaling"] = rs;
        }
        if (c.architecture == Architecture::Llama) {
            j["attention_bias"] = c.qkvBias;
            j["mlp_bias"] = c.mlpBias;
        }
    }
    auto ids = [](const std::vector<std::int64_t> &v) -> nlohmann::json {
        if (v.empty())
            return nullptr;
        if (v.size() == 1)
            return v.front();
        return v;
    };
    j["bos_token_id"] = ids(c.bosTokenIds);
    j["eos_token_id"] = ids(c.eosTokenIds);
    if (c.padTokenId)
        j["pad_token_id"] = *c.padTokenId;
    if (!c.torchDtype.empty())
        j["torch_dtype"] = c.torchDtype;
    return j;
}

void saveModelConfig(const std::string &dir, const ModelConfig &config)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError(dir + ": cannot create folder: " + ec.message());
    writeFileAtomically((fs::path(dir) / "config.json").string(), modelConfigToJson(config).dump(2) + "\n");
}

} // namespace awb
