#include "train/grpo_trainer.h"

#include "model/causal_lm.h"
#include "model/lora.h"
#include "model/sampler.h"
#include "reward/reward_model.h"
#include "text/tokenizer.h"
#include "train/adamw.h"
#include "train/advantages.h"
#include "train/grpo_batch.h"
#include "train/grpo_checkpoint.h"
#include "train/grpo_loss.h"
#include "train/lr_schedule.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace awb {

namespace {

using Clock = std::chrono::steady_clock;

std::string joinNames(const std::vector<std::string> &names)
{
    std::string s = "(";
    for (std::size_t i = 0; i < names.size(); ++i)
        s += (i ? ", " : "") + names[i];
    return s + ")";
}

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// splitmix64: decorrelates the per-step seeds derived from (seed, step, salt).
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t step, std::uint64_t salt)
{
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (step + 1) + 0xD1B54A32D192ED03ull * (salt + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct MeanStd
{
    double mean = 0, std = 0;
};

MeanStd meanStd(const std::vector<double> &v)
{
    MeanStd r;
    if (v.empty())
        return r;
    r.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    if (v.size() > 1) {
        double ss = 0;
        for (double x : v)
            ss += (x - r.mean) * (x - r.mean);
        r.std = std::sqrt(ss / static_cast<double>(v.size() - 1));   // torch.std: unbiased, as TRL logs it
    }
    return r;
}

} // namespace

struct GrpoTrainer::Impl
{
    GrpoTrainerSetup setup;
    TrainingControls &controls;
    TrainingSink &sink;
    std::shared_ptr<CausalLM> policy;      // its base may be lent to the reward model (sharesBase())
    std::unique_ptr<CausalLM> reference;   // full fine-tuning with beta > 0 only
    std::unique_ptr<Tokenizer> tokenizer;
    std::shared_ptr<RewardModel> rewardModel;
    std::int64_t rewardModelVersion = 0;
    std::vector<std::string> runAspects;   // the first reward model's: every later version must match
    std::vector<std::vector<std::int32_t>> promptIds;   // templated and tokenized, last maxPromptLength tokens
    std::vector<std::int64_t> eosIds;
    std::int64_t padId = 0;
    std::unique_ptr<AdamW> optimizer;
    std::int64_t step = 0;
    std::int64_t optimizerSteps = 0;
    std::vector<std::string> checkpoints;   // oldest first

    Impl(GrpoTrainerSetup s, TrainingControls &c, TrainingSink &k) : setup(std::move(s)), controls(c), sink(k) {}

    std::vector<std::string> aspectNames() const { return rewardModel->aspects().names(); }
    std::int64_t totalOptimizerSteps() const { return setup.options.maxSteps * setup.options.numIterations; }
    bool stopping() const { return controls.waitWhilePaused(); }
    std::vector<std::int64_t> promptsForStep(std::int64_t s) const;
    GenerationBatch generateGroups(const std::vector<std::int64_t> &promptIndex, std::uint64_t seed);
    void scoreGroups(GenerationBatch &batch);
    void refreshControls(ControlSnapshot &snap);
};

// Epoch-wise shuffled prompt order: step s takes prompts [(s-1)B, sB) of the
// concatenated permutations, each permutation seeded by (seed, epoch), so any
// step's prompts are known without replaying earlier steps.
std::vector<std::int64_t> GrpoTrainer::Impl::promptsForStep(std::int64_t s) const
{
    const auto P = static_cast<std::int64_t>(promptIds.size());
    const std::int64_t B = setup.options.promptsPerStep;
    std::vector<std::int64_t> out;
    std::int64_t cachedEpoch = -1;
    std::vector<std::int64_t> perm;
    for (std::int64_t k = (s - 1) * B; k < s * B; ++k) {
        const std::int64_t epoch = k / P;
        if (epoch != cachedEpoch) {
            perm.resize(static_cast<std::size_t>(P));
            std::iota(perm.begin(), perm.end(), 0);
            std::mt19937_64 rng(mixSeed(setup.options.seed, static_cast<std::uint64_t>(epoch), 1));
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

GenerationBatch GrpoTrainer::Impl::generateGroups(const std::vector<std::int64_t> &promptIndex, std::uint64_t seed)
{
    const GrpoOptions &o = setup.options;
    SamplingOptions so;
    so.numSamples = o.numGenerations;
    so.maxNewTokens = o.maxCompletionLength;
    so.temperature = o.temperature;
    so.topP = o.topP;
    so.topK = o.topK;
    so.eosTokenIds = eosIds;
    so.padTokenId = padId;
    so.seed = seed;
    std::vector<std::vector<std::int32_t>> prompts;
    for (auto i : promptIndex)
        prompts.push_back(promptIds[static_cast<std::size_t>(i)]);
    policy->setTraining(false);
    const GenerationResult gen = generate(*policy, prompts, so, {}, [this] { return controls.stopRequested(); });

    GenerationBatch batch;
    batch.promptIndex = promptIndex;
    batch.G = o.numGenerations;
    batch.generatedTokens = gen.generatedTokens;
    for (const auto &seq : gen.sequences) {
        if (seq.finish == FinishReason::Cancelled) {
            batch.cancelled = true;
            return batch;
        }
        GeneratedCompletion c;
        c.prompt = &promptIds[static_cast<std::size_t>(promptIndex[static_cast<std::size_t>(seq.promptIndex)])];
        c.tokens = seq.tokens;
        c.finish = finishReasonName(seq.finish);
        c.truncated = seq.finish != FinishReason::Eos;
        // An id without a token (a hole in an odd vocabulary) is left out of the text rather than
        // failing the step; the tokens themselves are trained on unchanged.
        std::vector<std::int32_t> known;
        for (auto id : seq.tokens)
            if (tokenizer->hasId(id))
                known.push_back(id);
        c.text = tokenizer->decode(known, true);
        batch.completions.push_back(std::move(c));
    }
    return batch;
}

void GrpoTrainer::Impl::scoreGroups(GenerationBatch &batch)
{
    std::vector<std::string> prompts, responses;
    for (std::size_t i = 0; i < batch.completions.size(); ++i) {
        prompts.push_back(setup.prompts[static_cast<std::size_t>(batch.promptIndex[i / static_cast<std::size_t>(batch.G)])]);
        responses.push_back(batch.completions[i].text);
    }
    const auto scores = rewardModel->score(prompts, responses, setup.options.rewardBatchSize);
    const auto names = aspectNames();
    for (std::size_t i = 0; i < batch.completions.size(); ++i) {
        auto &c = batch.completions[i];
        c.scores.assign(scores[i].begin(), scores[i].end());
        for (std::size_t k = 0; k < c.scores.size() && k < names.size(); ++k)
            if (!std::isfinite(c.scores[k])) {
                const bool first = rewardModelVersion == setup.rewardModelVersion && !setup.rewardModelPath.empty();
                const std::string where = first ? " (" + setup.rewardModelPath + ")" : std::string();
                throw Error("step " + std::to_string(step + 1) + ": reward model version " +
                            std::to_string(rewardModelVersion) + where + " scored " + names[k] + " as " +
                            std::to_string(c.scores[k]) + " for completion " + std::to_string(i) + " of prompt \"" +
                            prompts[i].substr(0, 60) + "\"; the step was not recorded");
            }
        if (setup.goldScorer) {
            const auto gold = setup.goldScorer(prompts[i], responses[i]);
            c.gold.clear();
            for (const auto &name : names) {
                const auto it = gold.find(name);
                c.gold.push_back(it == gold.end() ? std::nan("") : it->second);
            }
        }
    }
}

void GrpoTrainer::Impl::refreshControls(ControlSnapshot &snap)
{
    snap = controls.snapshot();
    if (snap.rewardModel && snap.rewardModel != rewardModel) {
        const auto names = snap.rewardModel->aspects().names();
        if (names != runAspects)
            throw Error("reward model version " + std::to_string(snap.rewardModelVersion) + " scores the aspects " +
                        joinNames(names) + " but this run's are " + joinNames(runAspects) +
                        "; a run keeps its aspects: start a new run for the new schema");
        rewardModel = snap.rewardModel;
        rewardModelVersion = snap.rewardModelVersion;
        sink.onLog("step " + std::to_string(step + 1) + ": reward model version " +
                   std::to_string(rewardModelVersion) + " in use");
    }
}

GrpoTrainer::GrpoTrainer(GrpoTrainerSetup setup, TrainingControls &controls, TrainingSink &sink)
    : m_impl(std::make_unique<Impl>(std::move(setup), controls, sink))
{
    Impl &d = *m_impl;
    const GrpoOptions &o = d.setup.options;
    validateGrpoOptions(o);
    if (!d.setup.rewardModel)
        throw Error("GRPO needs a reward model");
    if (d.setup.prompts.empty())
        throw Error("GRPO needs at least one prompt");
    d.rewardModel = d.setup.rewardModel;
    d.rewardModelVersion = d.setup.rewardModelVersion;
    d.runAspects = d.rewardModel->aspects().names();

    CausalLM::LoadOptions lo;
    lo.device = d.setup.runtime.device;
    lo.dtype = d.setup.runtime.dtype;
    d.policy = d.setup.policy ? std::move(d.setup.policy) : std::shared_ptr<CausalLM>(CausalLM::load(o.model, lo));
    d.tokenizer = std::make_unique<Tokenizer>(Tokenizer::load(o.model));
    if (o.useLora) {
        LoraOptions lora;
        lora.r = o.loraR;
        lora.alpha = o.loraAlpha;
        lora.dropout = o.loraDropout;
        lora.targetModules = o.loraTargets();
        lora.baseModelPath = o.model;
        d.policy->addLora(lora, mixSeed(o.seed, 0, 2));
        d.policy->setBaseTrainable(false);
    } else {
        d.policy->setBaseTrainable(true);
        if (o.beta != 0.0) {
            d.reference = CausalLM::load(o.model, lo);
            d.reference->setBaseTrainable(false);
        }
    }
    // Padding rows of the embedding (ids the tokenizer has no token for) are never sampled nor scored.
    limitToTokenizer(*d.policy, *d.tokenizer, o.model);
    if (d.reference)
        limitToTokenizer(*d.reference, *d.tokenizer, o.model);
    d.eosIds = endOfTurnIds(*d.tokenizer, d.policy->config(), loadGenerationEosIds(o.model));
    d.padId = d.tokenizer->padId().value_or(d.eosIds.empty() ? 0 : d.eosIds.front());
    for (const auto &p : d.setup.prompts)
        d.promptIds.push_back(encodePrompt(*d.tokenizer, p, o.useChatTemplate, o.maxPromptLength));

    AdamWOptions ao;
    ao.lr = o.learningRate;
    ao.beta1 = o.adamBeta1;
    ao.beta2 = o.adamBeta2;
    ao.eps = o.adamEpsilon;
    ao.weightDecay = o.weightDecay;
    d.optimizer = std::make_unique<AdamW>(d.policy->trainableParameters(), ao);
}

GrpoTrainer::~GrpoTrainer() = default;

std::int64_t GrpoTrainer::step() const { return m_impl->step; }
CausalLM &GrpoTrainer::policy() { return *m_impl->policy; }
const Tokenizer &GrpoTrainer::tokenizer() const { return *m_impl->tokenizer; }

std::int64_t GrpoTrainer::run()
{
    Impl &d = *m_impl;
    while (d.step < d.setup.options.maxSteps) {
        if (d.stopping() || !runStep())
            break;
        const std::int64_t every = d.setup.options.saveSteps;
        if (every > 0 && d.step % every == 0 && d.step < d.setup.options.maxSteps && !d.setup.checkpointDir.empty())
            saveCheckpoint();
    }
    if (!d.setup.checkpointDir.empty() && d.step > 0 &&
        (d.checkpoints.empty() || d.checkpoints.back() != checkpointFolder(d.setup.checkpointDir, d.step)))
        saveCheckpoint();
    return d.step;
}

bool GrpoTrainer::runStep()
{
    Impl &d = *m_impl;
    const GrpoOptions &o = d.setup.options;
    const std::int64_t s = d.step + 1;
    const auto stepStart = Clock::now();
    StepReport report;
    report.step = s;
    report.maxSteps = o.maxSteps;

    ControlSnapshot snap;
    d.refreshControls(snap);
    const auto names = d.aspectNames();
    std::vector<double> weights;
    for (const auto &name : names) {
        const auto it = snap.weights.find(name);
        const auto it2 = o.aspectWeights.find(name);
        weights.push_back(it != snap.weights.end() ? it->second : (it2 != o.aspectWeights.end() ? it2->second : 1.0));
        report.weights[name] = weights.back();
    }
    checkAspectWeights(names, report.weights);
    report.aspects = names;
    report.aggregation = snap.aggregation.empty() ? o.multiObjectiveAggregation : snap.aggregation;
    report.rewardModelVersion = d.rewardModelVersion;
    const Aggregation aggregation = parseAggregation(report.aggregation);
    const ScaleRewards scale = parseScaleRewards(o.scaleRewards);

    // --- generation and scoring (with dynamic sampling's extra rounds) ---
    double genSeconds = 0, scoreSeconds = 0;
    d.sink.onPhase(s, "generation");
    auto t0 = Clock::now();
    GenerationBatch batch = d.generateGroups(d.promptsForStep(s), mixSeed(o.seed, static_cast<std::uint64_t>(s), 3));
    genSeconds += secondsSince(t0);
    if (batch.cancelled || d.stopping())
        return false;
    d.sink.onPhase(s, "scoring");
    t0 = Clock::now();
    d.scoreGroups(batch);
    scoreSeconds += secondsSince(t0);
    AdvantageResult adv = computeAdvantages(batch.scoresTensor(), weights, o.numGenerations, aggregation, scale);
    std::int64_t generatedTokens = batch.generatedTokens;
    std::int64_t replacedGroups = 0;
    const double fracZeroStd = adv.fracZeroStd;
    for (std::int64_t round = 0; o.dynamicSampling && round < o.dynamicSamplingMaxRounds && adv.fracZeroStd > 0; ++round) {
        // DAPO's dynamic sampling: groups that teach nothing are replaced by
        // groups of fresh prompts (drawn from the steps after the last one).
        std::vector<std::int64_t> fresh;
        const auto pool = d.promptsForStep(o.maxSteps + 1 + s * (o.dynamicSamplingMaxRounds + 1) + round);
        for (std::size_t g = 0; g < adv.zeroStdGroup.size(); ++g)
            if (adv.zeroStdGroup[g])
                fresh.push_back(pool[g % pool.size()]);
        t0 = Clock::now();
        d.sink.onPhase(s, "generation");
        GenerationBatch extra = d.generateGroups(fresh, mixSeed(o.seed, static_cast<std::uint64_t>(s), 10 + static_cast<std::uint64_t>(round)));
        genSeconds += secondsSince(t0);
        if (extra.cancelled || d.stopping())
            return false;
        t0 = Clock::now();
        d.sink.onPhase(s, "scoring");
        d.scoreGroups(extra);
        scoreSeconds += secondsSince(t0);
        generatedTokens += extra.generatedTokens;
        const AdvantageResult extraAdv = computeAdvantages(extra.scoresTensor(), weights, o.numGenerations, aggregation, scale);
        std::size_t next = 0;
        for (std::size_t g = 0; g < adv.zeroStdGroup.size(); ++g) {
            if (!adv.zeroStdGroup[g])
                continue;
            const std::size_t e = next++;
            if (extraAdv.zeroStdGroup[e])
                continue;
            batch.replaceGroup(g, extra, e);
            ++replacedGroups;
        }
        adv = computeAdvantages(batch.scoresTensor(), weights, o.numGenerations, aggregation, scale);
    }
    report.phaseSeconds["generation"] = genSeconds;
    report.phaseSeconds["scoring"] = scoreSeconds;

    // --- reference and old-policy log-probabilities ---
    d.sink.onPhase(s, "reference");
    t0 = Clock::now();
    const std::int64_t N = static_cast<std::int64_t>(batch.completions.size());
    const std::int64_t mb = o.miniBatchSize;
    std::vector<PackedMicroBatch> micro;
    for (std::int64_t start = 0; start < N; start += mb)
        micro.push_back(batch.pack(start, std::min(N, start + mb), d.padId, o.maskTruncatedCompletions,
                                   d.policy->device()));
    // dapo normalises by the completion tokens of the whole generation batch,
    // counted before mask_truncated_completions (TRL).
    double activeTokens = 0;
    for (const auto &m : micro)
        activeTokens += m.countedTokens;
    if (o.beta != 0.0 || o.numIterations > 1) {
        at::NoGradGuard noGrad;
        d.policy->setTraining(false);
        for (auto &m : micro) {
            if (o.beta != 0.0) {
                if (d.reference) {
                    m.refLogps = completionLogps(*d.reference, m, o.temperature, nullptr);
                } else {
                    d.policy->setAdaptersEnabled(false);
                    m.refLogps = completionLogps(*d.policy, m, o.temperature, nullptr);
                    d.policy->setAdaptersEnabled(true);
                }
            }
            if (o.numIterations > 1)
                m.oldLogps = completionLogps(*d.policy, m, o.temperature, nullptr);
        }
    }
    report.phaseSeconds["reference"] = secondsSince(t0);
    if (d.stopping())
        return false;

    // --- policy update ---
    d.sink.onPhase(s, "update");
    t0 = Clock::now();
    const at::Tensor advantages = adv.advantages.to(at::kFloat);
    GrpoLossOptions lo;
    lo.lossType = parseLossType(o.lossType);
    lo.epsilonLow = o.epsilon;
    lo.epsilonHigh = o.effectiveEpsilonHigh();
    lo.beta = o.beta;
    lo.maxCompletionLength = o.maxCompletionLength;
    lo.gradientAccumulationSteps = static_cast<std::int64_t>(micro.size());
    double lossSum = 0, klSum = 0, entropySum = 0, clipLow = 0, clipHigh = 0, clipRegion = 0, gradNorm = 0;
    double tokenWeight = 0;
    at::manual_seed(mixSeed(o.seed, static_cast<std::uint64_t>(s), 4));   // LoRA dropout
    d.policy->setTraining(true);
    for (std::int64_t it = 0; it < o.numIterations; ++it) {
        LrSchedule schedule;
        schedule.type = parseLrScheduler(o.lrSchedulerType);
        schedule.totalSteps = d.totalOptimizerSteps();
        schedule.warmupSteps = warmupStepsForRatio(schedule.totalSteps, o.warmupRatio);
        const double lr = o.learningRate * lrMultiplier(schedule, d.optimizerSteps);
        d.optimizer->setLr(lr);
        d.optimizer->zeroGrad();
        for (auto &m : micro) {
            at::Tensor entropy;
            GrpoLossInputs in;
            in.logps = completionLogps(*d.policy, m, o.temperature, &entropy);
            in.oldLogps = m.oldLogps;
            in.refLogps = m.refLogps;
            in.advantages = advantages.narrow(0, m.start, m.rows).to(in.logps.device());
            in.mask = m.mask;
            in.numItemsInBatch = activeTokens;
            const GrpoLossOutput out = grpoLoss(in, lo);
            out.loss.backward();
            const double w = m.mask.sum().item<double>();
            lossSum += out.loss.item<double>();
            klSum += out.kl * w;
            clipLow += out.clipRatioLow * w;
            clipHigh += out.clipRatioHigh * w;
            clipRegion += out.clipRatioRegion * w;
            entropySum += (entropy * m.mask).sum().item<double>();
            tokenWeight += w;
        }
        gradNorm = clipGradNorm(d.optimizer->params(),
                                o.maxGradNorm > 0 ? o.maxGradNorm : std::numeric_limits<double>::infinity());
        d.optimizer->step();
        ++d.optimizerSteps;
    }
    d.policy->setTraining(false);
    report.phaseSeconds["update"] = secondsSince(t0);

    // --- metrics (TRL's names where TRL logs the quantity) ---
    const double iters = static_cast<double>(o.numIterations);
    const double tw = std::max(tokenWeight, 1.0);
    nlohmann::json &m = report.metrics;
    m["loss"] = lossSum / iters;
    m["kl"] = klSum / tw;
    m["entropy"] = entropySum / tw;
    m["clip_ratio/low_mean"] = clipLow / tw;
    m["clip_ratio/high_mean"] = clipHigh / tw;
    m["clip_ratio/region_mean"] = clipRegion / tw;
    m["grad_norm"] = gradNorm;
    m["learning_rate"] = d.optimizer->lr();
    std::vector<double> rewards(adv.rewards.size(0));
    const at::Tensor rw = adv.rewards.to(at::kCPU, at::kDouble).contiguous();
    std::copy(rw.data_ptr<double>(), rw.data_ptr<double>() + rw.numel(), rewards.begin());
    const MeanStd r = meanStd(rewards);
    m["reward"] = r.mean;
    m["reward_std"] = r.std;
    m["frac_reward_zero_std"] = fracZeroStd;
    m["dynamic_sampling/replaced_groups"] = replacedGroups;
    std::vector<double> lengths;
    std::int64_t truncated = 0;
    for (const auto &c : batch.completions) {
        lengths.push_back(static_cast<double>(c.tokens.size()));
        truncated += c.truncated ? 1 : 0;
    }
    m["completions/mean_length"] = meanStd(lengths).mean;
    m["completions/max_length"] = *std::max_element(lengths.begin(), lengths.end());
    m["completions/min_length"] = *std::min_element(lengths.begin(), lengths.end());
    m["completions/clipped_ratio"] = static_cast<double>(truncated) / static_cast<double>(N);
    double weightSum = 0, goldObjective = 0;
    for (std::size_t k = 0; k < names.size(); ++k) {
        std::vector<double> col, gold;
        for (const auto &c : batch.completions) {
            col.push_back(c.scores[k]);
            if (!c.gold.empty())
                gold.push_back(c.gold[k]);
        }
        const MeanStd a = meanStd(col);
        m["rewards/" + names[k] + "/mean"] = a.mean;
        m["rewards/" + names[k] + "/std"] = a.std;
        report.aspectMeans[names[k]] = a.mean;
        if (!gold.empty()) {
            const MeanStd g = meanStd(gold);
            m["gold/" + names[k] + "/mean"] = g.mean;
            report.goldMeans[names[k]] = g.mean;
            goldObjective += weights[k] * g.mean;
            weightSum += weights[k];
        }
    }
    if (!report.goldMeans.empty()) {
        report.goldObjective = weightSum != 0 ? goldObjective / weightSum : 0.0;
        m["gold_objective"] = report.goldObjective;
    }
    const double stepSeconds = secondsSince(stepStart);
    for (const auto &[phase, sec] : report.phaseSeconds)
        m["time/" + phase] = sec;
    m["time/step"] = stepSeconds;
    m["tokens_per_s"] = static_cast<double>(generatedTokens) / std::max(genSeconds, 1e-9);

    for (std::size_t i = 0; i < batch.completions.size(); ++i) {
        const auto &c = batch.completions[i];
        StepSample smp;
        smp.promptIndex = batch.promptIndex[i / static_cast<std::size_t>(o.numGenerations)];
        smp.prompt = d.setup.prompts[static_cast<std::size_t>(smp.promptIndex)];
        smp.completion = c.text;
        smp.group = static_cast<std::int32_t>(i / static_cast<std::size_t>(o.numGenerations));
        smp.indexInGroup = static_cast<std::int32_t>(i % static_cast<std::size_t>(o.numGenerations));
        smp.completionTokens = static_cast<std::int64_t>(c.tokens.size());
        smp.finish = c.finish;
        smp.scores = c.scores;
        smp.gold = c.gold;
        smp.reward = rewards[i];
        smp.advantage = adv.advantages[static_cast<std::int64_t>(i)].item<double>();
        report.samples.push_back(std::move(smp));
    }
    d.step = s;
    d.sink.onStep(report);
    return true;
}

std::string GrpoTrainer::saveCheckpoint()
{
    Impl &d = *m_impl;
    CheckpointState state;
    state.step = d.step;
    state.optimizerSteps = d.optimizerSteps;
    state.options = grpoOptionsToJson(d.setup.options);
    const ControlSnapshot snap = d.controls.snapshot();
    state.weights = snap.weights;
    state.aggregation = snap.aggregation;
    state.rewardModelVersion = d.rewardModelVersion;
    state.rewardModelPath = d.setup.rewardModelPath;
    const std::string dir = writeCheckpoint(d.setup.checkpointDir, *d.policy, *d.optimizer, state);
    d.checkpoints.push_back(dir);
    const std::int64_t limit = d.setup.options.saveTotalLimit;
    while (limit > 0 && static_cast<std::int64_t>(d.checkpoints.size()) > limit) {
        removeCheckpoint(d.checkpoints.front());
        d.checkpoints.erase(d.checkpoints.begin());
    }
    d.sink.onCheckpoint(d.step, dir);
    return dir;
}

std::int64_t GrpoTrainer::resumeFrom(const std::string &checkpoint)
{
    Impl &d = *m_impl;
    const CheckpointState state = readCheckpoint(checkpoint, *d.policy, *d.optimizer);
    d.step = state.step;
    d.optimizerSteps = state.optimizerSteps;
    d.checkpoints = listCheckpoints(d.setup.checkpointDir);
    return d.step;
}

std::string GrpoTrainer::latestCheckpoint(const std::string &dir)
{
    const auto all = listCheckpoints(dir);
    return all.empty() ? std::string() : all.back();
}

nlohmann::json GrpoTrainer::readCheckpointState(const std::string &checkpoint)
{
    return readCheckpointStateJson(checkpoint);
}

} // namespace awb
