#include "train/grpo_trainer.h"

#include "model/causal_lm.h"
#include "model/lora.h"
#include "reward/reward_model.h"
#include "text/tokenizer.h"
#include "train/adamw.h"
#include "train/algorithms.h"
#include "train/grpo_checkpoint.h"
#include "train/lr_schedule.h"
#include "train/rollout.h"
#include "train/training_controls.h"
#include "train/value_model.h"
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
    const AlgorithmSpec &spec;
    std::shared_ptr<CausalLM> policy;      // its base may be lent to the reward model (sharesBase())
    std::unique_ptr<CausalLM> reference;   // full fine-tuning with a KL coefficient > 0 only
    std::unique_ptr<ValueModel> value;     // PPO only
    std::unique_ptr<Rollout> rollout;
    std::shared_ptr<RewardModel> rewardModel;
    std::int64_t rewardModelVersion = 0;
    std::vector<std::string> runAspects;   // the first reward model's: every later version must match
    std::unique_ptr<AdamW> optimizer;
    std::int64_t step = 0;
    std::int64_t optimizerSteps = 0;
    std::vector<std::string> checkpoints;   // oldest first

    // The phases of one step, in order; each returns what the next ones need.

    // 1. Controls: the weights, aggregation and reward model in force for the step.
    struct StepControls
    {
        std::vector<std::string> names;
        std::vector<double> weights;
        Aggregation aggregation = Aggregation::SumThenNormalize;
        ScaleRewards scale = ScaleRewards::Group;
    };

    // 2. Rollout: sampled and scored groups (dynamic sampling's replacements included).
    struct RolloutPhase
    {
        GenerationBatch batch;
        AdvantageResult adv;
        std::int64_t generatedTokens = 0;
        std::int64_t replacedGroups = 0;
        double fracZeroStd = 0;   // before dynamic sampling replaced anything
        double genSeconds = 0, scoreSeconds = 0;
        bool stopped = false;
    };

    // 3. Reference and sampling-policy log-probs of the packed micro-batches.
    struct LogpPhase
    {
        std::vector<PackedMicroBatch> micro;
        double activeTokens = 0;   // TRL's num_items_in_batch (dapo)
        bool stopped = false;
    };

    // 4. Update: num_iterations optimiser steps; token- (or sequence-) weighted sums for the metrics.
    struct UpdatePhase
    {
        double lossSum = 0, klSum = 0, entropySum = 0, clipLow = 0, clipHigh = 0, clipRegion = 0;
        double tokenWeight = 0, metricWeight = 0, gradNorm = 0, tokensTrained = 0;
        // PPO, summed over micro-batches: policy and value losses, val/clipfrac, approx KL, ratio.
        double policyLossSum = 0, valueLossSum = 0, valueClip = 0, approxKl = 0, ratio = 0;
        std::int64_t microBatches = 0;
    };
    struct UpdateSetup
    {
        at::Tensor advantages;   // [N] (GRPO, RLOO); PPO's per-token ones sit in the micro-batches
        double activeTokens = 0;
        PolicyLoss loss = nullptr;
        GrpoLossOptions lossOptions;
    };

    Impl(GrpoTrainerSetup s, TrainingControls &c, TrainingSink &k)
        : setup(std::move(s)), controls(c), sink(k), spec(algorithmSpec(setup.options.algorithm))
    {
    }

    // Passes over each rollout (num_iterations; PPO's num_ppo_epochs) and optimiser steps per pass.
    std::int64_t passes() const { return spec.valueModel ? setup.options.numPpoEpochs : setup.options.numIterations; }
    std::int64_t miniBatches() const { return spec.valueModel ? setup.options.numMiniBatches : 1; }
    std::int64_t totalOptimizerSteps() const { return setup.options.maxSteps * passes() * miniBatches(); }
    // The KL coefficient: beta (GRPO, RLOO) or kl_coef (PPO).
    double klCoefficient() const { return spec.valueModel ? setup.options.klCoef : setup.options.beta; }
    bool stopping() const { return controls.waitWhilePaused(); }
    std::string rewardModelLabel() const;
    AdvantageResult advantages(const GenerationBatch &batch, const StepControls &c, const at::Tensor &kl = {}) const;

    StepControls readControls(StepReport &report);
    bool sampleAndScore(std::int64_t s, const std::vector<std::int64_t> &prompts, std::uint64_t seed,
                        RolloutPhase &out, GenerationBatch &batch);
    RolloutPhase runRollout(std::int64_t s, const StepControls &c);
    LogpPhase runLogps(std::int64_t s, RolloutPhase &r, const StepControls &c);
    UpdatePhase runUpdate(std::int64_t s, LogpPhase &l, const AdvantageResult &adv);
    void trainMicroBatch(PackedMicroBatch &m, const UpdateSetup &us, UpdatePhase &u);
    void gaeForBatch(LogpPhase &l, RolloutPhase &r, const StepControls &c);
    void fillMetrics(StepReport &report, const StepControls &c, const RolloutPhase &r, const UpdatePhase &u) const;
    void fillSamples(StepReport &report, const RolloutPhase &r) const;
};

std::string GrpoTrainer::Impl::rewardModelLabel() const
{
    const bool first = rewardModelVersion == setup.rewardModelVersion && !setup.rewardModelPath.empty();
    return "reward model version " + std::to_string(rewardModelVersion) +
           (first ? " (" + setup.rewardModelPath + ")" : std::string());
}

AdvantageResult GrpoTrainer::Impl::advantages(const GenerationBatch &batch, const StepControls &c,
                                              const at::Tensor &kl) const
{
    AdvantageInputs in;
    in.scores = batch.scoresTensor();
    in.weights = c.weights;
    in.G = setup.options.numGenerations;
    in.aggregation = c.aggregation;
    in.scale = c.scale;
    in.sequenceKl = kl;
    in.klCoef = setup.options.beta;
    in.normalize = setup.options.normalizeAdvantages;
    // PPO's GAE needs the value model's values: the rollout keeps the plain weighted
    // reward here, and gaeForBatch() replaces it once the log-probs are in.
    return spec.valueModel ? groupNormalisedAdvantages(in) : advantageEstimator(spec.advantage)(in);
}

GrpoTrainer::Impl::StepControls GrpoTrainer::Impl::readControls(StepReport &report)
{
    const GrpoOptions &o = setup.options;
    const ControlSnapshot snap = controls.snapshot();
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
    StepControls c;
    c.names = rewardModel->aspects().names();
    for (const auto &name : c.names) {
        const auto it = snap.weights.find(name);
        const auto it2 = o.aspectWeights.find(name);
        c.weights.push_back(it != snap.weights.end() ? it->second : (it2 != o.aspectWeights.end() ? it2->second : 1.0));
        report.weights[name] = c.weights.back();
    }
    checkAspectWeights(c.names, report.weights);
    report.aspects = c.names;
    report.aggregation = snap.aggregation.empty() ? o.multiObjectiveAggregation : snap.aggregation;
    report.rewardModelVersion = rewardModelVersion;
    c.aggregation = parseAggregation(report.aggregation);
    c.scale = parseScaleRewards(o.scaleRewards);
    return c;
}

// One round of sampling and scoring into `batch`; false when stopped.
bool GrpoTrainer::Impl::sampleAndScore(std::int64_t s, const std::vector<std::int64_t> &prompts, std::uint64_t seed,
                                       RolloutPhase &out, GenerationBatch &batch)
{
    sink.onPhase(s, "generation");
    auto t0 = Clock::now();
    batch = rollout->generate(prompts, seed, [this] { return controls.stopRequested(); });
    out.genSeconds += secondsSince(t0);
    if (batch.cancelled || stopping())
        return false;
    sink.onPhase(s, "scoring");
    t0 = Clock::now();
    rollout->score(batch, *rewardModel, setup.goldScorer, rewardModelLabel(), s);
    out.scoreSeconds += secondsSince(t0);
    out.generatedTokens += batch.generatedTokens;
    return true;
}

GrpoTrainer::Impl::RolloutPhase GrpoTrainer::Impl::runRollout(std::int64_t s, const StepControls &c)
{
    const GrpoOptions &o = setup.options;
    RolloutPhase r;
    if (!sampleAndScore(s, rollout->promptsForStep(s), mixSeed(o.seed, static_cast<std::uint64_t>(s), 3), r, r.batch)) {
        r.stopped = true;
        return r;
    }
    r.adv = advantages(r.batch, c);
    r.fracZeroStd = r.adv.fracZeroStd;
    for (std::int64_t round = 0; o.dynamicSampling && round < o.dynamicSamplingMaxRounds && r.adv.fracZeroStd > 0; ++round) {
        // DAPO's dynamic sampling: groups that teach nothing are replaced by
        // groups of fresh prompts (drawn from the steps after the last one).
        std::vector<std::int64_t> fresh;
        const auto pool = rollout->promptsForStep(o.maxSteps + 1 + s * (o.dynamicSamplingMaxRounds + 1) + round);
        for (std::size_t g = 0; g < r.adv.zeroStdGroup.size(); ++g)
            if (r.adv.zeroStdGroup[g])
                fresh.push_back(pool[g % pool.size()]);
        GenerationBatch extra;
        if (!sampleAndScore(s, fresh, mixSeed(o.seed, static_cast<std::uint64_t>(s), 10 + static_cast<std::uint64_t>(round)),
                            r, extra)) {
            r.stopped = true;
            return r;
        }
        const AdvantageResult extraAdv = advantages(extra, c);
        std::size_t next = 0;
        for (std::size_t g = 0; g < r.adv.zeroStdGroup.size(); ++g) {
            if (!r.adv.zeroStdGroup[g])
                continue;
            const std::size_t e = next++;
            if (extraAdv.zeroStdGroup[e])
                continue;
            r.batch.replaceGroup(g, extra, e);
            ++r.replacedGroups;
        }
        r.adv = advantages(r.batch, c);
    }
    return r;
}

GrpoTrainer::Impl::LogpPhase GrpoTrainer::Impl::runLogps(std::int64_t s, RolloutPhase &r, const StepControls &c)
{
    const GrpoOptions &o = setup.options;
    sink.onPhase(s, "reference");
    LogpPhase l;
    l.micro = rollout->pack(r.batch);
    // dapo normalises by the completion tokens of the whole generation batch,
    // counted before mask_truncated_completions (TRL).
    for (const auto &m : l.micro)
        l.activeTokens += m.countedTokens;
    const bool wantOld = o.numIterations > 1 || spec.alwaysOldLogps;
    fillReferenceLogps(l.micro, *policy, reference.get(), o.temperature, klCoefficient() != 0.0, wantOld);
    if (spec.valueModel) {
        gaeForBatch(l, r, c);
    } else if (spec.klInReward && o.beta != 0.0) {
        // RLOO: -beta * sum_t (log pi_old - log pi_ref) joins each completion's reward before the baseline.
        std::vector<at::Tensor> kl;
        for (const auto &m : l.micro)
            kl.push_back(sequenceKl(m.oldLogps, m.refLogps, m.mask).to(at::kCPU, at::kDouble));
        r.adv = advantages(r.batch, c, at::cat(kl));
    }
    l.stopped = stopping();
    return l;
}

// One micro-batch's forward and backward: the policy loss (plus, for PPO, vf_coef times the value loss).
void GrpoTrainer::Impl::trainMicroBatch(PackedMicroBatch &m, const UpdateSetup &us, UpdatePhase &u)
{
    const GrpoOptions &o = setup.options;
    at::Tensor entropy;
    GrpoLossInputs in;
    in.logps = completionLogps(*policy, m, o.temperature, &entropy);
    in.oldLogps = m.oldLogps;
    in.refLogps = m.refLogps;
    in.advantages = spec.valueModel ? m.advantages.to(in.logps.device())
                                    : us.advantages.narrow(0, m.start, m.rows).to(in.logps.device());
    in.mask = m.mask;
    in.numItemsInBatch = us.activeTokens;
    const GrpoLossOutput out = us.loss(in, us.lossOptions);
    at::Tensor total = out.loss;
    const double w = m.mask.sum().item<double>();
    if (value) {
        const ValueLossOutput v = clippedValueLoss(value->values(m), m.values, m.returns, m.mask, o.cliprangeValue);
        total = total + o.vfCoef * v.loss / static_cast<double>(us.lossOptions.gradientAccumulationSteps);
        u.valueLossSum += v.loss.item<double>();
        u.valueClip += v.clipFraction;
        at::NoGradGuard noGrad;
        const at::Tensor diff = (in.logps.detach() - m.oldLogps) * m.mask;
        u.approxKl += 0.5 * ((diff * diff).sum() / m.mask.sum().clamp_min(1.0)).item<double>();
        u.ratio += ((at::exp(diff) * m.mask).sum() / m.mask.sum().clamp_min(1.0)).item<double>();
        u.policyLossSum += out.loss.item<double>() * static_cast<double>(us.lossOptions.gradientAccumulationSteps);
        ++u.microBatches;
    }
    total.backward();
    const double mw = spec.sequenceLevel ? static_cast<double>(m.rows) : w;
    u.lossSum += total.item<double>();
    u.klSum += out.kl * w;
    u.clipLow += out.clipRatioLow * mw;
    u.clipHigh += out.clipRatioHigh * mw;
    u.clipRegion += out.clipRatioRegion * mw;
    u.entropySum += (entropy * m.mask).sum().item<double>();
    u.tokenWeight += w;
    u.metricWeight += mw;
}

// PPO: the rollout's values, then per-token rewards and GAE over the whole batch, back into the micro-batches.
void GrpoTrainer::Impl::gaeForBatch(LogpPhase &l, RolloutPhase &r, const StepControls &c)
{
    const GrpoOptions &o = setup.options;
    {
        at::NoGradGuard noGrad;
        value->setTraining(false);
        for (auto &m : l.micro)
            m.values = value->values(m);
    }
    AdvantageInputs in;
    in.scores = r.batch.scoresTensor();
    in.weights = c.weights;
    in.oldLogps = gatherRows(l.micro, &PackedMicroBatch::oldLogps);
    in.refLogps = o.klCoef != 0.0 ? gatherRows(l.micro, &PackedMicroBatch::refLogps) : in.oldLogps;
    in.values = gatherRows(l.micro, &PackedMicroBatch::values);
    in.mask = gatherRows(l.micro, &PackedMicroBatch::mask);
    for (const auto &cpl : r.batch.completions)
        in.missingEos.push_back(cpl.truncated);
    in.klCoef = o.klCoef;
    in.klEstimator = o.klEstimator;
    in.missingEosPenalty = o.missingEosPenalty;
    in.whitenRewards = o.whitenRewards;
    in.gamma = o.gamma;
    in.lam = o.lam;
    r.adv = advantageEstimator(spec.advantage)(in);
    scatterRows(l.micro, &PackedMicroBatch::advantages, r.adv.advantages.to(at::kFloat));
    scatterRows(l.micro, &PackedMicroBatch::returns, r.adv.returns.to(at::kFloat));
}

GrpoTrainer::Impl::UpdatePhase GrpoTrainer::Impl::runUpdate(std::int64_t s, LogpPhase &l, const AdvantageResult &adv)
{
    const GrpoOptions &o = setup.options;
    sink.onPhase(s, "update");
    UpdateSetup us;
    us.advantages = adv.advantages.to(at::kFloat);
    us.activeTokens = l.activeTokens;
    us.loss = policyLoss(spec.loss);
    us.lossOptions.lossType = spec.name == "grpo" ? parseLossType(o.lossType) : LossType::Grpo;
    us.lossOptions.epsilonLow = spec.valueModel ? o.cliprange : o.epsilon;
    us.lossOptions.epsilonHigh = spec.valueModel ? o.cliprange : o.effectiveEpsilonHigh();
    us.lossOptions.beta = spec.klInReward ? 0.0 : o.beta;
    us.lossOptions.maxCompletionLength = o.maxCompletionLength;
    UpdatePhase u;
    at::manual_seed(mixSeed(o.seed, static_cast<std::uint64_t>(s), 4));   // LoRA dropout
    policy->setTraining(true);
    if (value)
        value->setTraining(true);
    const std::int64_t miniBatches = std::min<std::int64_t>(this->miniBatches(), static_cast<std::int64_t>(l.micro.size()));
    std::vector<std::size_t> order(l.micro.size());
    for (std::int64_t pass = 0; pass < passes(); ++pass) {
        // PPO shuffles each pass (TRL: a fresh permutation per epoch), seeded by (seed, step, pass).
        std::iota(order.begin(), order.end(), std::size_t{0});
        if (spec.valueModel) {
            std::mt19937_64 rng(mixSeed(o.seed, static_cast<std::uint64_t>(s), 20 + static_cast<std::uint64_t>(pass)));
            for (std::size_t i = order.size(); i > 1; --i)
                std::swap(order[i - 1], order[static_cast<std::size_t>(rng() % i)]);
        }
        for (std::int64_t b = 0; b < miniBatches; ++b) {
            const std::size_t from = order.size() * static_cast<std::size_t>(b) / static_cast<std::size_t>(miniBatches);
            const std::size_t to = order.size() * static_cast<std::size_t>(b + 1) / static_cast<std::size_t>(miniBatches);
            LrSchedule schedule;
            schedule.type = parseLrScheduler(o.lrSchedulerType);
            schedule.totalSteps = totalOptimizerSteps();
            schedule.warmupSteps = warmupStepsForRatio(schedule.totalSteps, o.warmupRatio);
            optimizer->setLr(o.learningRate * lrMultiplier(schedule, optimizerSteps));
            optimizer->zeroGrad();
            us.lossOptions.gradientAccumulationSteps = static_cast<std::int64_t>(to - from);
            for (std::size_t k = from; k < to; ++k)
                trainMicroBatch(l.micro[order[k]], us, u);
            u.gradNorm = clipGradNorm(optimizer->params(),
                                      o.maxGradNorm > 0 ? o.maxGradNorm : std::numeric_limits<double>::infinity());
            optimizer->step();
            ++optimizerSteps;
        }
    }
    policy->setTraining(false);
    if (value)
        value->setTraining(false);
    u.tokensTrained = u.tokenWeight;
    return u;
}

// TRL's metric names where TRL logs the quantity.
void GrpoTrainer::Impl::fillMetrics(StepReport &report, const StepControls &c, const RolloutPhase &r,
                                    const UpdatePhase &u) const
{
    const GrpoOptions &o = setup.options;
    const double tw = std::max(u.tokenWeight, 1.0);
    const double mw = std::max(u.metricWeight, 1.0);
    nlohmann::json &m = report.metrics;
    m["loss"] = u.lossSum / static_cast<double>(passes() * miniBatches());
    m["kl"] = u.klSum / tw;
    m["entropy"] = u.entropySum / tw;
    m["clip_ratio/low_mean"] = u.clipLow / mw;
    m["clip_ratio/high_mean"] = u.clipHigh / mw;
    m["clip_ratio/region_mean"] = u.clipRegion / mw;
    m["grad_norm"] = u.gradNorm;
    m["learning_rate"] = optimizer->lr();
    const at::Tensor rw = r.adv.rewards.to(at::kCPU, at::kDouble).contiguous();
    const std::vector<double> rewards(rw.data_ptr<double>(), rw.data_ptr<double>() + rw.numel());
    const MeanStd rs = meanStd(rewards);
    m["reward"] = rs.mean;
    m["reward_std"] = rs.std;
    m["frac_reward_zero_std"] = r.fracZeroStd;
    m["dynamic_sampling/replaced_groups"] = r.replacedGroups;
    std::vector<double> lengths;
    std::int64_t truncated = 0;
    for (const auto &cpl : r.batch.completions) {
        lengths.push_back(static_cast<double>(cpl.tokens.size()));
        truncated += cpl.truncated ? 1 : 0;
    }
    m["completions/mean_length"] = meanStd(lengths).mean;
    m["completions/max_length"] = *std::max_element(lengths.begin(), lengths.end());
    m["completions/min_length"] = *std::min_element(lengths.begin(), lengths.end());
    m["completions/clipped_ratio"] = static_cast<double>(truncated) / static_cast<double>(lengths.size());
    if (spec.valueModel) {
        // TRL PPOTrainer's names: per-completion sums for the objective, averages over micro-batches for the rest.
        const double n = static_cast<double>(std::max<std::int64_t>(u.microBatches, 1));
        const double scores = at::mean(r.adv.aggregated).item<double>();
        m["objective/kl"] = r.adv.sequenceKl;
        m["objective/entropy"] = u.entropySum / static_cast<double>(lengths.size() * static_cast<std::size_t>(passes()));
        m["objective/non_score_reward"] = r.adv.nonScoreReward;
        m["objective/scores"] = scores;
        m["objective/rlhf_reward"] = r.adv.nonScoreReward + scores;
        m["policy/approxkl_avg"] = u.approxKl / n;
        m["policy/clipfrac_avg"] = u.clipRegion / std::max(u.metricWeight, 1.0);
        m["loss/policy_avg"] = u.policyLossSum / n;
        m["loss/value_avg"] = u.valueLossSum / n;
        m["val/clipfrac_avg"] = u.valueClip / n;
        m["val/ratio"] = u.ratio / n;
        m["kl"] = r.adv.sequenceKl / std::max(meanStd(lengths).mean, 1.0);   // per token, as the other algorithms log it
    }
    m["tokens/generated"] = r.generatedTokens;
    m["tokens/trained"] = u.tokensTrained;
    double weightSum = 0, goldObjective = 0;
    for (std::size_t k = 0; k < c.names.size(); ++k) {
        std::vector<double> col, gold;
        for (const auto &cpl : r.batch.completions) {
            col.push_back(cpl.scores[k]);
            if (!cpl.gold.empty())
                gold.push_back(cpl.gold[k]);
        }
        const MeanStd a = meanStd(col);
        m["rewards/" + c.names[k] + "/mean"] = a.mean;
        m["rewards/" + c.names[k] + "/std"] = a.std;
        report.aspectMeans[c.names[k]] = a.mean;
        if (!gold.empty()) {
            const MeanStd g = meanStd(gold);
            m["gold/" + c.names[k] + "/mean"] = g.mean;
            report.goldMeans[c.names[k]] = g.mean;
            goldObjective += c.weights[k] * g.mean;
            weightSum += c.weights[k];
        }
    }
    if (!report.goldMeans.empty()) {
        report.goldObjective = weightSum != 0 ? goldObjective / weightSum : 0.0;
        m["gold_objective"] = report.goldObjective;
    }
}

void GrpoTrainer::Impl::fillSamples(StepReport &report, const RolloutPhase &r) const
{
    const auto G = static_cast<std::size_t>(setup.options.numGenerations);
    const at::Tensor rw = r.adv.rewards.to(at::kCPU, at::kDouble).contiguous();
    const at::Tensor av = r.adv.advantages.to(at::kCPU, at::kDouble).contiguous();
    for (std::size_t i = 0; i < r.batch.completions.size(); ++i) {
        const auto &c = r.batch.completions[i];
        StepSample smp;
        smp.promptIndex = r.batch.promptIndex[i / G];
        smp.prompt = rollout->prompt(smp.promptIndex);
        smp.completion = c.text;
        smp.group = static_cast<std::int32_t>(i / G);
        smp.indexInGroup = static_cast<std::int32_t>(i % G);
        smp.completionTokens = static_cast<std::int64_t>(c.tokens.size());
        smp.finish = c.finish;
        smp.scores = c.scores;
        smp.gold = c.gold;
        smp.reward = rw.data_ptr<double>()[i];
        smp.advantage = av.data_ptr<double>()[i];
        report.samples.push_back(std::move(smp));
    }
}

GrpoTrainer::GrpoTrainer(GrpoTrainerSetup setup, TrainingControls &controls, TrainingSink &sink)
    : m_impl(std::make_unique<Impl>(std::move(setup), controls, sink))
{
    Impl &d = *m_impl;
    const GrpoOptions &o = d.setup.options;
    validateGrpoOptions(o);
    if (!d.setup.rewardModel)
        throw Error(o.algorithm + " needs a reward model");
    if (d.setup.prompts.empty())
        throw Error(o.algorithm + " needs at least one prompt");
    d.rewardModel = d.setup.rewardModel;
    d.rewardModelVersion = d.setup.rewardModelVersion;
    d.runAspects = d.rewardModel->aspects().names();

    CausalLM::LoadOptions lo;
    lo.device = d.setup.runtime.device;
    lo.dtype = d.setup.runtime.dtype;
    d.policy = d.setup.policy ? std::move(d.setup.policy) : std::shared_ptr<CausalLM>(CausalLM::load(o.model, lo));
    if (o.useLora) {
        d.policy->addLora(loraOptionsFor(o), mixSeed(o.seed, 0, 2));
        d.policy->setBaseTrainable(false);
    } else {
        d.policy->setBaseTrainable(true);
        if (d.klCoefficient() != 0.0) {
            d.reference = CausalLM::load(o.model, lo);
            d.reference->setBaseTrainable(false);
        }
    }
    d.rollout = std::make_unique<Rollout>(o, *d.policy, d.setup.prompts);
    if (d.reference)
        limitToTokenizer(*d.reference, d.rollout->tokenizer(), o.model);

    AdamWOptions ao;
    ao.lr = o.learningRate;
    ao.beta1 = o.adamBeta1;
    ao.beta2 = o.adamBeta2;
    ao.eps = o.adamEpsilon;
    ao.weightDecay = o.weightDecay;
    NamedTensors params = d.policy->trainableParameters();
    if (d.spec.valueModel) {
        std::vector<double> weights;
        for (const auto &name : d.runAspects) {
            const auto it = o.aspectWeights.find(name);
            weights.push_back(it == o.aspectWeights.end() ? 1.0 : it->second);
        }
        d.value = std::make_unique<ValueModel>(o, *d.policy, *d.rewardModel, weights, lo.device, lo.dtype);
        for (auto &p : d.value->trainableParameters())
            params.push_back(p);
    }
    d.optimizer = std::make_unique<AdamW>(std::move(params), ao);
}

GrpoTrainer::~GrpoTrainer() = default;

std::int64_t GrpoTrainer::step() const { return m_impl->step; }
CausalLM &GrpoTrainer::policy() { return *m_impl->policy; }

std::vector<std::string> GrpoTrainer::modelsInMemory() const
{
    std::vector<std::string> out = {"policy"};
    if (m_impl->reference)
        out.emplace_back("reference");
    if (!m_impl->rewardModel->backbone().sharesBase())
        out.emplace_back("reward model");
    if (m_impl->value && !m_impl->value->sharesBase())
        out.emplace_back("value model");
    return out;
}
const Tokenizer &GrpoTrainer::tokenizer() const { return m_impl->rollout->tokenizer(); }

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
    const std::int64_t s = d.step + 1;
    const auto stepStart = Clock::now();
    StepReport report;
    report.step = s;
    report.maxSteps = d.setup.options.maxSteps;

    const Impl::StepControls controls = d.readControls(report);
    Impl::RolloutPhase rollout = d.runRollout(s, controls);
    if (rollout.stopped)
        return false;
    report.phaseSeconds["generation"] = rollout.genSeconds;
    report.phaseSeconds["scoring"] = rollout.scoreSeconds;

    auto t0 = Clock::now();
    Impl::LogpPhase logps = d.runLogps(s, rollout, controls);
    report.phaseSeconds["reference"] = secondsSince(t0);
    if (logps.stopped)
        return false;

    t0 = Clock::now();
    const Impl::UpdatePhase update = d.runUpdate(s, logps, rollout.adv);
    report.phaseSeconds["update"] = secondsSince(t0);

    d.fillMetrics(report, controls, rollout, update);
    nlohmann::json &m = report.metrics;
    for (const auto &[phase, sec] : report.phaseSeconds)
        m["time/" + phase] = sec;
    m["time/step"] = secondsSince(stepStart);
    m["tokens_per_s"] = static_cast<double>(rollout.generatedTokens) / std::max(rollout.genSeconds, 1e-9);
    d.fillSamples(report, rollout);
    d.step = s;
    d.sink.onStep(report);
    return true;
}

std::string GrpoTrainer::saveCheckpoint()
{
    Impl &d = *m_impl;
    CheckpointState state;
    state.algorithm = d.spec.name;
    state.step = d.step;
    state.optimizerSteps = d.optimizerSteps;
    state.options = grpoOptionsToJson(d.setup.options);
    const ControlSnapshot snap = d.controls.snapshot();
    state.weights = snap.weights;
    state.aggregation = snap.aggregation;
    state.rewardModelVersion = d.rewardModelVersion;
    state.rewardModelPath = d.setup.rewardModelPath;
    if (d.value) {
        state.valueState = d.value->state();
        state.valueHiddenSize = d.value->hiddenSize();
    }
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
    const std::string label = checkpoint + "/trainer_state.json";
    const nlohmann::json recorded = readCheckpointStateJson(checkpoint);
    const std::int64_t hidden = recorded.contains("value_model") && recorded["value_model"].is_object()
                                    ? recorded["value_model"].value("hidden_size", std::int64_t(0)) : 0;
    if (d.value && hidden != d.value->hiddenSize())
        throw FormatError(label + ": the checkpoint's value model has hidden size " + std::to_string(hidden) +
                          " but this run's (value_model_init " + d.setup.options.valueModelInit + ") has " +
                          std::to_string(d.value->hiddenSize()) + "; resume with the value model the run started with");
    const CheckpointState state = readCheckpoint(checkpoint, *d.policy, *d.optimizer, d.spec.name);
    if (d.value)
        d.value->loadState(*SafetensorsFile::open(checkpoint + "/value_model.safetensors"), checkpoint + "/value_model.safetensors");
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
