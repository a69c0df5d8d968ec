#include "train/steering.h"

#include "store/store.h"

#include "data/gold_judge.h"
#include "io/json_util.h"
#include "model/causal_lm.h"
#include "reward/pareto.h"
#include "reward/reward_model.h"
#include "train/algorithms.h"
#include "train/conditioning.h"
#include "train/grpo_checkpoint.h"
#include "train/policy_export.h"
#include "train/rollout.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace awb {

SteeringInfo steeringInfo(const std::string &checkpoint)
{
    const std::string label = (fs::path(checkpoint) / "trainer_state.json").string();
    const nlohmann::json state = readCheckpointStateJson(checkpoint);
    const GrpoOptions options = grpoOptionsFromJson(state.value("options", nlohmann::json::object()), label);
    SteeringInfo info;
    info.steerable = parseConditioning(options.conditioning) != Conditioning::None;
    info.conditioning = options.conditioning;
    info.weights = options.aspectWeights;
    if (state.contains("weights") && state["weights"].is_object())
        for (const auto &[name, w] : state["weights"].items())
            if (w.is_number())
                info.weights[name] = w.get<double>();
    return info;
}

std::vector<double> SteeringInfo::over(const std::vector<std::string> &aspects) const
{
    std::vector<double> w;
    for (const auto &a : aspects) {
        const auto it = weights.find(a);
        w.push_back(steerable ? 1.0 : std::max(0.0, it != weights.end() ? it->second : 1.0));
    }
    return quantizeWeights(w);
}

struct SteeredPolicy::Impl
{
    CheckpointSummary checkpoint;
    GrpoOptions options;
    std::vector<std::string> aspects;
    std::vector<double> runWeights;   // normalised to sum 1
    bool steerable = false;
    std::unique_ptr<CausalLM> policy;
    std::unique_ptr<RewardModel> rewardModel;
    std::string rewardModelLabel;
    GoldScorer gold;
};

SteeredPolicy::SteeredPolicy(const std::string &checkpoint, const std::string &rewardModel, bool gold,
                             const Runtime &runtime)
    : m_impl(std::make_unique<Impl>())
{
    Impl &d = *m_impl;
    const std::string label = (fs::path(checkpoint) / "trainer_state.json").string();
    const nlohmann::json state = readCheckpointStateJson(checkpoint);
    d.checkpoint = describeCheckpoint(checkpoint);
    d.options = grpoOptionsFromJson(state.value("options", nlohmann::json::object()), label);
    if (algorithmSpec(d.options.algorithm).offline)
        throw Error(label + ": a " + d.options.algorithm + " checkpoint has no reward to steer; use a run of grpo, "
                    "rloo or ppo");
    d.steerable = parseConditioning(d.options.conditioning) != Conditioning::None;

    const std::string rmDir = !rewardModel.empty() ? rewardModel : state.value("reward_model_path", std::string());
    if (rmDir.empty() || !fs::exists(rmDir))
        throw IoError(label + ": the reward model \"" + rmDir + "\" the checkpoint recorded is not there; give one");
    CausalLM::LoadOptions lo = loadOptionsFor(runtime, true);
    d.rewardModel = RewardModel::load(rmDir, lo);
    d.rewardModelLabel = "reward model " + rmDir;
    d.aspects = d.rewardModel->aspects().names();
    d.policy = loadCheckpointPolicy(d.checkpoint, runtime);
    if (gold) {
        auto judge = std::make_shared<GoldJudge>();
        d.gold = [judge](const std::string &p, const std::string &c) { return judge->score(p, c); };
    }

    d.runWeights = steeringInfo(checkpoint).over(d.aspects);
}

SteeredPolicy::~SteeredPolicy() = default;

bool SteeredPolicy::steerable() const { return m_impl->steerable; }
std::int64_t SteeredPolicy::step() const { return m_impl->checkpoint.step; }
const std::vector<std::string> &SteeredPolicy::aspects() const { return m_impl->aspects; }
std::vector<std::pair<double, double>> SteeredPolicy::aspectRanges() const
{
    std::vector<std::pair<double, double>> out;
    for (const Aspect &a : m_impl->rewardModel->aspects().aspects())
        out.emplace_back(a.min, a.max);
    return out;
}
std::vector<double> SteeredPolicy::runWeights() const { return m_impl->runWeights; }
const GrpoOptions &SteeredPolicy::runOptions() const { return m_impl->options; }

std::vector<SteerSample> SteeredPolicy::generate(const std::vector<std::string> &prompts,
                                                 const std::vector<double> &weights, const SteerOptions &so,
                                                 const std::function<bool()> &cancelled)
{
    Impl &d = *m_impl;
    const std::string where = d.checkpoint.path;
    if (!weights.empty() && !d.steerable)
        throw Error(where + ": this run was not steerable (conditioning \"" + d.options.conditioning +
                    "\"): it answers only at the weights it trained with; ask it without weights, or train a run "
                    "with conditioning \"prompt\" or \"lora\"");
    if (!weights.empty() && weights.size() != d.aspects.size())
        throw Error(where + ": " + std::to_string(weights.size()) + " weights for the run's " +
                    std::to_string(d.aspects.size()) + " aspects");
    if (prompts.empty())
        throw Error("steer: no prompt given");
    const std::vector<double> vector = weights.empty() ? d.runWeights : quantizeWeights(weights);

    GrpoOptions o = d.options;
    o.numGenerations = std::max<std::int64_t>(1, so.numSamples);
    if (so.maxNewTokens > 0)
        o.maxCompletionLength = so.maxNewTokens;
    if (so.temperature >= 0)
        o.temperature = so.temperature;
    o.rewardBatchSize = so.rewardBatchSize;
    Rollout rollout(o, *d.policy, prompts);
    rollout.setConditioningAspects(d.aspects);
    std::vector<std::int64_t> index;
    for (std::size_t i = 0; i < prompts.size(); ++i)
        index.push_back(static_cast<std::int64_t>(i));
    const std::vector<std::vector<double>> groupWeights =
        d.steerable ? std::vector<std::vector<double>>(prompts.size(), vector) : std::vector<std::vector<double>>{};
    at::NoGradGuard noGrad;
    GenerationBatch batch = rollout.generate(index, so.seed, cancelled ? cancelled : [] { return false; }, 0, groupWeights);
    if (batch.cancelled)
        return {};
    rollout.score(batch, *d.rewardModel, d.gold, d.rewardModelLabel, d.checkpoint.step);
    std::vector<SteerSample> out;
    const auto G = static_cast<std::size_t>(batch.G);
    for (std::size_t i = 0; i < batch.completions.size(); ++i) {
        const auto &c = batch.completions[i];
        SteerSample s;
        s.prompt = prompts[i / G];
        s.text = c.text;
        s.finish = c.finish;
        s.weights = weightMap(d.aspects, vector);
        s.scores = weightMap(d.aspects, c.scores);
        if (!c.gold.empty())
            s.gold = weightMap(d.aspects, c.gold);
        out.push_back(std::move(s));
    }
    return out;
}

std::pair<double, double> planePoint(const FrontResult &r, const FrontPoint &p)
{
    const auto &v = r.byGold && !p.gold.empty() ? p.gold : p.scores;
    return {v[r.x], v[r.y]};
}

void measureFront(FrontResult &r)
{
    std::vector<Point2> plane;
    for (const auto &p : r.points)
        plane.push_back(planePoint(r, p));
    r.front = paretoFront(plane);
    r.hypervolume = hypervolume(plane, r.reference);
}

FrontResult sweepFront(SteeredPolicy &policy, const std::vector<std::string> &prompts,
                       const std::vector<std::vector<double>> &vectors, std::size_t x, std::size_t y,
                       const SteerOptions &options, const std::function<void(std::int64_t, std::int64_t)> &progress,
                       const std::function<bool()> &cancelled)
{
    FrontResult r;
    r.aspects = policy.aspects();
    const std::size_t K = r.aspects.size();
    if (x >= K || y >= K || x == y)
        throw Error("front: the plane needs two different aspects of the run");
    r.x = x;
    r.y = y;
    std::int64_t done = 0;
    for (const auto &v : vectors) {
        if (cancelled && cancelled())
            break;
        const bool own = !policy.steerable() || v.empty();   // the run's own weights
        const auto samples = policy.generate(prompts, own ? std::vector<double>{} : v, options, cancelled);
        if (samples.empty())
            break;
        FrontPoint p;
        p.weights = own ? policy.runWeights() : quantizeWeights(v);
        p.scores.assign(K, 0.0);
        for (const auto &s : samples)
            for (std::size_t k = 0; k < K; ++k) {
                p.scores[k] += s.scores.at(r.aspects[k]);
                if (!s.gold.empty()) {
                    p.gold.resize(K, 0.0);
                    p.gold[k] += s.gold.at(r.aspects[k]);
                }
            }
        p.samples = static_cast<std::int64_t>(samples.size());
        for (auto *v2 : {&p.scores, &p.gold})
            for (auto &value : *v2)
                value /= static_cast<double>(p.samples);
        r.byGold = r.byGold || !p.gold.empty();
        r.points.push_back(std::move(p));
        if (progress)
            progress(++done, static_cast<std::int64_t>(vectors.size()));
        if (!policy.steerable())
            break;   // a fixed-weight run is one point
    }
    const auto ranges = policy.aspectRanges();
    r.reference = {ranges[x].first, ranges[y].first};
    measureFront(r);
    return r;
}

namespace {

Store::RunInfo requireRun(const Store &store, std::int64_t runId)
{
    const auto run = store.run(runId);
    if (!run)
        throw Error(store.path() + ": there is no run " + std::to_string(runId));
    return *run;
}

} // namespace

bool isDemoRun(const Store &store, std::int64_t runId)
{
    return requireRun(store, runId).config.value("demo", false);
}

std::vector<std::string> runHeldOutPrompts(const Store &store, std::int64_t runId, bool adversarialOnly)
{
    const Store::RunInfo run = requireRun(store, runId);
    const std::string where = store.path() + ": run " + std::to_string(runId);
    const std::string file = run.config.value("prompts", std::string());
    const auto sets = store.promptSets();
    if (sets.empty())
        throw Error(store.path() + ": the workspace has no prompts");
    std::int64_t setId = sets.back().first;   // a run without a prompt file trains on the newest set
    for (const auto &[id, name] : sets)
        if (!file.empty() && name == file)
            setId = id;
    std::set<std::string> adversarial;
    if (adversarialOnly) {
        if (!run.config.value("demo", false) || file.empty())
            throw Error(where + ": only the demo's prompts are marked adversarial; leave out --adversarial-only");
        std::ifstream in(file);
        std::string line;
        for (std::int64_t n = 1; std::getline(in, line); ++n) {
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            const nlohmann::json j = parseJson(line, file + ":" + std::to_string(n));
            if (j.value("adversarial", false))
                adversarial.insert(j.value("prompt", std::string()));
        }
    }
    std::vector<std::string> out;
    for (const auto &p : store.prompts(setId, "test"))
        if (!adversarialOnly || adversarial.count(p.text))
            out.push_back(p.text);
    if (out.empty())
        throw Error(where + ": prompt set " + std::to_string(setId) + " has no held-out" +
                    (adversarialOnly ? " adversarial" : "") + " prompts; give prompts explicitly");
    return out;
}

nlohmann::json frontPointJson(const std::vector<std::string> &aspects, const FrontPoint &p)
{
    nlohmann::json j = {{"weights", weightMap(aspects, p.weights)}, {"scores", weightMap(aspects, p.scores)},
                        {"samples", p.samples}};
    if (!p.gold.empty())
        j["gold"] = weightMap(aspects, p.gold);
    return j;
}

} // namespace awb
