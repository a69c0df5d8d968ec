#include "reward/reward_model.h"

#include "io/atomic_file.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::string shapeText(const at::Tensor &t)
{
    std::string s = "[";
    for (std::int64_t d = 0; d < t.dim(); ++d)
        s += (d ? ", " : "") + std::to_string(t.size(d));
    return s + "]";
}

// Puts the backbone in eval mode for the lifetime of the guard.
class EvalModeGuard
{
public:
    explicit EvalModeGuard(CausalLM &lm) : m_lm(lm), m_was(lm.training()) { m_lm.setTraining(false); }
    ~EvalModeGuard() { m_lm.setTraining(m_was); }
    EvalModeGuard(const EvalModeGuard &) = delete;
    EvalModeGuard &operator=(const EvalModeGuard &) = delete;

private:
    CausalLM &m_lm;
    bool m_was;
};

} // namespace

RewardModel::RewardModel(std::unique_ptr<CausalLM> backbone, Tokenizer tokenizer, AspectSchema aspects)
    : m_backbone(std::move(backbone)), m_tokenizer(std::move(tokenizer)), m_aspects(std::move(aspects))
{
}

RewardModel::~RewardModel() = default;

std::uint64_t ensembleMemberSeed(std::uint64_t seed, std::int64_t member)
{
    if (member == 0)
        return seed;
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(member + 1) + 0x5851F42D4C957F2Dull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

at::Tensor RewardModel::initialHeadWeights(std::uint64_t seed, double spread) const
{
    const std::int64_t k = static_cast<std::int64_t>(m_aspects.size());
    const std::int64_t h = m_backbone->config().hiddenSize;
    at::Generator gen = at::detail::createCPUGenerator(seed);
    at::Tensor weight = at::empty({k, h}, at::kFloat);
    for (std::int64_t i = 0; i < k; ++i) {
        const Aspect &a = m_aspects.at(static_cast<std::size_t>(i));
        weight[i].normal_(0.0, spread * 0.02 * (a.max - a.min) / std::sqrt(static_cast<double>(h)), gen);
    }
    return weight;
}

std::unique_ptr<RewardModel> RewardModel::create(std::unique_ptr<CausalLM> backbone, Tokenizer tokenizer,
                                                 AspectSchema aspects, std::uint64_t seed, std::int64_t ensembleSize)
{
    if (!backbone)
        throw Error("reward model: no backbone given");
    if (aspects.empty())
        throw Error("reward model: the aspect schema has no aspects");
    if (ensembleSize < 1)
        throw Error("reward model: ensemble_size must be at least 1, got " + std::to_string(ensembleSize));
    const ModelConfig &c = backbone->config();
    if (tokenizer.vocabSize() > c.vocabSize)
        throw Error("reward model: the tokenizer (" + tokenizer.path() + ") has " + std::to_string(tokenizer.vocabSize())
                    + " tokens but the backbone's vocabulary has only " + std::to_string(c.vocabSize));
    std::unique_ptr<RewardModel> m(new RewardModel(std::move(backbone), std::move(tokenizer), std::move(aspects)));

    std::error_code ec;
    const fs::path tokPath = m->m_tokenizer.path();
    if (fs::is_regular_file(tokPath, ec)) {
        m->m_tokenizerJson = readWholeFile(tokPath.string());
        const fs::path cfg = tokPath.parent_path() / "tokenizer_config.json";
        if (fs::is_regular_file(cfg, ec))
            m->m_tokenizerConfigJson = readWholeFile(cfg.string());
    }

    const std::int64_t k = static_cast<std::int64_t>(m->m_aspects.size());
    at::Tensor bias = at::empty({k}, at::kFloat);
    for (std::int64_t i = 0; i < k; ++i) {
        const Aspect &a = m->m_aspects.at(static_cast<std::size_t>(i));
        bias[i] = 0.5 * (a.min + a.max);
    }
    at::Tensor weight = m->initialHeadWeights(seed, 1.0);
    if (ensembleSize > 1) {
        std::vector<at::Tensor> members = {weight};
        for (std::int64_t j = 1; j < ensembleSize; ++j)
            members.push_back(m->initialHeadWeights(ensembleMemberSeed(seed, j), 1.0));
        weight = at::stack(members);
        bias = bias.unsqueeze(0).repeat({ensembleSize, 1});
    }
    const c10::Device device = m->m_backbone->device();
    m->m_weight = weight.to(device).set_requires_grad(true);
    m->m_bias = bias.to(device).set_requires_grad(true);
    return m;
}

at::Tensor RewardModel::features(const at::Tensor &ids, const at::Tensor &lengths)
{
    if (!ids.defined() || ids.dim() != 2 || ids.size(0) == 0 || ids.size(1) == 0)
        throw Error("reward model: ids must be a non-empty [B, T] tensor, got "
                    + (ids.defined() ? shapeText(ids) : std::string("none")));
    const std::int64_t b = ids.size(0), t = ids.size(1);
    if (!lengths.defined() || lengths.dim() != 1 || lengths.size(0) != b)
        throw Error("reward model: lengths must be [" + std::to_string(b) + "] to match ids " + shapeText(ids)
                    + ", got " + (lengths.defined() ? shapeText(lengths) : std::string("none")));
    const at::Tensor lensCpu = lengths.to(at::kCPU, at::kLong);
    const std::int64_t lo = lensCpu.min().item<std::int64_t>(), hi = lensCpu.max().item<std::int64_t>();
    if (lo < 1 || hi > t)
        throw Error("reward model: lengths must lie in [1, " + std::to_string(t) + "] (the padded length), got "
                    + std::to_string(lo < 1 ? lo : hi));

    const c10::Device device = m_backbone->device();
    const auto longOpts = at::TensorOptions().dtype(at::kLong).device(device);
    const at::Tensor lens = lensCpu.to(device);
    const at::Tensor positions = at::arange(t, longOpts).unsqueeze(0).expand({b, t}).contiguous();
    // Right padding: the last real token never attends to padding anyway (causal), but masking the
    // padded keys keeps the padded rows' arithmetic finite and the intent explicit.
    const at::Tensor valid = positions.lt(lens.unsqueeze(1));
    const at::Tensor hidden = m_backbone->forward(ids.to(device, at::kLong), positions, nullptr, valid);
    const at::Tensor index = (lens - 1).view({b, 1, 1}).expand({b, 1, hidden.size(2)});
    return hidden.gather(1, index).squeeze(1).to(at::kFloat);
}

at::Tensor RewardModel::memberHeads(const at::Tensor &features) const
{
    const std::int64_t h = m_weight.size(m_weight.dim() - 1);
    if (!features.defined() || features.dim() != 2 || features.size(1) != h)
        throw Error("reward model: head features must be [B, " + std::to_string(h) + "], got "
                    + (features.defined() ? shapeText(features) : std::string("none")));
    const at::Tensor f = features.to(m_weight.device(), at::kFloat);
    if (m_weight.dim() == 2)
        return at::addmm(m_bias, f, m_weight.t()).unsqueeze(1);
    // [B, H] x [M, K, H] -> [B, M, K]: every member from the one set of features.
    return at::einsum("bh,mkh->bmk", {f, m_weight}) + m_bias.unsqueeze(0);
}

at::Tensor RewardModel::head(const at::Tensor &features) const
{
    if (m_weight.dim() == 2)
        return memberHeads(features).squeeze(1);
    return memberHeads(features).mean(1);
}

void RewardModel::setEnsembleSize(std::int64_t size, std::uint64_t seed, double spread)
{
    if (size < 1)
        throw Error("reward model: ensemble_size must be at least 1, got " + std::to_string(size));
    const std::int64_t now = ensembleSize();
    if (size == now)
        return;
    at::NoGradGuard noGrad;
    const at::Tensor w = m_weight.detach().to(at::kCPU), b = m_bias.detach().to(at::kCPU);
    const at::Tensor meanW = w.dim() == 3 ? w.mean(0) : w, meanB = b.dim() == 2 ? b.mean(0) : b;
    at::Tensor weight = meanW.clone(), bias = meanB.clone();
    if (size > 1) {
        std::vector<at::Tensor> ws, bs;
        const std::int64_t keep = now > 1 ? std::min(now, size) : 0;
        for (std::int64_t j = 0; j < keep; ++j) {
            ws.push_back(w[j]);
            bs.push_back(b[j]);
        }
        for (std::int64_t j = keep; j < size; ++j) {
            ws.push_back(meanW + initialHeadWeights(ensembleMemberSeed(seed, j), spread));
            bs.push_back(meanB);
        }
        weight = at::stack(ws);
        bias = at::stack(bs);
    }
    const c10::Device device = m_backbone->device();
    m_weight = weight.to(device).contiguous().set_requires_grad(true);
    m_bias = bias.to(device).contiguous().set_requires_grad(true);
}

at::Tensor RewardModel::forward(const at::Tensor &ids, const at::Tensor &lengths)
{
    return head(features(ids, lengths));
}

std::string RewardModel::formatPair(const std::string &prompt, const std::string &response) const
{
    switch (m_tokenizer.chatTemplate().kind()) {
    case ChatTemplateKind::ChatMl:
    case ChatTemplateKind::Llama3:
    case ChatTemplateKind::Demo:
        return m_tokenizer.applyChatTemplate({{"user", prompt}, {"assistant", response}}, false);
    case ChatTemplateKind::None:
    case ChatTemplateKind::Unknown:
        break;
    }
    return prompt + "\n" + response;
}

std::vector<std::int32_t> RewardModel::encode(const std::string &prompt, const std::string &response,
                                              std::int64_t maxLength) const
{
    if (maxLength < 1)
        throw Error("reward model: maxLength must be positive, got " + std::to_string(maxLength));
    const bool templated = m_tokenizer.chatTemplate().kind() != ChatTemplateKind::None
                           && m_tokenizer.chatTemplate().kind() != ChatTemplateKind::Unknown;
    // A chat template spells out its own special tokens (transformers' apply_chat_template
    // tokenizes with add_special_tokens=False); plain text gets the tokenizer's usual ones.
    std::vector<std::int32_t> ids = m_tokenizer.encode(formatPair(prompt, response), !templated);
    const std::int64_t cap = std::min(maxLength, m_backbone->config().maxPositionEmbeddings);
    if (static_cast<std::int64_t>(ids.size()) > cap)
        ids.erase(ids.begin(), ids.end() - cap);
    return ids;
}

std::pair<at::Tensor, at::Tensor> RewardModel::collate(const std::vector<const std::vector<std::int32_t> *> &sequences) const
{
    if (sequences.empty())
        throw Error("reward model: nothing to collate");
    std::int64_t t = 0;
    for (std::size_t i = 0; i < sequences.size(); ++i) {
        if (sequences[i]->empty())
            throw Error("reward model: sequence " + std::to_string(i) + " of the batch has no tokens");
        t = std::max<std::int64_t>(t, static_cast<std::int64_t>(sequences[i]->size()));
    }
    const auto b = static_cast<std::int64_t>(sequences.size());
    // Pad with id 0: padded positions are masked and never read, and 0 is always in the vocabulary.
    at::Tensor ids = at::zeros({b, t}, at::kLong);
    at::Tensor lengths = at::empty({b}, at::kLong);
    auto *idp = ids.data_ptr<std::int64_t>();
    auto *lp = lengths.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < b; ++i) {
        const auto &s = *sequences[static_cast<std::size_t>(i)];
        std::copy(s.begin(), s.end(), idp + i * t);
        lp[i] = static_cast<std::int64_t>(s.size());
    }
    const c10::Device device = m_backbone->device();
    return {ids.to(device), lengths.to(device)};
}

std::vector<std::vector<float>> RewardModel::score(const std::vector<std::string> &prompts,
                                                   const std::vector<std::string> &responses, std::int64_t batchSize,
                                                   std::int64_t maxLength)
{
    return scoreDetailed(prompts, responses, batchSize, maxLength).mean;
}

std::vector<std::vector<float>> RewardModel::scoreIds(const std::vector<std::vector<std::int32_t>> &sequences,
                                                      std::int64_t batchSize)
{
    return scoreIdsDetailed(sequences, batchSize).mean;
}

EnsembleScores RewardModel::scoreDetailed(const std::vector<std::string> &prompts,
                                          const std::vector<std::string> &responses, std::int64_t batchSize,
                                          std::int64_t maxLength)
{
    if (prompts.size() != responses.size())
        throw Error("reward model: " + std::to_string(prompts.size()) + " prompts but " + std::to_string(responses.size())
                    + " responses to score");
    std::vector<std::vector<std::int32_t>> sequences;
    sequences.reserve(prompts.size());
    for (std::size_t i = 0; i < prompts.size(); ++i)
        sequences.push_back(encode(prompts[i], responses[i], maxLength));
    return scoreIdsDetailed(sequences, batchSize);
}

EnsembleScores RewardModel::scoreIdsDetailed(const std::vector<std::vector<std::int32_t>> &sequences,
                                             std::int64_t batchSize)
{
    if (batchSize < 1)
        throw Error("reward model: batch size must be positive, got " + std::to_string(batchSize));
    for (std::size_t i = 0; i < sequences.size(); ++i)
        if (sequences[i].empty())
            throw Error("reward model: sequence " + std::to_string(i) + " to score has no tokens");
    std::vector<std::size_t> order(sequences.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sequences[a].size() > sequences[b].size(); });

    at::NoGradGuard noGrad;
    EvalModeGuard eval(*m_backbone);
    const std::size_t k = m_aspects.size();
    const auto m = static_cast<std::size_t>(ensembleSize());
    EnsembleScores out;
    out.mean.resize(sequences.size());
    out.std.resize(sequences.size());
    out.members.resize(sequences.size());
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batchSize)) {
        const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(batchSize));
        std::vector<const std::vector<std::int32_t> *> batch;
        for (std::size_t i = start; i < end; ++i)
            batch.push_back(&sequences[order[i]]);
        const auto [ids, lengths] = collate(batch);
        const at::Tensor members = memberHeads(features(ids, lengths));   // [b, M, K]
        const at::Tensor mean = (m == 1 ? members.squeeze(1) : members.mean(1)).to(at::kCPU).contiguous();
        const at::Tensor spread = (m == 1 ? at::zeros_like(mean) : members.std(1, true)).to(at::kCPU).contiguous();
        const at::Tensor each = members.transpose(1, 2).to(at::kCPU).contiguous();   // [b, K, M]
        const float *pm = mean.data_ptr<float>(), *ps = spread.data_ptr<float>(), *pe = each.data_ptr<float>();
        for (std::size_t i = start; i < end; ++i) {
            const std::size_t r = i - start, o = order[i];
            out.mean[o].assign(pm + r * k, pm + (r + 1) * k);
            out.std[o].assign(ps + r * k, ps + (r + 1) * k);
            out.members[o].resize(k);
            for (std::size_t a = 0; a < k; ++a)
                out.members[o][a].assign(pe + (r * k + a) * m, pe + (r * k + a + 1) * m);
        }
    }
    return out;
}

NamedTensors RewardModel::headState() const
{
    if (m_weight.dim() == 2)
        return {{"score.weight", m_weight.detach()}, {"score.bias", m_bias.detach()}};
    return {{"score.weight", m_weight.detach().mean(0)},
            {"score.bias", m_bias.detach().mean(0)},
            {"ensemble.weight", m_weight.detach()},
            {"ensemble.bias", m_bias.detach()}};
}

void RewardModel::setHeadState(const at::Tensor &weight, const at::Tensor &bias)
{
    if (!weight.defined() || !bias.defined() || weight.sizes() != m_weight.sizes() || bias.sizes() != m_bias.sizes())
        throw Error("reward model: head state must be score.weight " + shapeText(m_weight) + " and score.bias "
                    + shapeText(m_bias));
    at::NoGradGuard noGrad;
    m_weight.copy_(weight);
    m_bias.copy_(bias);
}

} // namespace awb
