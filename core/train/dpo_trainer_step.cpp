// GrpoTrainer's offline path, DPO (TRL's DPOTrainer) and MODPO: the run's
// preference pairs (built from the gold judge's order when asked), the
// reference log-probs (precomputed or per step), one optimiser step of the
// DPO loss, and the evaluation generations that stand for DPO's samples.
#include "train/dpo_loss.h"
#include "text/utf8.h"
#include "train/grpo_trainer_impl.h"

#include <set>

namespace awb {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Every other row of [rows]: the chosen (offset 0) or the rejected (offset 1) responses.
at::Tensor pairRows(const at::Tensor &t, std::int64_t offset)
{
    return t.slice(0, offset, t.size(0), 2);
}

at::Tensor sequenceSums(const at::Tensor &perToken, const at::Tensor &mask)
{
    return (perToken * mask).sum(1);
}

} // namespace

std::vector<std::string> GrpoTrainer::Impl::dpoRolloutPrompts()
{
    if (!setup.checkpointDir.empty()) {
        if (auto cached = readPairs(pairsCachePath(setup.checkpointDir))) {
            setup.pairs = std::move(*cached);
            pairsFromCache = true;
        }
    }
    std::vector<std::string> all = setup.prompts;
    evalBegin = static_cast<std::int64_t>(all.size());
    evalCount = static_cast<std::int64_t>(setup.evalPrompts.size());
    all.insert(all.end(), setup.evalPrompts.begin(), setup.evalPrompts.end());
    std::set<std::string> known(all.begin(), all.end());
    for (const auto &p : setup.pairs)
        if (known.insert(p.prompt).second)
            all.push_back(p.prompt);
    return all;
}

// Completions of the training prompts from the policy as it starts (the reference),
// best against worst of each group by the gold judge.
void GrpoTrainer::Impl::buildGoldPairs()
{
    const GrpoOptions &o = setup.options;
    if (!setup.goldScorer)
        throw Error("pair_source gold: this run has no gold judge (only the demo has one); use pair_source file or workspace");
    const auto P = static_cast<std::int64_t>(setup.prompts.size());
    const std::int64_t N = std::min(P, o.maxSteps * o.promptsPerStep);
    const std::vector<std::int64_t> order = epochOrder(P, N, o.seed, 1);
    std::map<std::string, double> weights = o.aspectWeights;
    for (const auto &[name, w] : controls.snapshot().weights)
        weights[name] = w;
    std::vector<GroupedResponse> responses;
    const auto t0 = Clock::now();
    for (std::int64_t start = 0; start < N; start += o.promptsPerStep) {
        const std::vector<std::int64_t> chunk(order.begin() + start, order.begin() + std::min(N, start + o.promptsPerStep));
        GenerationBatch batch = rollout->generate(chunk, mixSeed(o.seed, static_cast<std::uint64_t>(start), 30),
                                                  [this] { return controls.stopRequested(); });
        if (batch.cancelled || controls.stopRequested()) {
            pairsCancelled = true;
            return;
        }
        pairTokensGenerated += batch.generatedTokens;
        for (std::size_t i = 0; i < batch.completions.size(); ++i) {
            const std::int64_t p = chunk[i / static_cast<std::size_t>(batch.G)];
            GroupedResponse r;
            r.group = std::to_string(p);
            r.prompt = setup.prompts[static_cast<std::size_t>(p)];
            // Pairs are text, recorded as JSON: a completion cut inside a character keeps U+FFFD there.
            r.completion = utf8::sanitize(batch.completions[i].text);
            r.values = setup.goldScorer(r.prompt, r.completion);
            responses.push_back(std::move(r));
        }
        const std::int64_t done = std::min(N, start + o.promptsPerStep);
        if (done == N || (done / o.promptsPerStep) % 8 == 0)
            sink.onLog("DPO: sampling pairs for the gold judge: " + std::to_string(done) + "/" + std::to_string(N) +
                       " prompts, " + std::to_string(static_cast<int>(secondsSince(t0))) + " s");
    }
    pairSeconds = secondsSince(t0);
    setup.pairs = pairsWithinGroups(responses, runAspects, weights, o.modpoAspect, o.pairMinMargin);
}

void GrpoTrainer::Impl::setupDpo()
{
    const GrpoOptions &o = setup.options;
    if (!o.modpoAspect.empty() &&
        std::find(runAspects.begin(), runAspects.end(), o.modpoAspect) == runAspects.end())
        throw Error("modpo_aspect: the reward model has no aspect \"" + o.modpoAspect + "\"");
    const std::string source = pairsFromCache ? pairsCachePath(setup.checkpointDir)
                               : setup.pairSource == "file" ? o.preferenceFile
                               : setup.pairSource == "gold" ? std::string("the gold judge")
                                                            : std::string("the workspace's samples");
    if (!pairsFromCache && setup.pairSource == "gold") {
        buildGoldPairs();
        if (pairsCancelled)
            return;
    }
    if (!pairsFromCache && !setup.checkpointDir.empty() && !setup.pairs.empty())
        writePairs(pairsCachePath(setup.checkpointDir), setup.pairs);

    std::map<std::string, std::int64_t> promptIndex;
    for (std::int64_t i = rollout->promptCount() - 1; i >= 0; --i)
        promptIndex[rollout->prompt(i)] = i;
    const Tokenizer &tok = rollout->tokenizer();
    const std::int32_t eos = static_cast<std::int32_t>(rollout->eosIds().empty() ? rollout->padId() : rollout->eosIds().front());
    std::int64_t identical = 0, tooLong = 0;
    // Sequences also stop at the model's context (max_position_embeddings), whichever is shorter.
    const std::int64_t context = policy->config().maxPositionEmbeddings;
    const std::int64_t maxLength = context > 0 ? std::min(o.maxLength, context) : o.maxLength;
    if (maxLength < o.maxLength)
        sink.onLog("DPO: max_length " + std::to_string(o.maxLength) + " is beyond the model's context; pairs keep " +
                   std::to_string(maxLength) + " tokens");
    for (const auto &p : setup.pairs) {
        DpoPair d;
        d.prompt = promptIndex.at(p.prompt);
        d.chosenText = p.chosen;
        d.rejectedText = p.rejected;
        d.chosen = tok.encode(p.chosen, false);
        d.rejected = tok.encode(p.rejected, false);
        d.chosen.push_back(eos);
        d.rejected.push_back(eos);
        // TRL's keep_start: prompt and completion together keep their first max_length tokens.
        const std::int64_t room = maxLength - static_cast<std::int64_t>(rollout->promptIds(d.prompt).size());
        if (room < 1) {
            ++tooLong;
            continue;
        }
        if (static_cast<std::int64_t>(d.chosen.size()) > room)
            d.chosen.resize(static_cast<std::size_t>(room));
        if (static_cast<std::int64_t>(d.rejected.size()) > room)
            d.rejected.resize(static_cast<std::size_t>(room));
        if (d.chosen == d.rejected) {
            ++identical;
            continue;
        }
        dpoPairs.push_back(std::move(d));
    }
    if (dpoPairs.empty()) {
        if (setup.pairs.empty())
            throw Error(source + ": no preference pairs" +
                        (setup.pairSource == "file" ? std::string()
                                                    : " (no group has two responses whose scores differ by pair_min_margin " +
                                                          std::to_string(o.pairMinMargin) + ")"));
        if (identical > 0 && tooLong == 0)
            throw Error(source + ": all " + std::to_string(identical) +
                        " pairs have identical chosen and rejected responses (as tokens, within max_length), so DPO has "
                        "nothing to learn");
        throw Error(source + ": no usable pair: " + std::to_string(tooLong) + " prompts fill max_length " +
                    std::to_string(maxLength) + ", " + std::to_string(identical) + " pairs are identical");
    }
    sink.onLog("DPO: " + std::to_string(dpoPairs.size()) + " preference pairs from " + source +
               (pairsFromCache ? " (as the run recorded them)" : "") +
               (identical + tooLong > 0 ? "; left out: " + std::to_string(identical) + " identical, " +
                                              std::to_string(tooLong) + " whose prompt fills max_length"
                                        : std::string()));
    if (o.precomputeRefLogProbs)
        precomputeReference();
}

GenerationBatch GrpoTrainer::Impl::pairBatch(const std::vector<std::int64_t> &pairs) const
{
    GenerationBatch b;
    b.G = 2;
    for (const auto i : pairs) {
        const DpoPair &p = dpoPairs[static_cast<std::size_t>(i)];
        b.promptIndex.push_back(p.prompt);
        for (const auto *ids : {&p.chosen, &p.rejected}) {
            GeneratedCompletion c;
            c.prompt = &rollout->promptIds(p.prompt);
            c.tokens = *ids;
            c.finish = "eos";
            b.completions.push_back(std::move(c));
        }
    }
    return b;
}

std::int64_t GrpoTrainer::Impl::pairRowsPerMicroBatch() const
{
    return std::max<std::int64_t>(2, setup.options.miniBatchSize - setup.options.miniBatchSize % 2);
}

// The policy as it starts is the reference: its log-probs of every pair, once (TRL's precompute_ref_log_probs).
void GrpoTrainer::Impl::precomputeReference()
{
    std::vector<std::int64_t> all(dpoPairs.size());
    std::iota(all.begin(), all.end(), 0);
    std::vector<PackedMicroBatch> micro = rollout->pack(pairBatch(all), pairRowsPerMicroBatch());
    fillReferenceLogps(micro, *policy, reference.get(), 1.0, true, false, setup.options.sharePromptPrefix);
    for (const auto &m : micro) {
        const at::Tensor seq = sequenceSums(m.refLogps, m.mask).to(at::kCPU, at::kDouble).contiguous();
        for (std::int64_t r = 0; r < m.rows; ++r) {
            DpoPair &p = dpoPairs[static_cast<std::size_t>((m.start + r) / 2)];
            ((m.start + r) % 2 == 0 ? p.refChosen : p.refRejected) = seq.data_ptr<double>()[r];
        }
    }
    refPrecomputed = true;
    sink.onLog("DPO: reference log-probs of " + std::to_string(dpoPairs.size()) + " pairs precomputed");
}

// MODPO's margins of the step's pairs from the live reward model and weights; undefined for DPO.
at::Tensor GrpoTrainer::Impl::modpoMargins(const std::vector<std::int64_t> &pairs, const StepControls &c,
                                           double &weight) const
{
    weight = 1.0;
    const GrpoOptions &o = setup.options;
    if (o.modpoAspect.empty())
        return {};
    std::vector<std::string> prompts, chosen, rejected;
    for (const auto i : pairs) {
        const DpoPair &p = dpoPairs[static_cast<std::size_t>(i)];
        prompts.push_back(rollout->prompt(p.prompt));
        chosen.push_back(p.chosenText);
        rejected.push_back(p.rejectedText);
    }
    const auto toTensor = [](const std::vector<std::vector<float>> &rows) {
        std::vector<double> flat;
        for (const auto &r : rows)
            flat.insert(flat.end(), r.begin(), r.end());
        return at::tensor(flat, at::kDouble).view({static_cast<std::int64_t>(rows.size()), -1});
    };
    const at::Tensor sc = toTensor(rewardModel->score(prompts, chosen, o.rewardBatchSize));
    const at::Tensor sr = toTensor(rewardModel->score(prompts, rejected, o.rewardBatchSize));
    const auto k = static_cast<std::size_t>(std::find(c.names.begin(), c.names.end(), o.modpoAspect) - c.names.begin());
    return modpoMargin(sc, sr, c.weights, k, o.modpoAspect, weight);
}

// One optimiser step on the step's pairs; sums for the metrics.
GrpoTrainer::Impl::DpoUpdate GrpoTrainer::Impl::dpoUpdate(std::int64_t s, std::vector<PackedMicroBatch> &micro,
                                                          const std::vector<std::int64_t> &pairs, const at::Tensor &margin,
                                                          double weight)
{
    const GrpoOptions &o = setup.options;
    DpoLossOptions lo;
    lo.beta = o.beta;
    lo.labelSmoothing = o.labelSmoothing;
    const DpoLoss loss = dpoLoss(o.lossType);
    const auto B = static_cast<double>(pairs.size());
    DpoUpdate u;
    at::manual_seed(mixSeed(o.seed, static_cast<std::uint64_t>(s), 4));   // LoRA dropout
    policy->setTraining(true);
    startOptimizerStep();
    for (auto &m : micro) {
        const std::int64_t first = m.start / 2, n = m.rows / 2;
        const at::Tensor seq = sequenceSums(completionLogps(*policy, m, 1.0, nullptr, setup.options.sharePromptPrefix), m.mask);
        const at::Tensor tokens = m.mask.sum(1);
        DpoLossInputs in;
        in.policyChosen = pairRows(seq, 0);
        in.policyRejected = pairRows(seq, 1);
        if (refPrecomputed) {
            std::vector<double> rc, rr;
            for (std::int64_t i = first; i < first + n; ++i) {
                rc.push_back(dpoPairs[static_cast<std::size_t>(pairs[static_cast<std::size_t>(i)])].refChosen);
                rr.push_back(dpoPairs[static_cast<std::size_t>(pairs[static_cast<std::size_t>(i)])].refRejected);
            }
            in.refChosen = at::tensor(rc, at::kDouble).to(seq.device(), seq.scalar_type());
            in.refRejected = at::tensor(rr, at::kDouble).to(seq.device(), seq.scalar_type());
        } else {
            const at::Tensor ref = sequenceSums(m.refLogps, m.mask);
            in.refChosen = pairRows(ref, 0);
            in.refRejected = pairRows(ref, 1);
        }
        in.chosenTokens = pairRows(tokens, 0);
        in.rejectedTokens = pairRows(tokens, 1);
        if (margin.defined())
            in.margin = margin.narrow(0, first, n);
        in.weight = weight;
        const DpoLossOutput out = loss(in, lo);
        (out.losses.sum() / B).backward();
        u.loss += out.losses.sum().item<double>();
        u.chosenReward += out.chosenRewards.sum().item<double>();
        u.rejectedReward += out.rejectedRewards.sum().item<double>();
        u.accuracy += (out.chosenRewards > out.rejectedRewards).sum().item<double>();
        u.chosenLogp += in.policyChosen.detach().sum().item<double>();
        u.rejectedLogp += in.policyRejected.detach().sum().item<double>();
        u.tokensTrained += tokens.sum().item<double>();
    }
    u.gradNorm = clipGradNorm(optimizer->params(), o.maxGradNorm > 0 ? o.maxGradNorm : std::numeric_limits<double>::infinity());
    optimizer->step();
    ++optimizerSteps;
    policy->setTraining(false);
    return u;
}

bool GrpoTrainer::Impl::runDpoStep(StepReport &report, const StepControls &c)
{
    const GrpoOptions &o = setup.options;
    const std::int64_t s = step + 1;
    if (dpoPairs.empty())
        return false;   // stopped while the pairs were sampled
    nlohmann::json &m = report.metrics;
    // Evaluation first, as GRPO's samples come from the policy before the step's update.
    RolloutPhase eval;
    const bool evaluating = s == 1 || s % o.evalSteps == 0 || s == o.maxSteps;
    if (evaluating) {
        std::vector<std::int64_t> prompts;
        for (std::int64_t i = 0; i < std::min(evalCount, o.promptsPerStep); ++i)
            prompts.push_back(evalBegin + i);
        if (!sampleAndScore(s, prompts, mixSeed(o.seed, static_cast<std::uint64_t>(s), 3), eval, eval.batch, {}))
            return false;
        eval.adv = advantages(eval.batch, c);
        m["tokens_per_s"] = static_cast<double>(eval.generatedTokens) / std::max(eval.genSeconds, 1e-9);
        report.phaseSeconds["generation"] = eval.genSeconds;
        report.phaseSeconds["scoring"] = eval.scoreSeconds;
    }
    if (stopping())
        return false;

    auto t0 = Clock::now();
    sink.onPhase(s, "reference");
    const std::vector<std::int64_t> pairs = epochOrder(static_cast<std::int64_t>(dpoPairs.size()), o.promptsPerStep, o.seed, s);
    std::vector<PackedMicroBatch> micro = rollout->pack(pairBatch(pairs), pairRowsPerMicroBatch());
    if (!refPrecomputed)
        fillReferenceLogps(micro, *policy, reference.get(), 1.0, true, false, setup.options.sharePromptPrefix);
    double weight = 1.0;
    const at::Tensor margin = modpoMargins(pairs, c, weight);
    report.phaseSeconds["reference"] = secondsSince(t0);
    if (stopping())
        return false;

    t0 = Clock::now();
    sink.onPhase(s, "update");
    const DpoUpdate u = dpoUpdate(s, micro, pairs, margin, weight);
    report.phaseSeconds["update"] = secondsSince(t0);

    if (evaluating) {
        fillRolloutMetrics(report, c, eval);
        fillSamples(report, eval);
    }
    const auto B = static_cast<double>(pairs.size());
    m["loss"] = u.loss / B;
    m["rewards/chosen"] = u.chosenReward / B;
    m["rewards/rejected"] = u.rejectedReward / B;
    m["rewards/accuracies"] = u.accuracy / B;
    m["rewards/margins"] = (u.chosenReward - u.rejectedReward) / B;
    m["logps/chosen"] = u.chosenLogp / B;
    m["logps/rejected"] = u.rejectedLogp / B;
    if (margin.defined()) {
        m["modpo/margin"] = margin.mean().item<double>();
        m["modpo/weight"] = weight;
    }
    m["grad_norm"] = u.gradNorm;
    m["learning_rate"] = optimizer->lr();
    m["tokens/trained"] = u.tokensTrained;
    m["tokens/generated"] = eval.generatedTokens + (s == 1 ? pairTokensGenerated : 0);
    if (s == 1 && pairSeconds > 0)
        report.phaseSeconds["pairs"] = pairSeconds;
    return true;
}

} // namespace awb
