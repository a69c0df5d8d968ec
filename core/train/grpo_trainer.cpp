#include "train/grpo_trainer.h"

#include "train/grpo_trainer_impl.h"

#include <chrono>

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

} // namespace


std::string GrpoTrainer::Impl::rewardModelLabel() const
{
    const bool first = rewardModelVersion == setup.rewardModelVersion && !setup.rewardModelPath.empty();
    return "reward model version " + std::to_string(rewardModelVersion) +
           (first ? " (" + setup.rewardModelPath + ")" : std::string());
}

void GrpoTrainer::Impl::warnAboutEnsembleOptions() const
{
    if (spec.offline)
        return;
    const std::string w = ensembleOptionsWarning(setup.options, rewardModel->ensembleSize(), rewardModelLabel());
    if (!w.empty())
        sink.onLog(w);
}

AdvantageResult GrpoTrainer::Impl::advantages(const GenerationBatch &batch, const StepControls &c,
                                              const at::Tensor &kl) const
{
    AdvantageInputs in;
    in.scores = batch.scoresTensor();
    in.weights = c.weights;
    in.weightRows = batch.weightRows(static_cast<std::int64_t>(c.weights.size()));   // a steerable run's groups
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

namespace {

// A bound at or past the range's end can never be met (">= max") or always is (">= min").
bool boundInside(const Aspect &a, double bound)
{
    return bound > a.min && bound < a.max;
}

} // namespace

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
        warnAboutEnsembleOptions();
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
    c.userWeights = c.weights;
    applyLiveBounds(snap.bounds);
    for (std::size_t i = 0; i < constraints.size(); ++i) {
        const auto k = static_cast<std::size_t>(std::find(c.names.begin(), c.names.end(), constraints[i].aspect) - c.names.begin());
        c.weights[k] = constraints[i].atLeast ? lambdas[i] : -lambdas[i];
    }
    report.aspects = c.names;
    report.aggregation = snap.aggregation.empty() ? o.multiObjectiveAggregation : snap.aggregation;
    report.rewardModelVersion = rewardModelVersion;
    c.aggregation = parseAggregation(report.aggregation);
    c.scale = parseScaleRewards(o.scaleRewards);
    return c;
}

// A bound edited live (the weights panel, the workspace's run controls) replaces the
// option's from this step on; one outside the aspect's range is refused in the log.
void GrpoTrainer::Impl::applyLiveBounds(const std::map<std::string, double> &bounds)
{
    for (Constraint &c : constraints) {
        const auto it = bounds.find(c.aspect);
        if (it == bounds.end() || it->second == c.bound)
            continue;
        const Aspect &a = rewardModel->aspects().at(*rewardModel->aspects().find(c.aspect));
        if (!boundInside(a, it->second)) {
            sink.onLog("step " + std::to_string(step + 1) + ": the bound " + std::to_string(it->second) + " on \"" +
                       c.aspect + "\" is outside its range (" + std::to_string(a.min) + ", " + std::to_string(a.max) +
                       "); the constraint keeps " + std::to_string(c.bound));
            continue;
        }
        sink.onLog("step " + std::to_string(step + 1) + ": constraint " + c.aspect + (c.atLeast ? " >= " : " <= ") +
                   std::to_string(it->second) + " (was " + std::to_string(c.bound) + ")");
        c.bound = it->second;
    }
}

std::vector<std::vector<double>> GrpoTrainer::Impl::stepGroupWeights(std::int64_t s, std::int64_t groups) const
{
    std::vector<std::vector<double>> out;
    if (conditioning == Conditioning::None)
        return out;
    const GrpoOptions &o = setup.options;
    // The fixed vectors take at most half of the groups (rounded up), so every step also draws.
    const std::int64_t fixedGroups = std::min<std::int64_t>(static_cast<std::int64_t>(fixedVectors.size()), (groups + 1) / 2);
    for (std::int64_t g = 0; g < groups; ++g)
        out.push_back(groupWeights(fixedVectors, runAspects.size(), o.conditioningAlpha, o.seed, s, g, fixedGroups));
    return out;
}

// One round of sampling and scoring into `batch`; false when stopped.
bool GrpoTrainer::Impl::sampleAndScore(std::int64_t s, const std::vector<std::int64_t> &prompts, std::uint64_t seed,
                                       RolloutPhase &out, GenerationBatch &batch,
                                       const std::vector<std::vector<double>> &weights)
{
    // A data-parallel rank samples and scores its share of the groups; then every rank holds them all.
    sink.onPhase(s, "generation");
    auto t0 = Clock::now();
    const auto [g0, g1] = share(static_cast<std::int64_t>(prompts.size()));
    // A steerable run's warm-up samples from the plain prompts and trains on the conditioned ones.
    const bool sampleConditioned = s > setup.options.conditioningWarmupSteps;
    batch = rollout->generate(std::vector<std::int64_t>(prompts.begin() + g0, prompts.begin() + g1), seed,
                              [this] { return cancelled(); }, g0,
                              weights.empty() ? weights
                                              : std::vector<std::vector<double>>(weights.begin() + g0, weights.begin() + g1),
                              sampleConditioned);
    out.genSeconds += secondsSince(t0);
    if (batch.cancelled || stopping())
        return false;
    sink.onPhase(s, "scoring");
    t0 = Clock::now();
    rollout->score(batch, *rewardModel, setup.goldScorer, rewardModelLabel(), s);
    out.scoreSeconds += secondsSince(t0);
    batch = gatherBatch(std::move(batch), prompts, weights);
    out.generatedTokens += batch.generatedTokens;
    return true;
}

GrpoTrainer::Impl::RolloutPhase GrpoTrainer::Impl::runRollout(std::int64_t s, const StepControls &c)
{
    const GrpoOptions &o = setup.options;
    RolloutPhase r;
    rollout->clearConditionedPrompts();
    const std::vector<std::int64_t> prompts = rollout->promptsForStep(s);
    const auto weights = stepGroupWeights(s, static_cast<std::int64_t>(prompts.size()));
    if (!sampleAndScore(s, prompts, mixSeed(o.seed, static_cast<std::uint64_t>(s), 3), r, r.batch, weights)) {
        r.stopped = true;
        return r;
    }
    r.adv = advantages(r.batch, c);
    r.fracZeroStd = r.adv.fracZeroStd;
    for (std::int64_t round = 0; o.dynamicSampling && round < o.dynamicSamplingMaxRounds && r.adv.fracZeroStd > 0; ++round) {
        // DAPO's dynamic sampling: groups that teach nothing are replaced by
        // groups of fresh prompts (drawn from the steps after the last one).
        // A replacement keeps its slot's weight vector in a steerable run.
        std::vector<std::int64_t> fresh;
        std::vector<std::vector<double>> freshWeights;
        const auto pool = rollout->promptsForStep(o.maxSteps + 1 + s * (o.dynamicSamplingMaxRounds + 1) + round);
        for (std::size_t g = 0; g < r.adv.zeroStdGroup.size(); ++g)
            if (r.adv.zeroStdGroup[g]) {
                fresh.push_back(pool[g % pool.size()]);
                if (!weights.empty())
                    freshWeights.push_back(weights[g]);
            }
        GenerationBatch extra;
        if (!sampleAndScore(s, fresh, mixSeed(o.seed, static_cast<std::uint64_t>(s), 10 + static_cast<std::uint64_t>(round)),
                            r, extra, freshWeights)) {
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

void GrpoTrainer::Impl::updateConstraints(StepReport &report, const RolloutPhase &r)
{
    const GrpoOptions &o = setup.options;
    nlohmann::json &m = report.metrics;
    for (std::size_t i = 0; i < constraints.size(); ++i) {
        const Constraint &c = constraints[i];
        const auto k = static_cast<std::size_t>(std::find(runAspects.begin(), runAspects.end(), c.aspect) - runAspects.begin());
        double sum = 0, broken = 0;
        for (const auto &cpl : r.batch.completions) {
            sum += cpl.scores[k];
            broken += violates(c, cpl.scores[k]) ? 1 : 0;
        }
        const auto n = static_cast<double>(std::max<std::size_t>(r.batch.completions.size(), 1));
        const double violation = constraintViolation(c, sum / n);
        m["lambda/" + c.aspect] = lambdas[i];   // the multiplier this step's rewards used
        m["constraint/" + c.aspect + "/mean"] = sum / n;
        m["constraint/" + c.aspect + "/violation"] = violation;
        m["constraint/" + c.aspect + "/violation_rate"] = broken / n;
        m["constraint/" + c.aspect + "/bound"] = c.bound;
        if (step + 1 > o.lambdaUpdateDelaySteps)
            lambdas[i] = updateLagrangeMultiplier(lambdas[i], violation, o.lambdaLr, o.lambdaMax);
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
    d.warnAboutEnsembleOptions();
    d.constraints = parseConstraints(o.constraints, "constraints");
    for (const auto &c : d.constraints) {
        const auto k = d.rewardModel->aspects().find(c.aspect);
        if (!k)
            throw Error("constraints: the reward model has no aspect \"" + c.aspect + "\" " + joinNames(d.runAspects));
        const Aspect &a = d.rewardModel->aspects().at(*k);
        if (!boundInside(a, c.bound))
            throw Error("constraints: the bound " + std::to_string(c.bound) + " on \"" + c.aspect +
                        "\" is outside its range (" + std::to_string(a.min) + ", " + std::to_string(a.max) +
                        "); pick a bound strictly inside it");
    }
    d.lambdas.assign(d.constraints.size(), o.lambdaInit);
    d.conditioning = parseConditioning(o.conditioning);
    if (d.conditioning != Conditioning::None)
        d.fixedVectors = parseConditioningVectors(o.conditioningVectors, d.runAspects);
    d.comm = d.setup.comm ? d.setup.comm : Communicator::single();
    d.checkDataParallel();

    // A base that stays frozen (LoRA's, and full fine-tuning's reference copy) keeps its stored bfloat16.
    d.policy = d.setup.policy ? std::move(d.setup.policy)
                              : std::shared_ptr<CausalLM>(
                                    CausalLM::load(o.model, loadOptionsFor(d.setup.runtime, o.useLora)));
    if (o.useLora) {
        LoraOptions lora = loraOptionsFor(o);
        if (d.conditioning == Conditioning::Lora)   // one preference dimension per aspect of the run
            lora.preferenceRank = static_cast<std::int64_t>(d.runAspects.size());
        d.policy->addLora(lora, mixSeed(o.seed, 0, 2));
        d.policy->setBaseTrainable(false);
    } else {
        d.policy->setBaseTrainable(true);
        // DPO with precomputed reference log-probs needs no reference copy: the policy as it starts is one.
        if (d.klCoefficient() != 0.0 && !(d.spec.offline && o.precomputeRefLogProbs)) {
            d.reference = CausalLM::load(o.model, loadOptionsFor(d.setup.runtime, true));
            d.reference->setBaseTrainable(false);
        }
    }
    d.rollout = std::make_unique<Rollout>(o, *d.policy, d.spec.offline ? d.dpoRolloutPrompts() : d.setup.prompts);
    d.rollout->setConditioningAspects(d.runAspects);
    if (!d.rollout->contextNote().empty())
        d.sink.onLog(d.rollout->contextNote());
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
        d.value = std::make_unique<ValueModel>(o, *d.policy, *d.rewardModel, weights, d.setup.runtime.device,
                                               d.setup.runtime.dtype);
        for (auto &p : d.value->trainableParameters())
            params.push_back(p);
    }
    d.optimizer = std::make_unique<AdamW>(std::move(params), ao);
    d.broadcastState();
    if (d.spec.offline)
        d.setupDpo();
}

GrpoTrainer::~GrpoTrainer() = default;

std::int64_t GrpoTrainer::step() const { return m_impl->step; }
CausalLM &GrpoTrainer::policy() { return *m_impl->policy; }
std::shared_ptr<const CausalLM> GrpoTrainer::sharedPolicy() const { return m_impl->policy; }

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
        if (every > 0 && d.step % every == 0 && d.step < d.setup.options.maxSteps && !d.setup.checkpointDir.empty() &&
            d.comm->root())
            saveCheckpoint();
    }
    if (!d.setup.checkpointDir.empty() && d.step > 0 && d.comm->root() &&
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

    if (!d.distributed())
        d.sink.onStepStart(s);
    if (d.syncControls(s))
        return false;
    const Impl::StepControls controls = d.readControls(report);
    nlohmann::json &m = report.metrics;
    if (d.spec.offline) {
        if (!d.runDpoStep(report, controls))
            return false;
    } else {
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
        d.updateConstraints(report, rollout);
        m["tokens_per_s"] = static_cast<double>(rollout.generatedTokens) / std::max(rollout.genSeconds, 1e-9);
        d.fillSamples(report, rollout);
    }
    for (const auto &[phase, sec] : report.phaseSeconds)
        m["time/" + phase] = sec;
    m["time/step"] = secondsSince(stepStart);
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
    state.runUid = d.setup.runUid;
    for (std::size_t i = 0; i < d.constraints.size(); ++i) {
        state.lambdas[d.constraints[i].aspect] = d.lambdas[i];
        state.bounds[d.constraints[i].aspect] = d.constraints[i].bound;
    }
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
    for (std::size_t i = 0; i < d.constraints.size(); ++i) {
        const auto it = state.lambdas.find(d.constraints[i].aspect);
        if (it != state.lambdas.end())
            d.lambdas[i] = it->second;
        if (const auto b = state.bounds.find(d.constraints[i].aspect); b != state.bounds.end())
            d.constraints[i].bound = b->second;   // a bound edited live holds after the resume
    }
    d.checkpoints = listCheckpoints(d.setup.checkpointDir, d.setup.runUid);
    d.broadcastState();
    return d.step;
}

std::string GrpoTrainer::latestCheckpoint(const std::string &dir, const std::string &runUid)
{
    const auto all = listCheckpoints(dir, runUid);
    return all.empty() ? std::string() : all.back();
}

nlohmann::json GrpoTrainer::readCheckpointState(const std::string &checkpoint)
{
    return readCheckpointStateJson(checkpoint);
}

} // namespace awb
