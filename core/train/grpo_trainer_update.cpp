// GrpoTrainer's phases after the rollout: reference and sampling-policy
// log-probs (and PPO's values and GAE), the update, metrics and samples.
#include "train/grpo_trainer_impl.h"

namespace awb {

namespace {

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

GrpoTrainer::Impl::LogpPhase GrpoTrainer::Impl::runLogps(std::int64_t s, RolloutPhase &r, const StepControls &c)
{
    const GrpoOptions &o = setup.options;
    sink.onPhase(s, "reference");
    LogpPhase l;
    const auto [g0, g1] = share(static_cast<std::int64_t>(r.batch.promptIndex.size()));
    l.micro = rollout->pack(r.batch, 0, g0 * r.batch.G, g1 * r.batch.G);   // this rank's rows
    // dapo normalises by the completion tokens of the whole generation batch (over
    // every rank), counted before mask_truncated_completions (TRL).
    std::vector<double> counted = {0.0};
    for (const auto &m : l.micro)
        counted[0] += m.countedTokens;
    comm->allReduceSum(counted, "the step's token count");
    l.activeTokens = counted[0];
    const bool wantOld = o.numIterations > 1 || spec.alwaysOldLogps;
    // A steerable run's reference reads the prompt without its conditioning line:
    // the policy before training has never seen the line, so the KL term holds
    // each conditioned behaviour near what the reference does for the user's
    // prompt, not near whatever the line makes an untrained model write.
    std::vector<PackedMicroBatch> plain;
    if (!r.batch.groupWeights.empty() && conditioning == Conditioning::Prompt && klCoefficient() != 0.0) {
        GenerationBatch unconditioned = r.batch;
        for (std::size_t i = 0; i < unconditioned.completions.size(); ++i)
            unconditioned.completions[i].prompt = &rollout->promptIds(r.batch.promptIndex[i / static_cast<std::size_t>(r.batch.G)]);
        plain = rollout->pack(unconditioned, 0, g0 * r.batch.G, g1 * r.batch.G);
    }
    fillReferenceLogps(l.micro, *policy, reference.get(), o.temperature, klCoefficient() != 0.0, wantOld,
                       o.sharePromptPrefix, plain.empty() ? nullptr : &plain);
    if (spec.valueModel) {
        gaeForBatch(l, r, c);
    } else if (spec.klInReward && o.beta != 0.0) {
        // RLOO: -beta * sum_t (log pi_old - log pi_ref) joins each completion's reward before the baseline.
        at::Tensor kl = at::zeros({static_cast<std::int64_t>(r.batch.completions.size())}, at::kDouble);
        for (const auto &m : l.micro)
            kl.narrow(0, m.start, m.rows).copy_(sequenceKl(m.oldLogps, m.refLogps, m.mask).to(at::kCPU, at::kDouble));
        r.adv = advantages(r.batch, c, sumOverRanks(kl, "the completions' KL"));
    }
    l.stopped = stopping();
    return l;
}

void GrpoTrainer::Impl::startOptimizerStep()
{
    const GrpoOptions &o = setup.options;
    LrSchedule schedule;
    schedule.type = parseLrScheduler(o.lrSchedulerType);
    schedule.totalSteps = totalOptimizerSteps();
    schedule.warmupSteps = warmupStepsForRatio(schedule.totalSteps, o.warmupRatio);
    optimizer->setLr(o.learningRate * lrMultiplier(schedule, optimizerSteps));
    optimizer->zeroGrad();
}

// One micro-batch's forward and backward: the policy loss (plus, for PPO, vf_coef times the value loss).
void GrpoTrainer::Impl::trainMicroBatch(PackedMicroBatch &m, const UpdateSetup &us, UpdatePhase &u)
{
    const GrpoOptions &o = setup.options;
    at::Tensor entropy;
    GrpoLossInputs in;
    in.logps = completionLogps(*policy, m, o.temperature, &entropy, o.sharePromptPrefix);
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
    in.weightRows = r.batch.weightRows(static_cast<std::int64_t>(c.weights.size()));
    const auto N = static_cast<std::int64_t>(r.batch.completions.size());
    in.oldLogps = wholeRows(l.micro, &PackedMicroBatch::oldLogps, N);
    in.refLogps = o.klCoef != 0.0 ? wholeRows(l.micro, &PackedMicroBatch::refLogps, N) : in.oldLogps;
    in.values = wholeRows(l.micro, &PackedMicroBatch::values, N);
    in.mask = wholeRows(l.micro, &PackedMicroBatch::mask, N);
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
    policy->setTraining(true);
    if (value)
        value->setTraining(true);
    // Micro-batches by their index in the whole step (over every rank); this rank holds [k0, k0 + micro.size()).
    const std::int64_t mb = setup.options.miniBatchSize;
    const std::int64_t k0 = l.micro.empty() ? 0 : l.micro.front().start / mb;
    std::vector<double> count = {static_cast<double>(l.micro.size())};
    comm->allReduceSum(count, "the step's micro-batch count");
    const auto M = static_cast<std::size_t>(count[0] + 0.5);
    const std::int64_t miniBatches = std::min<std::int64_t>(this->miniBatches(), static_cast<std::int64_t>(M));
    const std::uint64_t dropoutSeed = mixSeed(o.seed, static_cast<std::uint64_t>(s), 4);
    std::vector<std::size_t> order(M);
    const bool exact = exactGradientSum();
    std::vector<at::Tensor> gradSum;
    // Each micro-batch's metric sums, by (pass, position in the pass): added up in that order
    // once every rank's are in, so the metrics do not depend on how the ranks shared the work.
    std::vector<UpdatePhase> slots(static_cast<std::size_t>(passes()) * M);
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
            startOptimizerStep();
            us.lossOptions.gradientAccumulationSteps = static_cast<std::int64_t>(to - from);
            for (std::size_t k = from; k < to; ++k) {
                const auto local = static_cast<std::int64_t>(order[k]) - k0;
                if (local < 0 || local >= static_cast<std::int64_t>(l.micro.size()))
                    continue;   // another rank's
                // LoRA dropout drawn per (step, pass, micro-batch): the same masks whichever rank trains it.
                at::manual_seed(mixSeed(dropoutSeed, static_cast<std::uint64_t>(pass) * M + order[k], 41));
                UpdatePhase one;
                trainMicroBatch(l.micro[static_cast<std::size_t>(local)], us, one);
                slots[static_cast<std::size_t>(pass) * M + k] = one;
                if (exact)
                    accumulateGradients(gradSum);
            }
            allReduceGradients(gradSum);
            u.gradNorm = clipGradNorm(optimizer->params(),
                                      o.maxGradNorm > 0 ? o.maxGradNorm : std::numeric_limits<double>::infinity());
            optimizer->step();
            ++optimizerSteps;
        }
    }
    reduceUpdate(slots, u);
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
    m["frac_reward_zero_std"] = r.fracZeroStd;
    m["dynamic_sampling/replaced_groups"] = r.replacedGroups;
    if (spec.valueModel) {
        // TRL PPOTrainer's names: per-completion sums for the objective, averages over micro-batches for the rest.
        const double n = static_cast<double>(std::max<std::int64_t>(u.microBatches, 1));
        const double scores = at::mean(r.adv.aggregated).item<double>();
        std::vector<double> lengths;
        for (const auto &cpl : r.batch.completions)
            lengths.push_back(static_cast<double>(cpl.tokens.size()));
        const double meanLength = meanStd(lengths).mean;
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
        m["kl"] = r.adv.sequenceKl / std::max(meanLength, 1.0);   // per token, as the other algorithms log it
    }
    m["tokens/trained"] = u.tokensTrained;
    fillRolloutMetrics(report, c, r);
}

namespace {

// A steerable run's curves split by weight region: the groups whose largest
// weight is aspect j ("<j>_heavy"; ties go to the earlier aspect) give
// "steer/<j>_heavy/<k>" (reward-model mean of aspect k), ".../gold/<k>" and
// ".../groups" (how many groups fell there this step).
void fillWeightRegionMetrics(nlohmann::json &m, const std::vector<std::string> &names, const GenerationBatch &batch)
{
    if (batch.groupWeights.empty())
        return;
    const auto G = static_cast<std::size_t>(batch.G);
    const std::size_t K = names.size();
    std::vector<std::vector<double>> sum(K, std::vector<double>(K, 0.0)), gold(K, std::vector<double>(K, 0.0));
    std::vector<double> rows(K, 0.0), groups(K, 0.0);
    for (std::size_t g = 0; g < batch.groupWeights.size(); ++g) {
        const auto &w = batch.groupWeights[g];
        const auto j = static_cast<std::size_t>(std::max_element(w.begin(), w.end()) - w.begin());
        groups[j] += 1;
        for (std::size_t i = g * G; i < (g + 1) * G && i < batch.completions.size(); ++i) {
            const auto &cpl = batch.completions[i];
            rows[j] += 1;
            for (std::size_t k = 0; k < K; ++k) {
                sum[j][k] += cpl.scores[k];
                if (!cpl.gold.empty())
                    gold[j][k] += cpl.gold[k];
            }
        }
    }
    for (std::size_t j = 0; j < K; ++j) {
        const std::string region = "steer/" + names[j] + "_heavy/";
        m[region + "groups"] = groups[j];
        if (rows[j] == 0)
            continue;
        for (std::size_t k = 0; k < K; ++k) {
            m[region + names[k]] = sum[j][k] / rows[j];
            if (!batch.completions.front().gold.empty())
                m[region + "gold/" + names[k]] = gold[j][k] / rows[j];
        }
    }
}

} // namespace

void GrpoTrainer::Impl::fillRolloutMetrics(StepReport &report, const StepControls &c, const RolloutPhase &r) const
{
    nlohmann::json &m = report.metrics;
    const at::Tensor rw = r.adv.rewards.to(at::kCPU, at::kDouble).contiguous();
    const std::vector<double> rewards(rw.data_ptr<double>(), rw.data_ptr<double>() + rw.numel());
    const MeanStd rs = meanStd(rewards);
    m["reward"] = rs.mean;
    m["reward_std"] = rs.std;
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
    m["tokens/generated"] = r.generatedTokens;
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
        if (!r.batch.completions.front().scoreStd.empty()) {   // an ensemble: its members' mean spread
            std::vector<double> spread;
            for (const auto &cpl : r.batch.completions)
                spread.push_back(cpl.scoreStd[k]);
            m["uncertainty/" + c.names[k] + "/mean"] = meanStd(spread).mean;
        }
        report.aspectMeans[c.names[k]] = a.mean;
        if (!gold.empty()) {
            const MeanStd g = meanStd(gold);
            m["gold/" + c.names[k] + "/mean"] = g.mean;
            report.goldMeans[c.names[k]] = g.mean;
            const double w = c.userWeights.empty() ? c.weights[k] : c.userWeights[k];
            goldObjective += w * g.mean;
            weightSum += w;
        }
    }
    if (!report.goldMeans.empty()) {
        report.goldObjective = weightSum != 0 ? goldObjective / weightSum : 0.0;
        m["gold_objective"] = report.goldObjective;
    }
    fillWeightRegionMetrics(m, c.names, r.batch);
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
        smp.scoreStd = c.scoreStd;
        smp.members = c.members;
        if (!r.batch.groupWeights.empty())
            smp.weights = r.batch.groupWeights[i / G];
        smp.reward = rw.data_ptr<double>()[i];
        smp.advantage = av.data_ptr<double>()[i];
        report.samples.push_back(std::move(smp));
    }
}

} // namespace awb
