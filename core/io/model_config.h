#pragma once
// A Hugging Face config.json as a typed model configuration.
//
// Supported families: Llama (llama; also SmolLM2 and Llama 3), Qwen2 (qwen2)
// and GPT-2 (gpt2). Fields absent from the file take the defaults of the
// corresponding transformers configuration class (LlamaConfig, Qwen2Config,
// GPT2Config), so a folder that loads in transformers loads here with the same
// meaning. GPT-2 names (n_embd, n_layer, ...) are mapped onto the common fields.
// Plain value type: copy freely, use from any thread.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace awb {

enum class Architecture { Llama, Qwen2, Gpt2 };

const char *architectureName(Architecture arch);   // the model_type string

struct RopeScaling
{
    std::string type = "default";                   // "default", "linear" or "llama3"
    double factor = 1.0;                            // linear, llama3
    double lowFreqFactor = 1.0;                     // llama3
    double highFreqFactor = 4.0;                    // llama3
    std::int64_t originalMaxPositionEmbeddings = 8192;   // llama3
};

struct ModelConfig
{
    Architecture architecture = Architecture::Llama;
    std::string modelType = "llama";                // as written in the file
    std::int64_t vocabSize = 32000;
    std::int64_t hiddenSize = 4096;
    std::int64_t intermediateSize = 11008;          // GPT-2: n_inner, default 4 * n_embd
    std::int64_t numLayers = 32;
    std::int64_t numHeads = 32;
    std::int64_t numKvHeads = 32;                   // < numHeads: grouped-query attention
    std::int64_t headDim = 128;                     // default hiddenSize / numHeads
    std::int64_t maxPositionEmbeddings = 2048;
    double normEps = 1e-6;                          // rms_norm_eps, or GPT-2 layer_norm_epsilon
    double ropeTheta = 10000.0;                     // Llama/Qwen2 only
    RopeScaling ropeScaling;
    bool qkvBias = false;                           // Qwen2: always true; Llama: attention_bias
    bool outputBias = false;                        // o_proj bias (Llama attention_bias); GPT-2: true
    bool mlpBias = false;                           // Llama mlp_bias; GPT-2: true
    bool tieWordEmbeddings = false;                 // GPT-2 default true
    std::string hiddenAct = "silu";                 // GPT-2: activation_function, default gelu_new
    std::vector<std::int64_t> bosTokenIds;          // config.json allows a number or a list
    std::vector<std::int64_t> eosTokenIds;
    std::optional<std::int64_t> padTokenId;
    std::string torchDtype;                         // as stored ("bfloat16", ...), may be empty

    nlohmann::json raw;                             // the file as read, kept for writing back
};

// Builds the config from parsed JSON; `label` names the source in errors.
// Throws FormatError for a missing model_type and architectures, an unknown
// architecture, wrongly typed fields, and contradictions (hidden size not
// divisible by heads, heads not divisible by KV heads, model_type disagreeing
// with architectures, non-positive sizes, unsupported rope scaling).
ModelConfig parseModelConfig(const nlohmann::json &json, const std::string &label);

// `path` is a model folder or a config.json file.
ModelConfig loadModelConfig(const std::string &path);

// The config as config.json: the original fields, with every typed field
// written back under its own family's name.
nlohmann::json modelConfigToJson(const ModelConfig &config);

// eos_token_id of dir/generation_config.json (a number or a list; Qwen2.5 and
// Llama 3 list their end-of-turn tokens there, not in config.json). Empty when
// the file is absent or has no such field; FormatError naming the file when it
// is not JSON or the field is not integers.
std::vector<std::int64_t> loadGenerationEosIds(const std::string &dir);

// Writes dir/config.json atomically.
void saveModelConfig(const std::string &dir, const ModelConfig &config);

} // namespace awb
