#include "model/sampler.h"

#include "model/kernels.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <random>

namespace awb {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Draws one token per row of `logits` [N, V] (fp32, CPU). Returns the tokens and
// their log-probabilities under the temperature-scaled distribution.
//
// Row by row on the kernels' pool rather than with torch operators: at a batch
// of 32 and a vocabulary of 49k, log_softmax, softmax and multinomial (which
// draws one exponential variate per vocabulary entry) cost as much as a
// quarter of a decode step. Each row takes one uniform variate from `gen`, in
// row order, so a seed reproduces a run whatever the thread count.
// `u`: one uniform variate in [0, 1) per row (unused when greedy).
std::pair<at::Tensor, at::Tensor> pick(const at::Tensor &logitsIn, const SamplingOptions &o, const double *u)
{
    const at::Tensor logits = logitsIn.to(at::kFloat).contiguous();
    const std::int64_t N = logits.size(0), V = logits.size(1);
    const bool greedy = o.greedy || o.temperature <= 0.0;
    const bool scale = !greedy && o.temperature != 1.0;
    const float temperature = static_cast<float>(o.temperature);
    const bool topK = !greedy && o.topK > 0 && o.topK < V, topP = !greedy && o.topP < 1.0;
    at::Tensor tokens = at::empty({N}, at::kLong);
    at::Tensor logprobs = at::empty({N}, at::kFloat);
    const float *in = logits.data_ptr<float>();
    std::int64_t *tok = tokens.data_ptr<std::int64_t>();
    float *lp = logprobs.data_ptr<float>();
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();

    kernels::parallelFor(N, 1, [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> s(static_cast<std::size_t>(V)), work;
        std::vector<std::int64_t> order;
        for (std::int64_t r = begin; r < end; ++r) {
            const float *row = in + r * V;
            for (std::int64_t i = 0; i < V; ++i)
                s[i] = scale ? row[i] / temperature : row[i];   // as torch's logits / temperature
            const double lse = kernels::logSumExp(s.data(), V);
            std::int64_t chosen = 0;
            if (greedy) {
                chosen = std::max_element(s.begin(), s.end()) - s.begin();   // the first maximum, as argmax
            } else {
                if (topK) {
                    // Keep every token at least as likely as the k-th most likely one.
                    work = s;
                    std::nth_element(work.begin(), work.begin() + (o.topK - 1), work.end(), std::greater<float>());
                    const float kth = work[o.topK - 1];
                    for (auto &v : s)
                        if (v < kth)
                            v = kNegInf;
                }
                kernels::softmax(s.data(), 1, V);
                if (topP) {
                    // Most likely first; drop a token once the tokens before it hold
                    // top_p of the mass. The most likely token always stays.
                    order.clear();
                    for (std::int64_t i = 0; i < V; ++i)
                        if (s[i] > 0.f)
                            order.push_back(i);
                    std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
                        return s[a] > s[b] || (s[a] == s[b] && a < b);
                    });
                    double before = 0.0;
                    std::size_t kept = 0;
                    while (kept < order.size() && (kept == 0 || before < o.topP))
                        before += s[order[kept++]];
                    const double target = u[r] * before;
                    double cum = 0.0;
                    chosen = order[kept - 1];
                    for (std::size_t j = 0; j < kept; ++j) {
                        cum += s[order[j]];
                        if (cum > target) {
                            chosen = order[j];
                            break;
                        }
                    }
                } else {
                    // Inverse of the cumulative distribution; rounding can leave the
                    // total just under u, then the last possible token is taken.
                    double cum = 0.0;
                    chosen = -1;
                    for (std::int64_t i = 0; i < V; ++i) {
                        if (s[i] <= 0.f)
                            continue;
                        cum += s[i];
                        chosen = i;
                        if (cum > u[r])
                            break;
                    }
                }
            }
            tok[r] = chosen;
            const float scaled = scale ? row[chosen] / temperature : row[chosen];
            lp[r] = static_cast<float>(static_cast<double>(scaled) - lse);
        }
    });
    return {tokens, logprobs};
}

} // namespace

const char *finishReasonName(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Length: return "length";
    case FinishReason::Eos: return "eos";
    case FinishReason::Stop: return "stop";
    case FinishReason::Cancelled: return "cancelled";
    }
    return "unknown";
}

GenerationResult generate(CausalLM &model, const std::vector<std::vector<std::int32_t>> &prompts,
                          const SamplingOptions &o, const TokenDecoder &decoder, const std::function<bool()> &shouldStop)
{
    if (prompts.empty())
        throw Error("generate: no prompts");
    if (o.numSamples < 1)
        throw Error("generate: the number of samples per prompt must be at least 1");
    if (o.maxNewTokens < 0)
        throw Error("generate: max_new_tokens must not be negative");
    if (!o.promptSeeds.empty() && o.promptSeeds.size() != prompts.size())
        throw Error("generate: " + std::to_string(o.promptSeeds.size()) + " prompt seeds for " +
                    std::to_string(prompts.size()) + " prompts");
    if (!o.stopStrings.empty() && !decoder)
        throw Error("generate: stop strings need a tokenizer to decode with");
    const ModelConfig &c = model.config();
    const std::int64_t B = static_cast<std::int64_t>(prompts.size()), G = o.numSamples;
    std::int64_t longest = 0;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        const auto len = static_cast<std::int64_t>(prompts[i].size());
        if (len == 0)
            throw Error("generate: prompt " + std::to_string(i) + " is empty");
        if (len >= c.maxPositionEmbeddings)
            throw Error("generate: prompt " + std::to_string(i) + " has " + std::to_string(len)
                        + " tokens; the model's context is " + std::to_string(c.maxPositionEmbeddings));
        longest = std::max(longest, len);
    }
    const std::int64_t maxNew = std::min(o.maxNewTokens, c.maxPositionEmbeddings - longest);

    at::NoGradGuard noGrad;
    const bool wasTraining = model.training();
    model.setTraining(false);
    struct RestoreTraining
    {
        CausalLM &m;
        bool t;
        ~RestoreTraining() { m.setTraining(t); }
    } restore{model, wasTraining};
    // Each batch row's adapters follow its prompt's weight vector ("lora" conditioning).
    const bool preferences = !o.promptPreferences.empty();
    if (preferences && static_cast<std::int64_t>(o.promptPreferences.size()) != B)
        throw Error("generate: " + std::to_string(o.promptPreferences.size()) + " preference vectors for "
                    + std::to_string(B) + " prompts");
    auto preferenceOf = [&](const std::vector<std::int64_t> &promptOfRow) {
        const std::int64_t K = model.preferenceRank();
        at::Tensor rows = at::empty({static_cast<std::int64_t>(promptOfRow.size()), K}, at::kFloat);
        auto rowsA = rows.accessor<float, 2>();
        for (std::size_t i = 0; i < promptOfRow.size(); ++i) {
            const auto &w = o.promptPreferences[static_cast<std::size_t>(promptOfRow[i])];
            if (static_cast<std::int64_t>(w.size()) != K)
                throw Error("generate: a preference vector has " + std::to_string(w.size())
                            + " weights; the model's adapters take " + std::to_string(K));
            for (std::int64_t k = 0; k < K; ++k)
                rowsA[static_cast<std::int64_t>(i)][k] = static_cast<float>(w[static_cast<std::size_t>(k)]);
        }
        return rows;
    };
    PreferenceScope preferenceScope(model, model.preference());

    // Left-pad into [B, longest]; positions count real tokens only, as transformers does.
    at::Tensor ids = at::full({B, longest}, o.padTokenId, at::kLong);
    at::Tensor valid = at::zeros({B, longest}, at::kBool);
    at::Tensor positions = at::zeros({B, longest}, at::kLong);
    std::vector<std::int64_t> lengths(B);
    GenerationResult result;
    {
        auto idsA = ids.accessor<std::int64_t, 2>();
        auto validA = valid.accessor<bool, 2>();
        auto posA = positions.accessor<std::int64_t, 2>();
        for (std::int64_t b = 0; b < B; ++b) {
            const auto &p = prompts[b];
            const std::int64_t len = static_cast<std::int64_t>(p.size()), pad = longest - len;
            lengths[b] = len;
            result.promptTokens += len;
            for (std::int64_t t = 0; t < len; ++t) {
                idsA[b][pad + t] = p[t];
                validA[b][pad + t] = true;
                posA[b][pad + t] = t;
            }
        }
    }

    // Each prompt is prefilled on its own and its keys and values copied into its
    // row of the batch's cache, behind its left padding: what a prompt's samples
    // get then does not depend on the other prompts of the batch (their lengths
    // would change its padding, and the batch's size which code path runs), so a
    // data-parallel rank holding some of a step's prompts draws what a single
    // process holding all of them draws.
    const auto t0 = Clock::now();
    KvCache cache = model.makeCache(B, longest + maxNew);
    std::vector<at::Tensor> lastLogits;
    for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t len = lengths[b], pad = longest - len;
        KvCache own = model.makeCache(1, len);
        if (preferences)
            model.setPreference(preferenceOf({b}));
        const at::Tensor hidden = model.forward(ids.narrow(0, b, 1).narrow(1, pad, len).to(model.device()),
                                                positions.narrow(0, b, 1).narrow(1, pad, len).to(model.device()), &own,
                                                valid.narrow(0, b, 1).narrow(1, pad, len).to(model.device()));
        lastLogits.push_back(model.logits(hidden.select(1, len - 1)));
        for (std::size_t i = 0; i < cache.keys.size(); ++i) {
            cache.keys[i].narrow(0, b, 1).narrow(2, pad, len).copy_(own.keys[i].narrow(2, 0, len));
            cache.values[i].narrow(0, b, 1).narrow(2, pad, len).copy_(own.values[i].narrow(2, 0, len));
        }
        cache.keyValid.narrow(0, b, 1).narrow(1, pad, len).fill_(true);
    }
    cache.length = longest;
    at::Tensor logits = at::cat(lastLogits, 0);   // [B, V]
    result.prefillSeconds = secondsSince(t0);

    // One row per sample: prompt b's cache copied G times.
    const std::int64_t N = B * G;
    std::vector<std::int64_t> nextPos(N);
    for (std::int64_t r = 0; r < N; ++r)
        nextPos[r] = lengths[r / G];
    if (G > 1) {
        const at::Tensor expand = at::arange(B, at::kLong).repeat_interleave(G);
        cache.selectRows(expand);
        logits = logits.index_select(0, expand.to(logits.device()));
    }
    result.peakCacheBytes = cache.bytes();

    result.sequences.resize(N);
    std::vector<std::int64_t> rowSeq(N);   // batch row -> sequence
    std::vector<bool> rowActive(N, true);
    for (std::int64_t r = 0; r < N; ++r) {
        result.sequences[r].promptIndex = r / G;
        rowSeq[r] = r;
    }
    // One stream for the batch (draws in row order), or with promptSeeds one per prompt: a prompt's
    // rows then draw in their order from their own stream, whatever else is in the batch.
    at::Generator gen = at::detail::createCPUGenerator(o.seed);
    std::vector<std::mt19937_64> streams;
    for (const auto seed : o.promptSeeds)
        streams.emplace_back(seed);
    const bool greedy = o.greedy || o.temperature <= 0.0;
    std::vector<double> uniforms;
    const auto t1 = Clock::now();
    const c10::Device device = model.device();

    for (std::int64_t step = 0; step < maxNew; ++step) {
        if (shouldStop && shouldStop()) {
            for (std::size_t r = 0; r < rowSeq.size(); ++r)
                if (rowActive[r])
                    result.sequences[rowSeq[r]].finish = FinishReason::Cancelled;
            break;
        }
        const auto batchRows = static_cast<std::int64_t>(rowSeq.size());
        uniforms.assign(static_cast<std::size_t>(batchRows), 0.0);
        if (!greedy && streams.empty()) {
            const at::Tensor u = at::rand({batchRows}, gen, at::TensorOptions().dtype(at::kDouble));
            std::copy(u.data_ptr<double>(), u.data_ptr<double>() + batchRows, uniforms.begin());
        } else if (!greedy) {
            for (std::int64_t r = 0; r < batchRows; ++r)
                if (rowActive[static_cast<std::size_t>(r)])
                    uniforms[static_cast<std::size_t>(r)] =
                        static_cast<double>(streams[static_cast<std::size_t>(rowSeq[r] / G)]() >> 11) * 0x1.0p-53;
        }
        const auto [tokens, logprobs] = pick(logits.to(at::kCPU), o, uniforms.data());
        const auto tokA = tokens.accessor<std::int64_t, 1>();
        const auto lpA = logprobs.accessor<float, 1>();
        const std::int64_t rows = static_cast<std::int64_t>(rowSeq.size());
        std::vector<std::int64_t> keep;
        for (std::int64_t r = 0; r < rows; ++r) {
            if (!rowActive[r])
                continue;
            SampledSequence &s = result.sequences[rowSeq[r]];
            const auto token = static_cast<std::int32_t>(tokA[r]);
            s.tokens.push_back(token);
            s.logprobs.push_back(lpA[r]);
            ++result.generatedTokens;
            bool done = false;
            if (std::find(o.eosTokenIds.begin(), o.eosTokenIds.end(), token) != o.eosTokenIds.end()) {
                s.finish = FinishReason::Eos;
                done = true;
            } else if (!o.stopStrings.empty()) {
                const std::string text = decoder(s.tokens);
                for (const auto &stop : o.stopStrings)
                    if (!stop.empty() && text.find(stop) != std::string::npos) {
                        s.finish = FinishReason::Stop;
                        done = true;
                    }
            }
            if (done)
                rowActive[r] = false;
            else
                keep.push_back(r);
        }
        if (keep.empty() || step + 1 == maxNew)
            break;

        // Drop finished rows once they are a quarter of the batch: the copy of the
        // cache costs less than running them for the remaining steps.
        std::vector<std::int64_t> rowsNow;
        if (static_cast<double>(keep.size()) <= 0.75 * static_cast<double>(rows)) {
            const at::Tensor index = at::tensor(keep, at::kLong);
            cache.selectRows(index);
            std::vector<std::int64_t> newSeq, newPos;
            for (auto r : keep) {
                newSeq.push_back(rowSeq[r]);
                newPos.push_back(nextPos[r]);
            }
            rowSeq = std::move(newSeq);
            nextPos = std::move(newPos);
            rowActive.assign(rowSeq.size(), true);
            rowsNow = keep;
        } else {
            for (std::int64_t r = 0; r < rows; ++r)
                rowsNow.push_back(r);
        }
        const std::int64_t n = static_cast<std::int64_t>(rowsNow.size());
        at::Tensor stepIds = at::empty({n, 1}, at::kLong), stepPos = at::empty({n, 1}, at::kLong);
        at::Tensor stepValid = at::empty({n, 1}, at::kBool);
        {
            auto idA = stepIds.accessor<std::int64_t, 2>();
            auto posA = stepPos.accessor<std::int64_t, 2>();
            auto vA = stepValid.accessor<bool, 2>();
            for (std::int64_t i = 0; i < n; ++i) {
                const std::int64_t oldRow = rowsNow[i];
                const bool active = rowActive[i];
                idA[i][0] = active ? tokA[oldRow] : o.padTokenId;
                vA[i][0] = active;
                posA[i][0] = nextPos[i];
                nextPos[i] += 1;
            }
        }
        if (preferences) {
            std::vector<std::int64_t> promptOfRow;
            for (const auto seq : rowSeq)
                promptOfRow.push_back(seq / G);
            model.setPreference(preferenceOf(promptOfRow));
        }
        const at::Tensor h = model.forward(stepIds.to(device), stepPos.to(device), &cache, stepValid.to(device));
        logits = model.logits(h.select(1, 0));
        result.peakCacheBytes = std::max(result.peakCacheBytes, cache.bytes());
    }
    result.decodeSeconds = secondsSince(t1);
    return result;
}

} // namespace awb
