#include "train/grpo_batch.h"

#include "io/model_config.h"
#include "model/causal_lm.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace awb {

at::Tensor GenerationBatch::scoresTensor() const
{
    const auto N = static_cast<std::int64_t>(completions.size());
    const auto K = N == 0 ? std::int64_t(0) : static_cast<std::int64_t>(completions.front().scores.size());
    at::Tensor out = at::empty({N, K}, at::kDouble);
    double *p = out.data_ptr<double>();
    for (const auto &c : completions) {
        const std::vector<double> &s = c.rewardScores.empty() ? c.scores : c.rewardScores;
        if (static_cast<std::int64_t>(s.size()) != K)
            throw Error("GRPO: completions were scored with different numbers of aspects");
        p = std::copy(s.begin(), s.end(), p);
    }
    return out;
}

at::Tensor GenerationBatch::weightRows(std::int64_t K) const
{
    if (groupWeights.empty())
        return {};
    at::Tensor out = at::empty({static_cast<std::int64_t>(completions.size()), K}, at::kDouble);
    auto rows = out.accessor<double, 2>();
    for (std::int64_t i = 0; i < out.size(0); ++i) {
        const auto &w = groupWeights[static_cast<std::size_t>(i / G)];
        if (static_cast<std::int64_t>(w.size()) != K)
            throw Error("weightRows: a group's weights have " + std::to_string(w.size()) + " entries for " +
                        std::to_string(K) + " aspects");
        for (std::int64_t k = 0; k < K; ++k)
            rows[i][k] = static_cast<double>(K) * w[static_cast<std::size_t>(k)];
    }
    return out;
}

void GenerationBatch::replaceGroup(std::size_t g, const GenerationBatch &other, std::size_t e)
{
    const auto n = static_cast<std::size_t>(G);
    promptIndex[g] = other.promptIndex[e];
    if (!groupWeights.empty() && !other.groupWeights.empty())
        groupWeights[g] = other.groupWeights[e];
    for (std::size_t i = 0; i < n; ++i)
        completions[g * n + i] = other.completions[e * n + i];
}

PackedMicroBatch GenerationBatch::pack(std::int64_t begin, std::int64_t end, std::int64_t padId, bool maskTruncated,
                                       c10::Device device) const
{
    PackedMicroBatch m;
    m.start = begin;
    m.rows = end - begin;
    for (std::int64_t r = begin; r < end; ++r) {
        const auto &c = completions[static_cast<std::size_t>(r)];
        m.promptWidth = std::max<std::int64_t>(m.promptWidth, static_cast<std::int64_t>(c.prompt->size()));
        m.completionWidth = std::max<std::int64_t>(m.completionWidth, static_cast<std::int64_t>(c.tokens.size()));
    }
    m.completionWidth = std::max<std::int64_t>(m.completionWidth, 1);
    const std::int64_t W = m.promptWidth + m.completionWidth;
    at::Tensor ids = at::full({m.rows, W}, padId, at::kLong);
    at::Tensor pos = at::zeros({m.rows, W}, at::kLong);
    at::Tensor valid = at::zeros({m.rows, W}, at::kBool);
    at::Tensor targets = at::full({m.rows, m.completionWidth}, padId, at::kLong);
    at::Tensor mask = at::zeros({m.rows, m.completionWidth}, at::kFloat);
    auto idA = ids.accessor<std::int64_t, 2>();
    auto posA = pos.accessor<std::int64_t, 2>();
    auto validA = valid.accessor<bool, 2>();
    auto tgtA = targets.accessor<std::int64_t, 2>();
    auto maskA = mask.accessor<float, 2>();
    std::vector<std::int64_t> promptRows, rowPrompt;
    for (std::int64_t r = 0; r < m.rows; ++r) {
        const auto &c = completions[static_cast<std::size_t>(begin + r)];
        // A row shares the previous row's prompt when the ids are the same, and in a
        // steerable run the group too (its weights steer a "lora"-conditioned prompt pass).
        const bool newGroup = !groupWeights.empty() && r > 0 && (begin + r) / G != (begin + r - 1) / G;
        if (r == 0 || newGroup || *c.prompt != *completions[static_cast<std::size_t>(begin + r - 1)].prompt)
            promptRows.push_back(r);
        rowPrompt.push_back(static_cast<std::int64_t>(promptRows.size()) - 1);
        const auto P = static_cast<std::int64_t>(c.prompt->size());
        const auto T = static_cast<std::int64_t>(c.tokens.size());
        const std::int64_t left = m.promptWidth - P;
        for (std::int64_t j = 0; j < P; ++j) {
            idA[r][left + j] = (*c.prompt)[static_cast<std::size_t>(j)];
            posA[r][left + j] = j;
            validA[r][left + j] = true;
        }
        const bool counts = !(maskTruncated && c.truncated);
        for (std::int64_t j = 0; j < T; ++j) {
            idA[r][m.promptWidth + j] = c.tokens[static_cast<std::size_t>(j)];
            posA[r][m.promptWidth + j] = P + j;
            validA[r][m.promptWidth + j] = true;
            tgtA[r][j] = c.tokens[static_cast<std::size_t>(j)];
            maskA[r][j] = counts ? 1.0f : 0.0f;
        }
        m.countedTokens += static_cast<double>(T);
    }
    m.ids = ids.to(device);
    m.positions = pos.to(device);
    m.valid = valid.to(device);
    m.targets = targets.to(device);
    m.mask = mask.to(device);
    m.promptRows = at::tensor(promptRows, at::kLong).to(device);
    m.rowPrompt = at::tensor(rowPrompt, at::kLong).to(device);
    if (!groupWeights.empty()) {
        const auto K = static_cast<std::int64_t>(groupWeights.front().size());
        at::Tensor pref = at::empty({m.rows, K}, at::kFloat);
        auto prefA = pref.accessor<float, 2>();
        for (std::int64_t r = 0; r < m.rows; ++r)
            for (std::int64_t k = 0; k < K; ++k)
                prefA[r][k] = static_cast<float>(groupWeights[static_cast<std::size_t>((begin + r) / G)][static_cast<std::size_t>(k)]);
        m.preference = pref.to(device);
    }
    return m;
}

at::Tensor gatherRows(const std::vector<PackedMicroBatch> &micro, at::Tensor PackedMicroBatch::*field)
{
    std::int64_t N = 0, T = 1;
    for (const auto &m : micro) {
        N = std::max(N, m.start + m.rows);
        T = std::max(T, m.completionWidth);
    }
    at::Tensor out;
    for (const auto &m : micro) {
        const at::Tensor &t = m.*field;
        if (!t.defined())
            throw Error("gatherRows: a micro-batch lacks the field");
        if (!out.defined())
            out = at::zeros({N, T}, t.options());
        out.narrow(0, m.start, m.rows).narrow(1, 0, m.completionWidth).copy_(t.detach());
    }
    return out;
}

void scatterRows(std::vector<PackedMicroBatch> &micro, at::Tensor PackedMicroBatch::*field, const at::Tensor &full)
{
    for (auto &m : micro)
        m.*field = full.narrow(0, m.start, m.rows).narrow(1, 0, m.completionWidth).contiguous();
}

namespace {

// The hidden states that predict the completion tokens, [rows, C, H]: column
// P - 1 of a packed row predicts its first completion token. Each distinct
// prompt runs once into a cache, which is then expanded to the rows.
at::Tensor sharedPromptHidden(CausalLM &model, const PackedMicroBatch &b)
{
    const std::int64_t P = b.promptWidth, C = b.completionWidth;
    const at::Tensor &pr = b.promptRows;
    KvCache cache = model.makeCache(pr.size(0), P + C);
    const bool steered = b.preference.defined() && model.preferenceRank() > 0;
    PreferenceScope preference(model, steered ? b.preference.index_select(0, pr) : model.preference());
    const at::Tensor hp = model.forward(b.ids.index_select(0, pr).narrow(1, 0, P),
                                        b.positions.index_select(0, pr).narrow(1, 0, P), &cache,
                                        b.valid.index_select(0, pr).narrow(1, 0, P));
    cache.selectRows(b.rowPrompt);   // differentiable: the rows' gradients add up on their prompt
    if (steered)
        model.setPreference(b.preference);
    const at::Tensor hc =
        model.forward(b.ids.narrow(1, P, C), b.positions.narrow(1, P, C), &cache, b.valid.narrow(1, P, C));
    return at::cat({hp.index_select(0, b.rowPrompt).narrow(1, P - 1, 1), hc.narrow(1, 0, C - 1)}, 1);
}

} // namespace

at::Tensor completionLogps(CausalLM &model, const PackedMicroBatch &batch, double temperature, at::Tensor *entropy,
                           bool sharePrompts)
{
    at::Tensor h;
    if (sharePrompts && batch.promptRows.defined() && batch.promptRows.size(0) < batch.rows
        && batch.promptWidth + batch.completionWidth <= model.config().maxPositionEmbeddings) {
        h = sharedPromptHidden(model, batch);
    } else {
        // Only the hidden states that predict completion tokens go through the
        // LM head: column promptWidth - 1 predicts the first completion token.
        const bool steered = batch.preference.defined() && model.preferenceRank() > 0;
        PreferenceScope preference(model, steered ? batch.preference : model.preference());
        const at::Tensor hidden = model.forward(batch.ids, batch.positions, nullptr, batch.valid);
        h = hidden.narrow(1, batch.promptWidth - 1, batch.completionWidth);
    }
    // The log-probs come chunk by chunk from the head (CausalLM::tokenLogProbs):
    // the [rows, width, vocabulary] logits never exist.
    return model.tokenLogProbs(h, batch.targets, temperature, entropy);
}

void limitToTokenizer(CausalLM &model, const Tokenizer &tokenizer, const std::string &label)
{
    if (tokenizer.vocabSize() > model.config().vocabSize)
        throw Error(label + ": the tokenizer has " + std::to_string(tokenizer.vocabSize())
                    + " ids but the model's embedding has only " + std::to_string(model.config().vocabSize) + " rows");
    model.setOutputVocab(tokenizer.vocabSize());
}

std::vector<std::int64_t> endOfTurnIds(const Tokenizer &tokenizer, const ModelConfig &config,
                                       const std::vector<std::int64_t> &generationEos)
{
    std::vector<std::int64_t> ids(config.eosTokenIds.begin(), config.eosTokenIds.end());
    ids.insert(ids.end(), generationEos.begin(), generationEos.end());
    if (const auto eos = tokenizer.eosId())
        ids.push_back(*eos);
    for (const char *marker : {"<|im_end|>", "<|eot_id|>", "<|end|>"}) {
        const auto id = tokenizer.tokenToId(marker);
        if (id && tokenizer.isSpecial(*id))
            ids.push_back(*id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

namespace {

std::vector<std::int32_t> encodeTurns(const Tokenizer &tokenizer, const std::string &prompt, bool chatTemplate,
                                      const std::string &system)
{
    const auto kind = tokenizer.chatTemplate().kind();
    if (chatTemplate && kind != ChatTemplateKind::None && kind != ChatTemplateKind::Unknown) {
        std::vector<ChatMessage> turns;
        if (!system.empty())
            turns.push_back({"system", system});
        turns.push_back({"user", prompt});
        return tokenizer.encode(tokenizer.applyChatTemplate(turns, true), false);
    }
    return tokenizer.encode(system.empty() ? prompt : system + "\n" + prompt, true);
}

} // namespace

std::int64_t systemTurnTokens(const Tokenizer &tokenizer, bool chatTemplate, const std::string &system)
{
    const auto with = static_cast<std::int64_t>(encodeTurns(tokenizer, "", chatTemplate, system).size());
    const auto without = static_cast<std::int64_t>(encodeTurns(tokenizer, "", chatTemplate, "").size());
    return std::max<std::int64_t>(0, with - without);
}

std::vector<std::int32_t> encodePrompt(const Tokenizer &tokenizer, const std::string &prompt, bool chatTemplate,
                                       std::int64_t maxLength, const std::string &system)
{
    std::vector<std::int32_t> ids = encodeTurns(tokenizer, prompt, chatTemplate, system);
    if (ids.empty())
        throw Error("GRPO: the prompt \"" + prompt.substr(0, 40) + "\" encodes to no tokens");
    if (static_cast<std::int64_t>(ids.size()) > maxLength && !system.empty()) {
        // Keep the system line whole: cut the prompt's own text from the front,
        // the least that fits (binary search over the UTF-8 character starts).
        std::vector<std::size_t> starts;
        for (std::size_t i = 0; i <= prompt.size(); ++i)
            if (i == prompt.size() || (static_cast<unsigned char>(prompt[i]) & 0xC0) != 0x80)
                starts.push_back(i);
        std::size_t lo = 0, hi = starts.size() - 1;   // starts[hi] (the empty rest) is the fallback
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            const auto n = encodeTurns(tokenizer, prompt.substr(starts[mid]), chatTemplate, system).size();
            if (static_cast<std::int64_t>(n) <= maxLength)
                hi = mid;
            else
                lo = mid + 1;
        }
        ids = encodeTurns(tokenizer, prompt.substr(starts[hi]), chatTemplate, system);
        if (static_cast<std::int64_t>(ids.size()) > maxLength)
            throw Error("GRPO: the conditioning line alone takes " + std::to_string(ids.size()) +
                        " tokens, more than max_prompt_length " + std::to_string(maxLength) + "; raise max_prompt_length");
    }
    if (static_cast<std::int64_t>(ids.size()) > maxLength)
        ids.erase(ids.begin(), ids.end() - maxLength);
    return ids;
}

} // namespace awb
