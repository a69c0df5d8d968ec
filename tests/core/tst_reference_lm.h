#pragma once
// The reference model's self-tests: shared helpers and the test class, whose
// slots are defined in tst_reference_lm.cpp (building blocks, one-layer models
// by hand) and tst_reference_lm_models.cpp (consistency, random models, folders).
// The naive reference forward pass checked against values worked out by hand
// or by closed formulas: RoPE as a 2D rotation, llama3/linear frequency
// scaling, RMSNorm, LayerNorm, activations, one-layer models whose attention
// output is computable on paper, causality, grouped-query attention, tying,
// and Hugging Face folders written and read back.
#include "core/reference_lm.h"

#include "io/safetensors.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <complex>
#include <filesystem>
#include <functional>

using namespace awb;
using namespace awb::reference;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(std::vector<double>)

namespace reftest {

// Empty when every element agrees within tol, otherwise what differs.
inline QString mismatch(const std::vector<double> &got, const std::vector<double> &want, double tol)
{
    if (got.size() != want.size())
        return QStringLiteral("size %1, expected %2").arg(got.size()).arg(want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        if (!(std::abs(got[i] - want[i]) <= tol))
            return QStringLiteral("[%1] = %2, expected %3").arg(i).arg(got[i], 0, 'g', 17).arg(want[i], 0, 'g', 17);
    return {};
}

inline std::vector<double> row(const at::Tensor &logits, std::int64_t t)
{
    const at::Tensor r = logits[t].to(at::kDouble).contiguous();
    return std::vector<double>(r.data_ptr<double>(), r.data_ptr<double>() + r.numel());
}

inline at::Tensor mat(std::int64_t rows, std::int64_t cols, std::vector<double> values = {})
{
    at::Tensor t = at::zeros({rows, cols}, at::kDouble);
    for (std::size_t i = 0; i < values.size(); ++i)
        t.view({-1})[static_cast<std::int64_t>(i)].fill_(values[i]);
    return t.to(at::kFloat);
}

inline at::Tensor eye(std::int64_t n) { return at::eye(n, at::kFloat); }

// Llama, one layer, one head, no MLP contribution (down_proj is zero), unit
// norm weights, identity v/o/lm_head, and one-hot token embeddings.
inline RefModel handLlama(std::int64_t hidden, std::int64_t vocab, bool zeroQk)
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    c.vocabSize = vocab;
    c.hiddenSize = hidden;
    c.numLayers = 1;
    c.numHeads = c.numKvHeads = 1;
    c.headDim = hidden;
    c.intermediateSize = 2;
    c.normEps = 1e-12;
    c.ropeTheta = 10000.0;
    RefModel m{c, {}};
    const std::string p = "model.layers.0.";
    m.weights["model.embed_tokens.weight"] = eye(vocab).narrow(1, 0, hidden).contiguous();
    m.weights[p + "input_layernorm.weight"] = at::ones({hidden});
    m.weights[p + "post_attention_layernorm.weight"] = at::ones({hidden});
    m.weights[p + "self_attn.q_proj.weight"] = zeroQk ? at::zeros({hidden, hidden}) : eye(hidden);
    m.weights[p + "self_attn.k_proj.weight"] = zeroQk ? at::zeros({hidden, hidden}) : eye(hidden);
    m.weights[p + "self_attn.v_proj.weight"] = eye(hidden);
    m.weights[p + "self_attn.o_proj.weight"] = eye(hidden);
    m.weights[p + "mlp.gate_proj.weight"] = at::ones({2, hidden});
    m.weights[p + "mlp.up_proj.weight"] = at::ones({2, hidden});
    m.weights[p + "mlp.down_proj.weight"] = at::zeros({hidden, 2});
    m.weights["model.norm.weight"] = at::ones({hidden});
    m.weights["lm_head.weight"] = eye(vocab).narrow(1, 0, hidden).contiguous();
    return m;
}

// Copies K/V rows so that head h of an MHA model reads what head h reads in
// the GQA model: KV head kvOf(h).
inline at::Tensor duplicateHeads(const at::Tensor &w, std::int64_t heads, std::int64_t headDim,
                          const std::function<std::int64_t(std::int64_t)> &kvOf)
{
    std::vector<at::Tensor> parts;
    for (std::int64_t h = 0; h < heads; ++h)
        parts.push_back(w.narrow(0, kvOf(h) * headDim, headDim));
    return at::cat(parts, 0);
}

inline RefModel toMha(const RefModel &gqa, const std::function<std::int64_t(std::int64_t)> &kvOf)
{
    RefModel mha = gqa;
    mha.config.numKvHeads = gqa.config.numHeads;
    for (std::int64_t l = 0; l < gqa.config.numLayers; ++l)
        for (const char *proj : {"k_proj", "v_proj"})
            for (const char *kind : {".weight", ".bias"}) {
                const std::string name = "model.layers." + std::to_string(l) + ".self_attn." + proj + kind;
                if (gqa.weights.count(name))
                    mha.weights[name] = duplicateHeads(gqa.weights.at(name), gqa.config.numHeads,
                                                       gqa.config.headDim, kvOf);
            }
    return mha;
}

inline const std::vector<std::int64_t> kIds = {5, 17, 3, 99, 42, 0, 64, 8, 23, 100, 7};

} // namespace reftest

using namespace reftest;

class TestReferenceLm : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void defaultInvFreq();
    void ropeIsRotationOfHalves_data();
    void ropeIsRotationOfHalves();
    void ropeScoresDependOnRelativePosition();
    void scaledInvFreq_data();
    void scaledInvFreq();
    void rmsNormByHand();
    void layerNormByHand();
    void activations_data();
    void activations();
    void llamaUniformAttentionByHand();
    void llamaRotaryAttentionByHand();
    void gpt2OneLayerByHand();
    void gpt2ScaledAttentionByHand();
    void causality_data();
    void causality();
    void groupedQueryAttentionEqualsDuplicatedHeads_data();
    void groupedQueryAttentionEqualsDuplicatedHeads();
    void tiedHeadEqualsCopiedEmbeddings();
    void qwen2WithZeroBiasesIsLlama();
    void ropeScalingOnlyMovesLaterPositions();
    void randomModelExercisesEveryWeight_data();
    void randomModelExercisesEveryWeight();
    void folderRoundTrip_data();
    void folderRoundTrip();
    void originalGpt2Layout();
    void errorsNameTheProblem();

private:
    QTemporaryDir m_dir;
};

