#pragma once
// A deliberately naive reference for the forward pass of Hugging Face causal
// language models (LlamaForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel), used
// by parity tests of the real runtime in core/model.
//
// Written from transformers' modeling_llama.py, modeling_qwen2.py,
// modeling_gpt2.py and modeling_rope_utils.py only; it shares no code with
// core/model. Every forward runs position by position and head by head in
// float64 over plain std::vector, so it is slow and meant for tiny models.
// RefModel is a plain value; every function is reentrant.

#include "io/model_config.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace awb::reference {

// A model as its Hugging Face state dict. Names are the canonical transformers
// names: "model.*" + "lm_head.weight" for Llama/Qwen2, "transformer.*" (+
// "lm_head.weight" only when untied) for GPT-2. lm_head.weight is absent when
// config.tieWordEmbeddings. Tensors may have any floating dtype; logits() uses
// their exact values.
struct RefModel
{
    awb::ModelConfig config;
    std::map<std::string, at::Tensor> weights;
};

// Every weight the config calls for, with its shape, in state-dict order.
std::vector<std::pair<std::string, std::vector<std::int64_t>>> weightShapes(const awb::ModelConfig &config);

// A small valid config of the family: vocab 101, hidden 32, 2 layers, 4 heads
// of 8 (Llama/Qwen2: 2 KV heads), intermediate 64 (GPT-2: 128), 64 positions.
// Llama is untied, Qwen2 untied with q/k/v biases, GPT-2 tied.
awb::ModelConfig tinyConfig(awb::Architecture arch);

struct RandomOptions
{
    double weightStd = 0.1;               // Linear/Conv1D weights and an untied lm_head
    double embeddingStd = 0.5;            // token embeddings and GPT-2 position embeddings
    double biasStd = 0.05;                // every bias of a Linear/Conv1D layer
    double normNoise = 0.1;               // norm weights are 1 + N(0, normNoise); LayerNorm biases N(0, normNoise)
    at::ScalarType dtype = at::kFloat;    // dtype the weights are stored (and saved) in
};

// Random weights from a fixed seed (std::mt19937_64, so independent of the
// LibTorch generator and of call order elsewhere).
RefModel randomModel(const awb::ModelConfig &config, std::uint64_t seed, const RandomOptions &options = {});

// The GPT-2 causal-mask buffer "attn.bias" that the original checkpoints carry.
enum class MaskBuffer { None, Bool, UInt8, Float };

struct SaveOptions
{
    std::uint64_t maxShardBytes = 0;      // > 0: shard as transformers does (index.json)
    bool gpt2DropPrefix = false;          // GPT-2: "h.0.ln_1.weight" instead of "transformer.h.0.ln_1.weight"
    MaskBuffer gpt2MaskBuffer = MaskBuffer::None;   // GPT-2: add h.{i}.attn.bias, [1,1,n_positions,n_positions]
    bool gpt2MaskedBias = false;          // GPT-2: add h.{i}.attn.masked_bias, the scalar -1e4
    bool includeTiedLmHead = false;       // write lm_head.weight (a copy of the embeddings) even when tied
};

// The tensors saveModelFolder writes, in order.
std::vector<std::pair<std::string, at::Tensor>> checkpointTensors(const RefModel &model,
                                                                  const SaveOptions &options = {});

// Writes dir/config.json and dir/model.safetensors (or shards): a folder that
// transformers' from_pretrained loads.
void saveModelFolder(const RefModel &model, const std::string &dir, const SaveOptions &options = {});

// Reads a Hugging Face folder into canonical names: adds GPT-2's missing
// "transformer." prefix, drops buffers (attn.bias, attn.masked_bias,
// rotary_emb.inv_freq) and an lm_head.weight that the config ties away.
// Throws awb::Error naming the folder and tensor on missing or misshapen weights.
RefModel loadModelFolder(const std::string &dir);

// Logits float32 [ids.size(), vocab] of one sequence at positions 0..T-1, with
// no padding; computed in float64. Throws awb::Error for missing, unexpected or
// misshapen weights and for ids outside the vocabulary.
at::Tensor logits(const RefModel &model, const std::vector<std::int64_t> &ids);

// Building blocks, exposed for the self-tests.
// inv_freq of modeling_rope_utils for the config's rope type (default, linear, llama3), length headDim / 2.
std::vector<double> ropeInvFreq(const awb::ModelConfig &config);
// x * cos + rotate_half(x) * sin, with cos/sin of cat(freqs, freqs), freqs = position * invFreq.
std::vector<double> applyRope(const std::vector<double> &x, std::int64_t position, const std::vector<double> &invFreq);
std::vector<double> rmsNorm(const std::vector<double> &x, const std::vector<double> &weight, double eps);
std::vector<double> layerNorm(const std::vector<double> &x, const std::vector<double> &weight,
                              const std::vector<double> &bias, double eps);
// The activations transformers' ACT2FN names: silu, gelu_new, gelu_pytorch_tanh, gelu (erf), relu.
double activation(const std::string &name, double x);

} // namespace awb::reference
