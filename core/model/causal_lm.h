#pragma once
// A decoder-only causal language model in LibTorch: the Llama family (Llama,
// SmolLM2, Llama 3, Qwen2) and GPT-2, loaded from and saved to Hugging Face
// folders (config.json + safetensors) with transformers' tensor names.
//
// Layout: q/k/v and gate/up projections are fused into one matrix each, so a
// decode step runs one matrix product where transformers runs two or three;
// stateDict() splits them back into the Hugging Face names. LoRA adapters sit
// on the parts of a projection (see lora.h) and can be switched off, which
// gives the base model's outputs exactly: GRPO uses that as its reference.
//
// Every tensor lives on the model's device in its compute dtype (Runtime).
// One thread at a time may call a CausalLM; distinct models are independent.
// Core-only header (ATen): app/ and widgets/ must not include it.

#include "io/model_config.h"
#include "io/safetensors.h"
#include "util/runtime.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace awb {

struct LoraOptions;

// One LoRA adapter on one part of a projection: delta = scaling * B(A(dropout(x))).
// With a preference block (LoraOptions::preferenceRank K > 0) the last K of the
// r + K inner dimensions are scaled per row by s * w_k, w the row's aspect
// weights and s the learned `preferenceScale` (Panacea, arXiv 2402.02030, on
// PEFT's layout): delta = scaling * B diag(1..1, s w) A x.
struct LoraAdapter
{
    at::Tensor a;          // [r + K, in]
    at::Tensor b;          // [out, r + K]
    double scaling = 1.0;  // alpha / r (alpha / sqrt(r) with rsLoRA)
    double dropout = 0.0;
    std::int64_t preferenceRank = 0;   // K
    at::Tensor preferenceScale;        // [1], s; defined when K > 0
};

// An adapter's A with its preference block scaled by s * w (preference: K
// weights, undefined for the uniform vector): B loraInner(ad, w) is the
// adapter's matrix at w. A itself without a preference block.
at::Tensor loraInner(const LoraAdapter &ad, const at::Tensor &preference);

// A linear map whose output is the concatenation of named parts (q|k|v, gate|up
// or a single part). Parts carry their Hugging Face module names.
struct Projection
{
    at::Tensor weight;                     // [sum(outSizes), in]
    at::Tensor bias;                       // [sum(outSizes)] or undefined
    std::vector<std::string> partNames;    // e.g. {"q_proj", "k_proj", "v_proj"}
    std::vector<std::int64_t> outSizes;
    std::vector<std::optional<LoraAdapter>> lora;   // one slot per part

    // `preference` [B, 1, K] (x is [B, T, in]): each row's aspect weights for
    // adapters with a preference block; undefined: the uniform vector.
    at::Tensor forward(const at::Tensor &x, bool adaptersOn, bool training, const at::Tensor &preference = {}) const;
    bool hasLora() const;
};

struct TransformerLayer
{
    at::Tensor norm1Weight, norm1Bias;     // input_layernorm / ln_1 (bias: GPT-2 only)
    at::Tensor norm2Weight, norm2Bias;     // post_attention_layernorm / ln_2
    Projection qkv;                        // fused q|k|v
    Projection out;                        // o_proj / attn.c_proj
    Projection up;                         // fused gate|up (Llama) or c_fc (GPT-2)
    Projection down;                       // down_proj / mlp.c_proj
};

// Keys and values of past positions, one slot per position, for B sequences.
// Slots [0, length) are filled; keyValid marks which filled slots are real
// tokens (false for left padding). Owned by the caller of forward().
struct KvCache
{
    std::vector<at::Tensor> keys;     // per layer [B, kvHeads, capacity, headDim]
    std::vector<at::Tensor> values;
    at::Tensor keyValid;              // [B, capacity] bool
    std::int64_t length = 0;
    std::int64_t capacity = 0;

    std::int64_t batchSize() const { return keyValid.defined() ? keyValid.size(0) : 0; }
    // Keeps the rows `index` (int64 [B']) in that order; used to expand a
    // prefilled prompt to G samples and to drop finished sequences.
    void selectRows(const at::Tensor &index);
    std::int64_t bytes() const;
};

class CausalLM
{
public:
    struct LoadOptions
    {
        c10::Device device = c10::Device(c10::kCPU);
        c10::ScalarType dtype = c10::kFloat;   // compute dtype; stored F16/BF16/F32 are converted
        // Keep base weights stored as bfloat16 in bfloat16 (fp32 compute on the
        // CPU only): the projections, the embedding and the head, half the
        // memory; the kernels and storedLinear widen them as they are read, so
        // outputs equal those of the fp32 copy up to summation order. Such a
        // base is frozen: for LoRA and inference, never for full fine-tuning.
        bool keepStoredBf16 = false;
    };

    // Loads config.json + model.safetensors (or shards) from `dir`. Throws
    // FormatError naming the file and tensor for missing, unexpected or
    // mis-shaped tensors and for config errors.
    static std::unique_ptr<CausalLM> load(const std::string &dir, const LoadOptions &options);
    static std::unique_ptr<CausalLM> load(const std::string &dir);
    // A model with the given configuration and freshly initialised weights
    // (normal, std 0.02, as transformers' _init_weights; norms at 1).
    static std::unique_ptr<CausalLM> create(const ModelConfig &config, std::uint64_t seed,
                                            const LoadOptions &options);

    // A model that holds no base weights of its own: every base tensor is
    // `base`'s (the same storage), with no adapters, for a LoRA model on the
    // same folder (the reward model on the policy's base: one copy in memory).
    // From then on neither model may change the shared weights: merging
    // adapters or making the base trainable throws Error on both. `base` must
    // outlive nothing: the storage lives while either model does.
    static std::unique_ptr<CausalLM> sharingBaseOf(const CausalLM &base);
    // Whether this model's base weights are shared with another model.
    bool sharesBase() const { return m_baseShared; }

    const ModelConfig &config() const { return m_config; }
    c10::Device device() const { return m_device; }
    c10::ScalarType dtype() const { return m_dtype; }
    // The dtype the base's matrices are held in: dtype(), or bfloat16 when
    // loaded with keepStoredBf16 from a bfloat16 folder.
    c10::ScalarType baseDtype() const { return m_embed.scalar_type(); }

    // Runs the transformer on ids [B, T] at positions [B, T] (int64, on any
    // device). With a cache, the T new tokens go to slots [length, length+T)
    // and attend to every valid earlier slot; `newValid` [B, T] marks padding
    // among them (undefined: all valid). Without a cache, attention is causal
    // within the T tokens and `newValid` masks padded keys.
    // Returns the final hidden states [B, T, hidden] after the last norm.
    at::Tensor forward(const at::Tensor &ids, const at::Tensor &positions, KvCache *cache = nullptr,
                       const at::Tensor &newValid = {});
    // Logits [..., vocab] in fp32 from hidden states returned by forward();
    // [..., outputVocab()] when an output limit is set.
    at::Tensor logits(const at::Tensor &hidden) const;
    // log softmax(logits / temperature)[target] per token for hidden [..., H] and
    // targets [...], without the full logits (stored_ops.h: tokenLogProbs), over
    // the output vocabulary; with `entropy` also each token's entropy (no grad).
    // Differentiable with respect to the hidden states and a trainable head.
    at::Tensor tokenLogProbs(const at::Tensor &hidden, const at::Tensor &targets, double temperature,
                             at::Tensor *entropy = nullptr) const;

    // Real folders pad the embedding past the tokenizer (Qwen2.5: 151,936 rows
    // for 151,665 ids) and those rows hold no token. With a limit n, logits()
    // scores ids [0, n) only, so nothing can sample, or normalise over, an id
    // the tokenizer cannot decode (inference engines mask them the same way).
    // n <= 0 or n >= the config's vocabulary removes the limit. The weights and
    // the saved folder keep every row.
    void setOutputVocab(std::int64_t n);
    std::int64_t outputVocab() const;

    // A cache for `batch` sequences of up to `capacity` positions.
    KvCache makeCache(std::int64_t batch, std::int64_t capacity) const;

    // Hugging Face state dict (names as transformers writes them), views of the
    // live weights. With mergedLora the adapters are folded into the weights.
    NamedTensors stateDict(bool mergedLora = false) const;
    // Writes config.json and model.safetensors (sharded above maxShardBytes),
    // the weights in `storeDtype` (Undefined: the model's own dtype; the
    // config's torch_dtype says which).
    void save(const std::string &dir, std::uint64_t maxShardBytes = 0, bool mergedLora = true,
              c10::ScalarType storeDtype = c10::ScalarType::Undefined) const;

    // Training switches: dropout in LoRA, gradients on the base weights.
    void setTraining(bool training) { m_training = training; }
    bool training() const { return m_training; }
    void setBaseTrainable(bool trainable);
    // Parameters that currently require gradients, with Hugging Face / PEFT names.
    NamedTensors trainableParameters() const;
    std::int64_t parameterCount() const;

    // LoRA (lora.cpp). Adapters are added to the parts named in options.targetModules.
    void addLora(const LoraOptions &options, std::uint64_t seed);
    bool hasLora() const;
    void setAdaptersEnabled(bool enabled);
    bool adaptersEnabled() const { return m_adaptersOn; }
    void mergeLora();     // W += scaling * B A for every adapter; adapters then skipped
    void unmergeLora();   // the inverse (up to rounding)
    bool loraMerged() const { return m_loraMerged; }
    NamedTensors loraStateDict() const;   // PEFT key names (+ lora_preference_scale with a preference block)
    // "lora" conditioning: K of the adapters' inner dimensions follow each row's
    // aspect weights (LoraOptions::preferenceRank; 0 without such adapters).
    std::int64_t preferenceRank() const;
    // The weight vectors [B, K] (float, each summing to 1) of the rows of the
    // next forward() calls; undefined: the uniform vector for every row. A
    // defined value must have one row per sequence of each call (Error otherwise).
    // Merging adapters with a preference block uses its single row (or uniform).
    void setPreference(const at::Tensor &rows);
    // Folds the preference block at the single preference row (uniform when none
    // is set) into plain adapters of rank r + K, lora_alpha rescaled so that the
    // scaling stays: what PEFT loads. The model then has no preference block.
    void bakePreference();
    const at::Tensor &preference() const { return m_preference; }
    const LoraOptions *loraOptions() const { return m_loraOptions.get(); }
    void saveLora(const std::string &dir) const;        // adapter_config.json + adapter_model.safetensors
    void loadLora(const std::string &dir);

    ~CausalLM();

private:
    CausalLM() = default;
    void buildRope();
    void validateIds(const at::Tensor &ids) const;
    void copyLoraWeights(const SafetensorsFile &file, std::int64_t r);
    void addLoraDelta(double sign);   // W += sign * scaling * B A for every adapter
    at::Tensor norm(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b) const;
    at::Tensor applyRope(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin) const;
    at::Tensor attention(const TransformerLayer &layer, std::size_t index, const at::Tensor &x,
                         const at::Tensor &cos, const at::Tensor &sin, const at::Tensor &mask, KvCache *cache,
                         const at::Tensor &preference);
    // The fp32 CPU inference path (causal_lm_fast.cpp): kernels.h instead of torch
    // operators when no gradient is needed, for `batch` sequences of `tokens` new
    // tokens each (logits: `batch` rows of one token).
    bool fastPath(std::int64_t batch, std::int64_t tokens) const;
    bool fastForwardSupported(const KvCache *cache) const;
    at::Tensor forwardFast(const at::Tensor &ids, const at::Tensor &positions, KvCache *cache,
                           const at::Tensor &keyValid, const at::Tensor &preference);
    at::Tensor logitsFast(const at::Tensor &hidden) const;
    at::Tensor outputHead() const;   // m_lmHead, narrowed to the output limit
    void forEachProjection(const std::function<void(Projection &)> &fn);
    void forEachProjection(const std::function<void(const Projection &)> &fn) const;

    friend struct CausalLMLoader;

    ModelConfig m_config;
    c10::Device m_device = c10::Device(c10::kCPU);
    c10::ScalarType m_dtype = c10::kFloat;
    at::Tensor m_embed;          // [V, H]
    at::Tensor m_positions;      // GPT-2 wpe [P, H]
    at::Tensor m_lmHead;         // [V, H]; aliases m_embed when tied
    at::Tensor m_finalNormWeight, m_finalNormBias;
    std::vector<TransformerLayer> m_layers;
    at::Tensor m_ropeCos, m_ropeSin;   // [maxPos, headDim], fp32
    bool m_training = false;
    bool m_adaptersOn = true;
    bool m_loraMerged = false;
    std::int64_t m_outputVocab = 0;   // 0: every row of m_lmHead
    mutable bool m_baseShared = false;   // set on both sides by sharingBaseOf
    std::unique_ptr<LoraOptions> m_loraOptions;
    at::Tensor m_preference;   // [B, K] float on the device, or undefined
    // [B, 1, K] for forward(): the rows of m_preference, or undefined without a preference block.
    at::Tensor preferenceRows(std::int64_t batch) const;
};

// Sets a model's preference rows for a scope and puts back the previous ones.
class PreferenceScope
{
public:
    PreferenceScope(CausalLM &model, const at::Tensor &rows) : m_model(model), m_saved(model.preference())
    {
        m_model.setPreference(rows);
    }
    ~PreferenceScope() { m_model.setPreference(m_saved); }
    PreferenceScope(const PreferenceScope &) = delete;
    PreferenceScope &operator=(const PreferenceScope &) = delete;

private:
    CausalLM &m_model;
    at::Tensor m_saved;
};

// Load options for the runtime: its device and dtype, and for a base that stays
// frozen (LoRA, inference) its stored bfloat16 when the runtime keeps it.
CausalLM::LoadOptions loadOptionsFor(const Runtime &runtime, bool frozenBase);

// Llama 3 / linear RoPE frequencies as transformers computes them
// (inv_freq per rotary pair, headDim / 2 values, fp64). Exposed for tests.
std::vector<double> ropeInverseFrequencies(const ModelConfig &config);

} // namespace awb
