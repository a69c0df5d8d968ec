#include "train/active_learning.h"

#include "demo/demo_builder.h"
#include "reward/reward_data.h"
#include "reward/reward_exchange.h"
#include "reward/reward_model.h"
#include "reward/reward_retrain.h"
#include "reward/reward_trainer.h"
#include "store/store.h"
#include "train/grpo_session.h"
#include "train/seeds.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

namespace fs = std::filesystem;

namespace awb {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char *kPoolRunName = "active-learning pool";
constexpr const char *kAnnotator = "gold judge (simulated annotator)";

void checkOptions(const ActiveLearningOptions &o)
{
    const auto &known = activeLearningStrategies();
    if (std::find(known.begin(), known.end(), o.strategy) == known.end())
        throw Error("active-learning: --strategy \"" + o.strategy + "\" is not one of uncertainty, random, disagreement");
    if (o.db.empty())
        throw Error("active-learning: no workspace file given (--db)");
    if (o.rounds < 1)
        throw Error("active-learning: --rounds must be at least 1, got " + std::to_string(o.rounds));
    if (o.budget < o.rounds)
        throw Error("active-learning: --budget " + std::to_string(o.budget) + " must be at least --rounds ("
                    + std::to_string(o.rounds) + "): every round labels at least one sample");
    if (o.ensembleSize < 1)
        throw Error("active-learning: ensemble_size (--ensemble-size) must be at least 1, got "
                    + std::to_string(o.ensembleSize));
    if (o.ensembleSize < 2 && o.strategy != "random")
        throw Error("active-learning: --strategy " + o.strategy + " ranks by the spread across ensemble members: "
                    "give --ensemble-size 2 or more");
    if (!(o.heldOutFraction > 0 && o.heldOutFraction < 1))
        throw Error("active-learning: --held-out-fraction must be in (0, 1)");
    if (o.poolSteps < 1 || o.epochs < 1)
        throw Error("active-learning: --pool-steps and --epochs must be at least 1");
}

// The pool run of the workspace: made here (a GRPO run of the demo) unless it is there already.
std::int64_t poolRun(const ActiveLearningOptions &o, const std::string &demoDir,
                     const std::function<void(const std::string &)> &say)
{
    {
        const Store store = Store::open(o.db);
        if (store.labelCount() > 0)
            throw Error(o.db + ": the workspace already has labels; active learning starts from none (give a new --db)");
        for (const auto &run : store.runs())
            if (run.name == kPoolRunName && run.lastStep >= o.poolSteps) {
                say("pool: run " + std::to_string(run.id) + " of " + o.db);
                return run.id;
            }
    }
    struct Sink : TrainingSink
    {
        std::function<void(const std::string &)> say;
        void onStep(const StepReport &r) override
        {
            if (r.step % 10 == 0 || r.step == r.maxSteps)
                say("pool: GRPO step " + std::to_string(r.step) + "/" + std::to_string(r.maxSteps));
        }
        void onLog(const std::string &m) override { say("pool: " + m); }
    } sink;
    sink.say = say;
    GrpoSessionOptions so;
    so.db = o.db;
    so.demo = true;
    so.demoDir = demoDir;
    so.runtime = o.runtime;
    so.overrides = {{"max_steps", o.poolSteps}, {"run_name", kPoolRunName}, {"save_steps", 0}};
    TrainingControls controls;
    GrpoSession session(so, controls, sink);
    if (session.run() < o.poolSteps)
        throw Error("active-learning: the pool run stopped before step " + std::to_string(o.poolSteps));
    return session.runId();
}

RewardExample exampleOf(const SampleRecord &s, const std::vector<std::string> &aspects)
{
    RewardExample e{s.prompt, s.completion, {}};
    for (const auto &a : aspects) {
        const auto it = s.gold.find(a);
        e.targets.push_back(it == s.gold.end() ? std::nullopt : std::optional<double>(it->second));
    }
    return e;
}

nlohmann::json heldOutMetrics(RewardModel &model, const std::vector<RewardExample> &heldOut)
{
    const std::vector<AspectMetrics> m = evaluateRewardModel(model, heldOut, 32, 256);
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t k = 0; k < m.size(); ++k)
        out[model.aspects().at(k).name] = aspectMetricsJson(m[k]);
    return out;
}

// The demo's reward model with `members` heads, the new ones fitted to the demo's labels (head only,
// each on its own bootstrap resample), registered in the workspace; returns its folder.
std::string startingModel(const ActiveLearningOptions &o, const std::string &demoDir,
                          const std::function<void(const std::string &)> &say, const std::function<bool()> &shouldStop)
{
    auto model = RewardModel::load((fs::path(demoDir) / "reward_model").string());
    model->setEnsembleSize(o.ensembleSize, o.seed);
    if (o.ensembleSize > 1) {
        const RewardDataset data =
            loadRewardData({{(fs::path(demoDir) / "labels.jsonl").string(), ""}}, {}, model->aspects());
        RewardTrainOptions to;
        to.backboneMode = "frozen";
        to.epochs = 5;
        to.batchSize = 32;
        to.maxLength = 128;
        to.headLearningRate = 3e-3;
        to.seed = o.seed;
        say("starting model: " + std::to_string(o.ensembleSize) + " heads fitted to " + std::to_string(data.examples.size())
            + " demo labels");
        const RewardTrainReport r = trainRewardModel(*model, data.examples, to, {}, shouldStop);
        if (r.cancelled)
            throw Error("active-learning: stopped");
    }
    Store store = Store::open(o.db);
    const auto versions = store.rewardModels();
    const std::string dir = newRewardModelFolder(o.db, versions.empty() ? 1 : versions.back().version + 1);
    model->save(dir);
    store.registerRewardModel(dir, model->info().labelCount, rewardModelMetricsJson(*model),
                              "active learning: the demo's reward model with " + std::to_string(o.ensembleSize)
                                  + " heads (the starting model)");
    return dir;
}

// Per candidate and aspect: the members' std and range (max - min).
void spreads(RewardModel &model, const std::vector<SampleRecord> &pool, const std::vector<std::size_t> &candidates,
             std::vector<std::vector<double>> &stds, std::vector<std::vector<double>> &ranges)
{
    std::vector<std::string> prompts, responses;
    for (auto i : candidates) {
        prompts.push_back(pool[i].prompt);
        responses.push_back(pool[i].completion);
    }
    const EnsembleScores s = model.scoreDetailed(prompts, responses, 32, 256);
    stds.assign(pool.size(), {});
    ranges.assign(pool.size(), {});
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        const std::size_t i = candidates[c];
        for (std::size_t k = 0; k < s.members[c].size(); ++k) {
            const auto [lo, hi] = std::minmax_element(s.members[c][k].begin(), s.members[c][k].end());
            stds[i].push_back(s.std[c][k]);
            ranges[i].push_back(*hi - *lo);
        }
    }
}

// The open samples in the order the strategy gives this round.
std::vector<std::size_t> strategyOrder(const ActiveLearningOptions &o, RewardModel &model,
                                       const std::vector<SampleRecord> &pool, const std::vector<std::size_t> &open)
{
    if (o.strategy == "random")
        return open;   // already in the run's random order
    std::vector<std::vector<double>> stds, ranges;
    spreads(model, pool, open, stds, ranges);
    return activeLearningOrder(o.strategy, open, stds, ranges, o.seed);
}

// The simulated annotator: every aspect of each chosen sample gets its gold score, from the strategy's queue.
void labelWithGold(const ActiveLearningOptions &o, const std::vector<SampleRecord> &pool,
                   const std::vector<std::size_t> &chosen, std::vector<bool> &labelled)
{
    Store store = Store::open(o.db);
    for (auto i : chosen) {
        labelled[i] = true;
        for (const auto &[aspect, value] : pool[i].gold)
            store.addLabel(LabelRecord{0, pool[i].id, aspect, value, kAnnotator, 0}, o.strategy);
    }
}

// A new version from the starting model on every label so far and a replay of the demo's labels.
RewardRetrainResult retrainFromStart(const ActiveLearningOptions &o, const std::string &startDir,
                                     const std::string &demoDir, const std::function<bool()> &shouldStop)
{
    RewardRetrainOptions ro;
    ro.db = o.db;
    ro.baseModelDir = startDir;
    ro.replayLabelsPath = (fs::path(demoDir) / "labels.jsonl").string();
    ro.epochs = o.epochs;
    ro.seed = o.seed;
    ro.ensembleSize = o.ensembleSize;
    // No early stopping: its validation split would be mostly replayed labels the starting model was fitted
    // to, so it would often keep the starting weights; the held-out gold samples are the measure here.
    ro.validationFraction = 0.0;
    return retrainRewardModel(ro, {}, shouldStop);
}

std::string spearmanLine(std::int64_t round, const std::vector<std::string> &aspects, const nlohmann::json &metrics)
{
    std::string line = "round " + std::to_string(round) + ": held-out Spearman";
    for (const auto &a : aspects) {
        const nlohmann::json &v = metrics.at(a).at("spearman");
        line += " " + a + " " + (v.is_number() ? std::to_string(v.get<double>()).substr(0, 5) : std::string("-"));
    }
    return line;
}

} // namespace

const std::vector<std::string> &activeLearningStrategies()
{
    static const std::vector<std::string> names = {"uncertainty", "random", "disagreement"};
    return names;
}

std::vector<std::size_t> activeLearningOrder(const std::string &strategy, const std::vector<std::size_t> &candidates,
                                             const std::vector<std::vector<double>> &stds,
                                             const std::vector<std::vector<double>> &ranges, std::uint64_t seed)
{
    std::vector<std::size_t> order = candidates;
    if (strategy == "random") {
        std::mt19937_64 rng(seed);
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<std::size_t>(rng() % i)]);
        return order;
    }
    const auto &by = strategy == "uncertainty" ? stds : ranges;
    auto key = [&](std::size_t i) {
        const auto &v = by.at(i);
        return v.empty() ? -1.0 : *std::max_element(v.begin(), v.end());
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
    return order;
}

nlohmann::json ActiveLearningResult::toJson() const
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto &r : rounds)
        list.push_back({{"labels", r.labels}, {"version", r.version}, {"metrics", r.metrics}, {"seconds", r.seconds}});
    return {{"strategy", strategy}, {"aspects", aspects}, {"pool", poolSamples}, {"held_out", heldOutSamples},
            {"rounds", list}};
}

ActiveLearningResult runActiveLearning(const ActiveLearningOptions &o, const std::function<void(const std::string &)> &log,
                                       const std::function<bool()> &shouldStop)
{
    const auto started = Clock::now();
    checkOptions(o);
    auto say = [&](const std::string &m) {
        if (log)
            log(m);
    };
    auto stop = [&] { return shouldStop && shouldStop(); };
    const std::string demoDir = o.demoDir.empty() ? findDemoDir() : o.demoDir;
    if (demoDir.empty() || !fs::is_regular_file(fs::path(demoDir) / "labels.jsonl"))
        throw Error("active-learning: no demo folder with labels.jsonl (" + (demoDir.empty() ? std::string("none found") : demoDir)
                    + "); give --demo-dir");
    applyRuntime(o.runtime);

    const std::int64_t runId = poolRun(o, demoDir, say);
    SampleFilter filter;
    filter.runId = runId;
    filter.limit = -1;
    const std::vector<SampleRecord> pool = Store::open(o.db).samples(filter);
    if (pool.empty() || pool.front().gold.empty())
        throw Error(o.db + ": the pool run has no samples with gold scores");

    // The held-out share depends on the seed alone, so every strategy is measured on the same samples.
    std::vector<std::size_t> all(pool.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    const std::vector<std::size_t> shuffled = activeLearningOrder("random", all, {}, {}, mixSeed(o.seed, 0, 71));
    const auto nHeld = static_cast<std::size_t>(std::llround(o.heldOutFraction * static_cast<double>(pool.size())));
    std::vector<std::size_t> candidates(shuffled.begin() + static_cast<std::ptrdiff_t>(nHeld), shuffled.end());
    std::sort(candidates.begin(), candidates.end());
    if (static_cast<std::int64_t>(candidates.size()) < o.budget)
        throw Error("active-learning: --budget " + std::to_string(o.budget) + " exceeds the " + std::to_string(candidates.size())
                    + " samples the pool offers; raise --pool-steps or lower --budget");

    ActiveLearningResult result;
    result.strategy = o.strategy;
    result.poolSamples = static_cast<std::int64_t>(pool.size());
    result.heldOutSamples = static_cast<std::int64_t>(nHeld);

    const std::string startDir = startingModel(o, demoDir, say, shouldStop);
    std::shared_ptr<RewardModel> model = RewardModel::load(startDir);
    result.aspects = model->aspects().names();
    std::vector<RewardExample> heldOut;
    for (std::size_t i = 0; i < nHeld; ++i)
        heldOut.push_back(exampleOf(pool[shuffled[i]], result.aspects));
    auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
    result.rounds.push_back({0, Store::open(o.db).rewardModels().back().version, heldOutMetrics(*model, heldOut), seconds()});

    const std::vector<std::size_t> randomOrder = activeLearningOrder("random", candidates, {}, {}, mixSeed(o.seed, 0, 72));
    std::vector<bool> labelled(pool.size(), false);
    std::int64_t done = 0;
    for (std::int64_t round = 1; round <= o.rounds && !stop(); ++round) {
        const std::int64_t take = o.budget * round / o.rounds - done;
        std::vector<std::size_t> open;
        for (auto i : (o.strategy == "random" ? randomOrder : candidates))
            if (!labelled[i])
                open.push_back(i);
        const std::vector<std::size_t> order = strategyOrder(o, *model, pool, open);
        labelWithGold(o, pool, std::vector<std::size_t>(order.begin(), order.begin() + take), labelled);
        done += take;
        say("round " + std::to_string(round) + "/" + std::to_string(o.rounds) + ": " + std::to_string(done)
            + " samples labelled, retraining");
        const RewardRetrainResult r = retrainFromStart(o, startDir, demoDir, shouldStop);
        if (r.cancelled)
            break;
        model = r.model;
        result.rounds.push_back({done, r.version, heldOutMetrics(*model, heldOut), seconds()});
        say(spearmanLine(round, result.aspects, result.rounds.back().metrics));
    }
    return result;
}

} // namespace awb
