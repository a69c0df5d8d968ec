#include "train/rollout.h"

#include "io/model_config.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "model/sampler.h"
#include "reward/conservative_reward.h"
#include "reward/reward_model.h"
#include "train/conditioning.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace awb {

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t step, std::uint64_t salt)
{
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (step + 1) + 0xD1B54A32D192ED03ull * (salt + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

LoraOptions loraOptionsFor(const GrpoOptions &o)
{
    LoraOptions lora;
    lora.r = o.loraR;
    lora.alpha = o.loraAlpha;
    lora.dropout = o.loraDropout;
    lora.targetModules = o.loraTargets();
    lora.baseModelPath = o.model;
    return lora;
}

Rollout::Rollout(const GrpoOptions &options, CausalLM &policy, std::vector<std::string> prompts)
    : m_options(options), m_policy(policy), m_prompts(std::move(prompts)),
      m_tokenizer(std::make_unique<Tokenizer>(Tokenizer::load(options.model)))
{
    // Padding rows of the embedding (ids the tokenizer has no token for) are never sampled nor scored.
    limitToTokenizer(m_policy, *m_tokenizer, options.model);
    m_eosIds = endOfTurnIds(*m_tokenizer, m_policy.config(), loadGenerationEosIds(options.model));
    m_padId = m_tokenizer->padId().value_or(m_eosIds.empty() ? 0 : m_eosIds.front());
    m_budget = promptBudget(options.maxPromptLength, options.maxCompletionLength,
                            m_policy.config().maxPositionEmbeddings, options.model);
    for (const auto &p : m_prompts)
        m_promptIds.push_back(encodePrompt(*m_tokenizer, p, options.useChatTemplate, m_budget.promptTokens));
}

Rollout::~Rollout() = default;

std::vector<std::int64_t> epochOrder(std::int64_t P, std::int64_t B, std::uint64_t seed, std::int64_t s)
{
    std::vector<std::int64_t> out;
    std::int64_t cachedEpoch = -1;
    std::vector<std::int64_t> perm;
    for (std::int64_t k = (s - 1) * B; k < s * B; ++k) {
        const std::int64_t epoch = k / P;
        if (epoch != cachedEpoch) {
            perm.resize(static_cast<std::size_t>(P));
            std::iota(perm.begin(), perm.end(), 0);
            std::mt19937_64 rng(mixSeed(seed, static_cast<std::uint64_t>(epoch), 1));
            for (std::int64_t i = P - 1; i > 0; --i) {   // Fisher-Yates with our own draw: same on every libstdc++/libc++
                const auto j = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(i + 1));
                std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
            }
            cachedEpoch = epoch;
        }
        out.push_back(perm[static_cast<std::size_t>(k % P)]);
    }
    return out;
}

const std::vector<std::int32_t> &Rollout::conditionedPromptIds(std::int64_t index, const std::vector<double> &weights)
{
    // "lora" conditioning shows the vector to the adapters, not in the prompt.
    if (weights.empty() || parseConditioning(m_options.conditioning) == Conditioning::Lora)
        return promptIds(index);
    auto key = std::make_pair(index, weights);
    auto it = m_conditioned.find(key);
    if (it == m_conditioned.end()) {
        // The line comes on top of the prompt budget, which keeps counting the prompt's own tokens,
        // as long as the completion still fits the context (then the prompt's own text is cut).
        const std::string line = conditioningLine(m_aspects, weights);
        std::int64_t budget = m_budget.promptTokens + systemTurnTokens(*m_tokenizer, m_options.useChatTemplate, line);
        const std::int64_t context = m_policy.config().maxPositionEmbeddings;
        if (context > 0)
            budget = std::min(budget, context - m_options.maxCompletionLength);
        it = m_conditioned
                 .emplace(std::move(key), encodePrompt(*m_tokenizer, prompt(index), m_options.useChatTemplate, budget, line))
                 .first;
    }
    return it->second;
}

std::vector<std::int64_t> Rollout::promptsForStep(std::int64_t s) const
{
    return epochOrder(static_cast<std::int64_t>(m_promptIds.size()), m_options.promptsPerStep, m_options.seed, s);
}

GenerationBatch Rollout::generate(const std::vector<std::int64_t> &promptIndex, std::uint64_t seed,
                                  const std::function<bool()> &cancelled, std::int64_t firstGroup,
                                  const std::vector<std::vector<double>> &groupWeights, bool sampleConditioned)
{
    if (!groupWeights.empty() && groupWeights.size() != promptIndex.size())
        throw Error("generate: " + std::to_string(groupWeights.size()) + " weight vectors for " +
                    std::to_string(promptIndex.size()) + " prompts");
    auto idsOf = [&](std::size_t g) -> const std::vector<std::int32_t> & {
        return conditionedPromptIds(promptIndex[g], groupWeights.empty() ? std::vector<double>{} : groupWeights[g]);
    };
    const GrpoOptions &o = m_options;
    SamplingOptions so;
    so.numSamples = o.numGenerations;
    so.maxNewTokens = o.maxCompletionLength;
    so.temperature = o.temperature;
    so.topP = o.topP;
    so.topK = o.topK;
    so.eosTokenIds = m_eosIds;
    so.padTokenId = m_padId;
    so.seed = seed;
    // "lora" conditioning: each group's rows run the adapters at its vector (from the first step:
    // the preference block starts at zero, so there is nothing to warm up).
    if (!groupWeights.empty() && parseConditioning(o.conditioning) == Conditioning::Lora)
        so.promptPreferences = groupWeights;
    std::vector<std::vector<std::int32_t>> prompts;
    for (std::size_t g = 0; g < promptIndex.size(); ++g) {
        prompts.push_back(sampleConditioned ? idsOf(g) : promptIds(promptIndex[g]));
        so.promptSeeds.push_back(mixSeed(seed, static_cast<std::uint64_t>(firstGroup) + (so.promptSeeds.size()), 40));
    }
    GenerationBatch batch;
    batch.promptIndex = promptIndex;
    batch.groupWeights = groupWeights;
    batch.G = o.numGenerations;
    if (promptIndex.empty())
        return batch;   // a rank's share of a round can be empty
    m_policy.setTraining(false);
    const GenerationResult gen = awb::generate(m_policy, prompts, so, {}, cancelled);
    batch.generatedTokens = gen.generatedTokens;
    for (const auto &seq : gen.sequences) {
        if (seq.finish == FinishReason::Cancelled) {
            batch.cancelled = true;
            return batch;
        }
        GeneratedCompletion c;
        c.prompt = &idsOf(static_cast<std::size_t>(seq.promptIndex));
        c.tokens = seq.tokens;
        c.finish = finishReasonName(seq.finish);
        c.truncated = seq.finish != FinishReason::Eos;
        // An id without a token (a hole in an odd vocabulary) is left out of the text rather than
        // failing the step; the tokens themselves are trained on unchanged.
        std::vector<std::int32_t> known;
        for (auto id : seq.tokens)
            if (m_tokenizer->hasId(id))
                known.push_back(id);
        c.text = m_tokenizer->decode(known, true);
        batch.completions.push_back(std::move(c));
    }
    return batch;
}

void Rollout::score(GenerationBatch &batch, RewardModel &rewardModel, const GoldScorer &gold,
                    const std::string &rewardModelLabel, std::int64_t step) const
{
    if (batch.completions.empty())
        return;
    std::vector<std::string> prompts, responses;
    for (std::size_t i = 0; i < batch.completions.size(); ++i) {
        prompts.push_back(prompt(batch.promptIndex[i / static_cast<std::size_t>(batch.G)]));
        responses.push_back(batch.completions[i].text);
    }
    const EnsembleScores scored = rewardModel.scoreDetailed(prompts, responses, m_options.rewardBatchSize);
    const auto &scores = scored.mean;
    const auto names = rewardModel.aspects().names();
    for (std::size_t i = 0; i < batch.completions.size(); ++i) {
        auto &c = batch.completions[i];
        c.scores.assign(scores[i].begin(), scores[i].end());
        if (rewardModel.ensembleSize() > 1)
            setEnsembleScores(c, scored.std[i], scored.members[i]);
        for (std::size_t k = 0; k < c.scores.size() && k < names.size(); ++k)
            if (!std::isfinite(c.scores[k]))
                throw Error("step " + std::to_string(step) + ": " + rewardModelLabel + " scored " + names[k] +
                            " as " + std::to_string(c.scores[k]) + " for completion " + std::to_string(i) +
                            " of prompt \"" + prompts[i].substr(0, 60) + "\"; the step was not recorded");
        if (gold) {
            const auto judged = gold(prompts[i], responses[i]);
            c.gold.clear();
            for (const auto &name : names) {
                const auto it = judged.find(name);
                c.gold.push_back(it == judged.end() ? std::nan("") : it->second);
            }
        }
    }
}

void Rollout::setEnsembleScores(GeneratedCompletion &c, const std::vector<float> &spread,
                                const std::vector<std::vector<float>> &members) const
{
    c.scoreStd.assign(spread.begin(), spread.end());
    c.members.clear();
    for (const auto &m : members)
        c.members.emplace_back(m.begin(), m.end());
    c.rewardScores.clear();
    const EnsembleAggregation aggregation = parseEnsembleAggregation(m_options.rewardEnsembleAggregation);
    if (m_options.rewardUncertaintyPenalty == 0.0 && aggregation == EnsembleAggregation::Mean)
        return;
    for (const auto &m : c.members)
        c.rewardScores.push_back(conservativeScore(m, m_options.rewardUncertaintyPenalty, aggregation));
}

std::string ensembleOptionsWarning(const GrpoOptions &o, std::int64_t ensembleSize, const std::string &rewardModelLabel)
{
    if (ensembleSize > 1 || (o.rewardUncertaintyPenalty == 0.0 && o.rewardEnsembleAggregation == "mean"))
        return {};
    const std::string what = o.rewardUncertaintyPenalty != 0.0
                                 ? "reward_uncertainty_penalty " + std::to_string(o.rewardUncertaintyPenalty)
                                 : "reward_ensemble_aggregation " + o.rewardEnsembleAggregation;
    return "warning: " + what + " has no effect: " + rewardModelLabel +
           " has a single head, so there is no spread across members to penalise; train an ensemble "
           "(ensemble_size > 1) for conservative rewards";
}

std::vector<PackedMicroBatch> Rollout::pack(const GenerationBatch &batch, std::int64_t rows, std::int64_t begin,
                                            std::int64_t end) const
{
    const auto N = end < 0 ? static_cast<std::int64_t>(batch.completions.size()) : end;
    const std::int64_t mb = rows > 0 ? rows : m_options.miniBatchSize;
    std::vector<PackedMicroBatch> micro;
    for (std::int64_t start = begin; start < N; start += mb)
        micro.push_back(batch.pack(start, std::min(N, start + mb), m_padId, m_options.maskTruncatedCompletions,
                                   m_policy.device()));
    return micro;
}

void fillReferenceLogps(std::vector<PackedMicroBatch> &micro, CausalLM &policy, CausalLM *reference,
                        double temperature, bool wantReference, bool wantOld, bool sharePrompts,
                        const std::vector<PackedMicroBatch> *referenceMicro)
{
    if (referenceMicro && referenceMicro->size() != micro.size())
        throw Error("fillReferenceLogps: " + std::to_string(referenceMicro->size()) + " reference micro-batches for " +
                    std::to_string(micro.size()));
    if (!wantReference && !wantOld)
        return;
    at::NoGradGuard noGrad;
    policy.setTraining(false);
    for (std::size_t i = 0; i < micro.size(); ++i) {
        PackedMicroBatch &m = micro[i];
        const PackedMicroBatch &rm = referenceMicro ? (*referenceMicro)[i] : m;
        if (wantReference) {
            if (reference) {
                m.refLogps = completionLogps(*reference, rm, temperature, nullptr, sharePrompts);
            } else {
                policy.setAdaptersEnabled(false);
                m.refLogps = completionLogps(policy, rm, temperature, nullptr, sharePrompts);
                policy.setAdaptersEnabled(true);
            }
        }
        if (wantOld)
            m.oldLogps = completionLogps(policy, m, temperature, nullptr, sharePrompts);
    }
}

} // namespace awb
