#include "train/grpo_session.h"

#include "data/gold_judge.h"
#include "data/prompt_import.h"
#include "demo/demo_builder.h"
#include "io/json_util.h"
#include "reward/aspect_schema.h"
#include "reward/reward_data.h"
#include "reward/reward_model.h"
#include "store/retry_locked.h"
#include "store/store.h"
#include "dist/communicator.h"
#include "train/algorithms.h"
#include "train/grpo_checkpoint.h"
#include "train/training_controls.h"
#include "train/workspace_controls.h"
#include "util/error.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::string absoluteFrom(const std::string &base, const std::string &path)
{
    if (path.empty())
        return path;
    fs::path p(path);
    if (p.is_relative())
        p = fs::path(base) / p;
    return fs::absolute(p).lexically_normal().string();
}

std::map<std::string, double> toMap(const std::vector<std::string> &names, const std::vector<double> &values)
{
    std::map<std::string, double> out;
    for (std::size_t k = 0; k < names.size() && k < values.size(); ++k)
        out[names[k]] = values[k];
    return out;
}

} // namespace

GrpoOptions demoGrpoOptions(const std::string &demoDir)
{
    const std::string manifest = (fs::path(demoDir) / "demo.json").string();
    const nlohmann::json j = readJsonFile(manifest);
    if (!j.contains("grpo"))
        throw FormatError(manifest + ": no \"grpo\" section");
    GrpoOptions o = grpoOptionsFromJson(j["grpo"], manifest);
    o.model = absoluteFrom(demoDir, o.model);
    o.rewardModel = absoluteFrom(demoDir, o.rewardModel);
    o.prompts = absoluteFrom(demoDir, o.prompts);
    return o;
}

struct GrpoSession::Impl : TrainingSink
{
    GrpoSessionOptions so;
    TrainingControls &controls;
    TrainingSink &outer;
    std::unique_ptr<Store> store;
    GrpoOptions options;
    std::int64_t runId = 0;
    std::int64_t startStep = 0;
    std::vector<std::string> aspects;
    std::vector<std::optional<std::int64_t>> promptIds;
    std::string checkpointDir;
    std::unique_ptr<GrpoTrainer> trainer;
    std::shared_ptr<Communicator> comm;   // data-parallel ranks; rank 0 alone has the store
    std::map<std::string, double> lastWeights;
    std::string lastAggregation;
    std::int64_t lastRewardModel = -1;

    GrpoTrainerSetup setup;   // resolved, until the trainer takes it
    std::string resumeFrom;   // the checkpoint to continue from, or empty
    std::string runUid;       // the run's identity (its config's run_uid), in its checkpoints
    std::unique_ptr<WorkspaceControls> workspaceControls;   // rank 0: the window's controls for this run
    bool pausedByWorkspace = false;

    // A workspace write that finds the database locked (the window exporting, an annotator's
    // transaction) keeps what it writes in memory and tries again, rather than ending the run.
    template <class Write>
    void retryWhileLocked(const std::string &what, Write write)
    {
        awb::retryWhileLocked(store->path(), what, write, [this] { return controls.stopRequested(); },
                              [this](const std::string &m) { outer.onLog(m); });
    }

    Impl(const GrpoSessionOptions &o, TrainingControls &c, TrainingSink &s) : so(o), controls(c), outer(s) {}

    // Rank 0 (or the only process): the workspace, the options, the models; what the other ranks need.
    nlohmann::json resolve();
    // Every rank: the trainer, resumed when there is a checkpoint.
    void start(const nlohmann::json &plan);

    void onStep(const StepReport &r) override
    {
        if (!store)
            return;   // ranks other than 0: rank 0 records and reports every step
        StepRecord rec;
        rec.runId = runId;
        rec.step = r.step;
        rec.metrics = r.metrics;
        rec.weights = r.weights;
        rec.aggregation = r.aggregation;
        rec.rewardModelVersion = r.rewardModelVersion;
        for (const auto &smp : r.samples) {
            SampleRecord s;
            s.runId = runId;
            s.step = r.step;
            const auto pi = static_cast<std::size_t>(smp.promptIndex);
            s.promptId = pi < promptIds.size() ? promptIds[pi] : std::nullopt;
            s.prompt = smp.prompt;
            s.completion = smp.completion;
            s.group = smp.group;
            s.indexInGroup = smp.indexInGroup;
            s.completionTokens = smp.completionTokens;
            s.finish = smp.finish;
            s.scores = toMap(r.aspects, smp.scores);
            s.gold = toMap(r.aspects, smp.gold);
            s.weights = toMap(r.aspects, smp.weights);
            s.scoreStd = toMap(r.aspects, smp.scoreStd);
            for (std::size_t k = 0; k < r.aspects.size() && k < smp.members.size(); ++k)
                s.members[r.aspects[k]] = smp.members[k];
            s.reward = smp.reward;
            s.advantage = smp.advantage;
            s.rewardModelVersion = r.rewardModelVersion;
            rec.samples.push_back(std::move(s));
        }
        retryWhileLocked("step " + std::to_string(r.step), [&] { store->writeStep(rec); });
        // Markers for the plots: what changed at this step.
        if (r.weights != lastWeights || r.aggregation != lastAggregation) {
            if (!lastWeights.empty())
                retryWhileLocked("a weights event", [&] {
                    store->addEvent(runId, r.step, "weights", {{"weights", r.weights}, {"aggregation", r.aggregation}});
                });
            lastWeights = r.weights;
            lastAggregation = r.aggregation;
        }
        if (r.rewardModelVersion != lastRewardModel) {
            if (lastRewardModel >= 0)
                retryWhileLocked("a reward-model event",
                                 [&] { store->addEvent(runId, r.step, "reward_model", {{"version", r.rewardModelVersion}}); });
            lastRewardModel = r.rewardModelVersion;
        }
        outer.onStep(r);
    }
    // The workspace's controls before each step. One process waits here while they say pause;
    // rank 0 of a job turns the pause into its TrainingControls', which the step-start agreement
    // keeps sending to the other ranks (calling this again every half second).
    void onStepStart(std::int64_t step) override
    {
        if (!workspaceControls)
            return;
        if (comm->size() > 1) {
            const bool paused = workspaceControls->poll(step);
            if (paused)
                controls.requestPause();
            else if (pausedByWorkspace)
                controls.resume();
            pausedByWorkspace = paused;
            return;
        }
        while (workspaceControls->poll(step) && !controls.stopRequested())
            std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    void onLog(const std::string &m) override
    {
        if (store)
            outer.onLog(m);
    }
    void onPhase(std::int64_t step, const std::string &phase) override
    {
        if (store)
            outer.onPhase(step, phase);
    }
    void onCheckpoint(std::int64_t step, const std::string &dir) override
    {
        if (!store)
            return;
        retryWhileLocked("the checkpoint of step " + std::to_string(step), [&] { store->addCheckpoint(runId, step, dir); });
        outer.onCheckpoint(step, dir);
    }

    // The reward model's version in the workspace, registering the folder if new.
    std::int64_t versionOf(const std::string &path, const RewardModel &rm)
    {
        for (const auto &info : store->rewardModels())
            if (info.path == path)
                return info.version;
        return store->registerRewardModel(path, rm.info().labelCount, rewardModelMetricsJson(rm), "imported from " + path);
    }

    // Imports the prompt file into the workspace (once per file) and returns the training split
    // (and in `held`, the held-out split: DPO's evaluation prompts, whose ids follow the training ones).
    std::vector<std::string> loadPrompts(std::vector<std::string> *held = nullptr)
    {
        std::int64_t setId = 0;
        if (!options.prompts.empty()) {
            setId = importPromptSet(*store, options.prompts, options.promptField,
                                    [this](const std::string &m) { outer.onLog(m); });
        } else {
            const auto sets = store->promptSets();
            if (sets.empty())
                throw Error(store->path() + ": the workspace has no prompts; give a prompt file (\"prompts\")");
            setId = sets.back().first;
        }
        std::vector<std::string> texts;
        for (const auto &p : store->prompts(setId, "train")) {
            texts.push_back(p.text);
            promptIds.emplace_back(p.id);
        }
        if (texts.empty())
            throw Error(store->path() + ": prompt set " + std::to_string(setId) + " has no training prompts");
        if (held) {
            for (const auto &p : store->prompts(setId, "test")) {
                held->push_back(p.text);
                promptIds.emplace_back(p.id);
            }
            if (held->empty()) {
                // No held-out split: the evaluation generations use the first training prompts.
                for (std::size_t i = 0; i < texts.size() && i < static_cast<std::size_t>(options.promptsPerStep); ++i) {
                    held->push_back(texts[i]);
                    promptIds.push_back(promptIds[i]);
                }
                outer.onLog("prompt set " + std::to_string(setId) + " has no held-out prompts: DPO evaluates on " +
                            std::to_string(held->size()) + " training prompts");
            }
        }
        return texts;
    }

    // DPO's pairs from a file or the workspace's samples; the gold judge's are the trainer's to build.
    void resolvePairs(GrpoTrainerSetup &setup, const std::map<std::string, double> &weights)
    {
        std::string src = options.pairSource;
        if (src == "auto")
            src = !options.preferenceFile.empty() ? "file" : setup.goldScorer ? "gold" : "workspace";
        setup.pairSource = src;
        if (src == "file") {
            std::vector<std::string> warnings;
            for (const auto &p : loadPreferenceFile(options.preferenceFile, warnings))
                setup.pairs.push_back({p.prompt, p.chosen, p.rejected});
            for (const auto &w : warnings)
                outer.onLog(w);
        } else if (src == "workspace") {
            std::map<std::int64_t, std::map<std::string, double>> labels;
            for (const auto &l : store->labelledSamples())
                labels[l.sampleId] = l.labels;
            SampleFilter all;
            all.limit = -1;
            const auto samples = store->samples(all);
            // A group is ordered by its human labels when two or more of its samples have them.
            std::map<std::string, int> labelled;
            const auto groupOf = [](const SampleRecord &r) {
                return std::to_string(r.runId) + "/" + std::to_string(r.step) + "/" + std::to_string(r.group);
            };
            for (const auto &r : samples)
                labelled[groupOf(r)] += labels.count(r.id) ? 1 : 0;
            std::vector<GroupedResponse> responses;
            for (const auto &r : samples) {
                const bool byLabels = labelled[groupOf(r)] >= 2;
                if (byLabels && !labels.count(r.id))
                    continue;
                responses.push_back({groupOf(r), r.prompt, r.completion, byLabels ? labels[r.id] : r.scores});
            }
            setup.pairs = pairsWithinGroups(responses, aspects, weights, options.modpoAspect, options.pairMinMargin);
            if (setup.pairs.empty())
                throw Error(store->path() + ": no preference pairs from the workspace's " + std::to_string(samples.size()) +
                            " samples: no group has two responses whose scores differ by pair_min_margin " +
                            std::to_string(options.pairMinMargin) + "; run GRPO first, label samples, or give a preference_file");
            outer.onLog("DPO: " + std::to_string(setup.pairs.size()) + " pairs from the workspace's samples");
        }
    }
};

nlohmann::json GrpoSession::Impl::resolve()
{
    Impl &d = *this;
    if (so.db.empty())
        throw Error("no workspace file given (--db)");
    std::string demoDir;
    if (so.demo) {
        demoDir = so.demoDir.empty() ? findDemoDir() : so.demoDir;
        if (demoDir.empty())
            throw Error("the demo was not found: set AWB_DEMO_DIR or run `awb demo-init --out resources/demo`");
    }
    if (!so.resume) {
        // A bad option (a typo, a knob of another algorithm) must not leave a new, empty workspace behind.
        GrpoOptions probe = so.demo ? demoGrpoOptions(demoDir) : GrpoOptions{};
        probe = grpoOptionsFromJson(so.config, "--config", probe);
        validateGrpoOptions(grpoOptionsFromJson(so.overrides, "the command line", probe));
    }
    d.store = std::make_unique<Store>(Store::open(so.db));
    const std::string dbAbs = fs::absolute(so.db).lexically_normal().string();
    bool isDemo = so.demo;
    std::vector<std::string> runAspects;   // on resume: the aspects the run was started with
    if (so.resume) {
        const auto runs = d.store->runs();
        if (runs.empty())
            throw Error(so.db + ": there is no run to resume");
        const auto run = so.resumeRunId ? d.store->run(so.resumeRunId) : std::optional<Store::RunInfo>(runs.back());
        if (!run)
            throw Error(so.db + ": there is no run " + std::to_string(so.resumeRunId));
        d.runId = run->id;
        nlohmann::json stored = run->config;
        if (stored.contains("aspect_schema"))
            runAspects =
                AspectSchema::fromJson(stored["aspect_schema"], so.db + ": run " + std::to_string(run->id)).names();
        isDemo = stored.value("demo", false);
        d.runUid = stored.value("run_uid", std::string());
        stored.erase("demo");
        stored.erase("aspect_schema");
        stored.erase("run_uid");
        d.options = grpoOptionsFromJson(stored, so.db + ": run " + std::to_string(d.runId) + " config");
        d.checkpointDir = runCheckpointDir(dbAbs, d.runId);
        // No checkpoint yet (stopped or killed before the first one): the run
        // starts over from step 0, which reproduces it, since prompt order and
        // sampling derive from the seed and the step.
        std::size_t foreign = 0;
        resumeFrom = latestOwnCheckpoint(d.checkpointDir, d.runUid, &foreign);
        if (foreign > 0)
            outer.onLog("ignoring " + std::to_string(foreign) + " checkpoint folder(s) under " + d.checkpointDir +
                        " that another run wrote (a workspace deleted and made again at this path)");
    } else {
        d.options = so.demo ? demoGrpoOptions(demoDir) : GrpoOptions{};
        d.options = grpoOptionsFromJson(so.config, "--config", d.options);
    }
    d.options = grpoOptionsFromJson(so.overrides, "the command line", d.options);
    {   // Paths from the command line or a --config are relative to the working directory.
        const std::string cwd = fs::current_path().string();
        d.options.model = absoluteFrom(cwd, d.options.model);
        d.options.rewardModel = absoluteFrom(cwd, d.options.rewardModel);
        d.options.prompts = absoluteFrom(cwd, d.options.prompts);
        d.options.preferenceFile = absoluteFrom(cwd, d.options.preferenceFile);
    }
    if (d.options.model.empty())
        throw Error("no policy model given (\"model\" / --model)");
    validateGrpoOptions(d.options);

    setup.runtime = applyRuntime(so.runtime);
    CausalLM::LoadOptions lo;
    lo.device = setup.runtime.device;
    lo.dtype = setup.runtime.dtype;

    // The reward model: on resume the version the checkpoint used; else the
    // named folder, else the workspace's latest version.
    std::string rmPath = d.options.rewardModel;
    std::int64_t rmVersion = 0;
    const bool rmGiven = so.overrides.contains("reward_model") && so.overrides["reward_model"].is_string() &&
                         !so.overrides["reward_model"].get<std::string>().empty();
    if (!resumeFrom.empty() && rmGiven) {
        // --resume --reward-model DIR: continue with another reward model (of the run's aspects).
        rmPath = d.options.rewardModel;   // made absolute above
    } else if (!resumeFrom.empty()) {
        const nlohmann::json st = GrpoTrainer::readCheckpointState(resumeFrom);
        rmVersion = st.value("reward_model_version", std::int64_t(0));
        if (const auto info = d.store->rewardModel(rmVersion))
            rmPath = info->path;
        else
            rmPath = st.value("reward_model_path", rmPath);
    } else if (rmPath.empty()) {
        const auto versions = d.store->rewardModels();
        if (versions.empty())
            throw Error(so.db + ": the workspace has no reward model; give one (\"reward_model\" / --reward-model)");
        rmPath = versions.back().path;
        rmVersion = versions.back().version;
    }
    // With LoRA the policy's base never changes: a LoRA reward model on the same folder borrows its
    // weights, so the policy, the reference (adapters off) and the reward model hold one copy.
    std::shared_ptr<CausalLM> policy;
    if (d.options.useLora)
        policy = CausalLM::load(d.options.model, loadOptionsFor(setup.runtime, true));
    auto rm = std::shared_ptr<RewardModel>(RewardModel::load(rmPath, lo, policy.get(), d.options.model));
    if (rm->backbone().sharesBase())
        d.outer.onLog("the reward model shares the policy's base weights (" + d.options.model + ")");
    setup.policy = std::move(policy);
    d.aspects = rm->aspects().names();
    if (!runAspects.empty() && d.aspects != runAspects) {
        auto join = [](const std::vector<std::string> &v) {
            std::string s;
            for (const auto &n : v)
                s += (s.empty() ? "" : ", ") + n;
            return "(" + s + ")";
        };
        throw Error((fs::path(rmPath) / "aspects.json").string() + ": the reward model scores " + join(d.aspects) +
                    " but run " + std::to_string(d.runId) + " in " + so.db + " was started with " + join(runAspects) +
                    "; a run keeps its aspects: start a new run for the new schema");
    }
    {
        // The weights the first step will use: the options' (or the resumed checkpoint's), then --weights.
        std::map<std::string, double> weights = d.options.aspectWeights;
        for (const auto &[name, w] : controls.snapshot().weights)
            weights[name] = w;
        const auto known = [&](const std::string &name) {
            return std::find(d.aspects.begin(), d.aspects.end(), name) != d.aspects.end();
        };
        if (!so.strictWeights)
            for (auto it = weights.begin(); it != weights.end();)
                it = known(it->first) ? std::next(it) : weights.erase(it);
        checkAspectWeights(d.aspects, weights, "aspect weights (--weights, \"aspect_weights\")");
    }
    setup.rewardModel = rm;
    setup.rewardModelPath = rmPath;
    if (isDemo) {
        auto judge = std::make_shared<GoldJudge>();
        setup.goldScorer = [judge](const std::string &p, const std::string &c) { return judge->score(p, c); };
    }
    const bool offline = algorithmSpec(d.options.algorithm).offline;
    setup.prompts = d.loadPrompts(offline ? &setup.evalPrompts : nullptr);
    if (rmVersion == 0)
        rmVersion = d.versionOf(rmPath, *rm);
    setup.rewardModelVersion = rmVersion;

    if (!so.resume) {
        // The starting weights (--weights) go into the stored options, so a run
        // resumed before its first checkpoint starts over with them.
        for (const auto &[name, w] : controls.snapshot().weights)
            if (std::find(d.aspects.begin(), d.aspects.end(), name) != d.aspects.end())
                d.options.aspectWeights[name] = w;
        nlohmann::json config = grpoOptionsToJson(d.options);
        config["demo"] = isDemo;
        config["aspect_schema"] = rm->aspects().toJson();   // order and ranges, for views of the stored run
        std::string name = d.options.runName;
        if (name.empty()) {
            const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
            char buf[32];
            std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
            name = std::string(so.demo ? "demo " : "run ") + buf;
        }
        d.runUid = newRunUid();
        config["run_uid"] = d.runUid;   // written into every checkpoint: a run adopts only its own
        d.runId = d.store->createRun(name, config);
        d.checkpointDir = runCheckpointDir(dbAbs, d.runId);
        if (const std::string aside = setAsideCheckpointFolder(d.checkpointDir); !aside.empty())
            outer.onLog(d.checkpointDir + " held checkpoints of an earlier workspace at this path; moved to " + aside);
    }
    setup.options = d.options;
    setup.checkpointDir = d.checkpointDir;
    if (offline) {
        std::map<std::string, double> weights = d.options.aspectWeights;
        for (const auto &[name, w] : controls.snapshot().weights)
            weights[name] = w;
        // A resumed run reads the pairs it recorded; only a new one resolves its source.
        const bool recorded = !resumeFrom.empty() && fs::exists(pairsCachePath(d.checkpointDir));
        if (!recorded)
            d.resolvePairs(setup, weights);
        else
            setup.pairSource = d.options.pairSource == "auto" ? "recorded" : d.options.pairSource;
    }
    nlohmann::json plan;
    plan["options"] = grpoOptionsToJson(d.options);
    plan["run_id"] = d.runId;
    plan["checkpoint_dir"] = d.checkpointDir;
    plan["reward_model_path"] = setup.rewardModelPath;
    plan["reward_model_version"] = setup.rewardModelVersion;
    plan["demo"] = isDemo;
    plan["prompts"] = setup.prompts;
    plan["eval_prompts"] = setup.evalPrompts;
    plan["resume_from"] = resumeFrom;
    plan["run_uid"] = d.runUid;
    plan["weights"] = controls.snapshot().weights;
    return plan;
}

void GrpoSession::Impl::start(const nlohmann::json &plan)
{
    Impl &d = *this;
    if (!store) {
        // A rank other than 0: the run as rank 0 resolved it; the same folders, loaded here.
        options = grpoOptionsFromJson(plan.at("options"), "the run's set-up from rank 0");
        runId = plan.at("run_id").get<std::int64_t>();
        checkpointDir = plan.at("checkpoint_dir").get<std::string>();
        resumeFrom = plan.at("resume_from").get<std::string>();
        runUid = plan.value("run_uid", std::string());
        setup.runtime = applyRuntime(so.runtime);
        CausalLM::LoadOptions lo;
        lo.device = setup.runtime.device;
        lo.dtype = setup.runtime.dtype;
        if (options.useLora)
            setup.policy = CausalLM::load(options.model, loadOptionsFor(setup.runtime, true));
        setup.rewardModelPath = plan.at("reward_model_path").get<std::string>();
        setup.rewardModelVersion = plan.at("reward_model_version").get<std::int64_t>();
        setup.rewardModel = std::shared_ptr<RewardModel>(
            RewardModel::load(setup.rewardModelPath, lo, setup.policy.get(), options.model));
        aspects = setup.rewardModel->aspects().names();
        if (plan.value("demo", false)) {
            auto judge = std::make_shared<GoldJudge>();
            setup.goldScorer = [judge](const std::string &p, const std::string &c) { return judge->score(p, c); };
        }
        setup.prompts = plan.at("prompts").get<std::vector<std::string>>();
        setup.evalPrompts = plan.at("eval_prompts").get<std::vector<std::string>>();
        setup.options = options;
        setup.checkpointDir = checkpointDir;
        controls.setWeights(plan.at("weights").get<std::map<std::string, double>>());
    }
    setup.comm = comm;
    setup.runUid = runUid;
    const Runtime runtime = setup.runtime;
    trainer = std::make_unique<GrpoTrainer>(std::move(setup), controls, *this);
    if (!resumeFrom.empty()) {
        d.startStep = d.trainer->resumeFrom(resumeFrom);
        const nlohmann::json st = GrpoTrainer::readCheckpointState(resumeFrom);
        if (st.contains("weights") && st["weights"].is_object() && !st["weights"].empty() &&
            controls.snapshot().weights.empty())
            controls.setWeights(st["weights"].get<std::map<std::string, double>>());
        if (!st.value("aggregation", std::string()).empty() && controls.snapshot().aggregation.empty())
            controls.setAggregation(st.value("aggregation", std::string()));
        if (d.store)
            retryWhileLocked("the resume", [&] { d.store->truncateRunAfter(d.runId, d.startStep); });
        onLog("resuming run " + std::to_string(d.runId) + " after step " + std::to_string(d.startStep) + " from " +
                   resumeFrom);
    } else if (so.resume) {
        if (d.store)
            retryWhileLocked("the resume", [&] { d.store->truncateRunAfter(d.runId, 0); });
        onLog("resuming run " + std::to_string(d.runId) + " after step 0: it has no checkpoint under " +
                   d.checkpointDir + " yet, so it starts over");
    }
    if (store) {
        const CausalLM *base = trainer->sharedPolicy().get();
        const std::string baseFolder = options.model;
        workspaceControls = std::make_unique<WorkspaceControls>(
            *store, runId, aspects, controls,
            [runtime, base, baseFolder](const std::string &path) {
                CausalLM::LoadOptions lo;
                lo.device = runtime.device;
                lo.dtype = runtime.dtype;
                return std::shared_ptr<RewardModel>(RewardModel::load(path, lo, base, baseFolder));
            },
            [this](const std::string &m) { onLog(m); });
    }
}

GrpoSession::GrpoSession(const GrpoSessionOptions &so, TrainingControls &controls, TrainingSink &sink)
    : m_impl(std::make_unique<Impl>(so, controls, sink))
{
    Impl &d = *m_impl;
    d.comm = so.comm ? so.comm : Communicator::single();
    if (d.comm->size() == 1) {
        d.start(d.resolve());
        return;
    }
    // Rank 0 alone opens the workspace and resolves the run; the others get the
    // result (options, prompts, reward model folder, checkpoint) from it.
    std::string plan;
    if (d.comm->root()) {
        try {
            plan = d.resolve().dump();
        } catch (const std::exception &e) {
            d.comm->broadcast(nlohmann::json{{"error", e.what()}}.dump(), "the run's set-up");
            throw;
        }
    }
    const nlohmann::json j = nlohmann::json::parse(d.comm->broadcast(plan, "the run's set-up"));
    if (j.contains("error"))
        throw Error("rank 0 could not start the run: " + j["error"].get<std::string>());
    d.start(j);
}

GrpoSession::~GrpoSession() = default;

std::int64_t GrpoSession::run()
{
    Impl &d = *m_impl;
    if (!d.store)
        return d.trainer->run();   // a rank other than 0
    d.retryWhileLocked("the run's status", [&] { d.store->setRunStatus(d.runId, "running"); });
    try {
        const std::int64_t last = d.trainer->run();
        d.retryWhileLocked("the run's status",
                           [&] { d.store->setRunStatus(d.runId, last >= d.options.maxSteps ? "finished" : "stopped"); });
        return last;
    } catch (...) {
        try {
            d.store->setRunStatus(d.runId, "failed");
        } catch (...) {
            // The original error matters more than the status.
        }
        throw;
    }
}

std::int64_t GrpoSession::runId() const { return m_impl->runId; }
std::int64_t GrpoSession::startStep() const { return m_impl->startStep; }
const GrpoOptions &GrpoSession::options() const { return m_impl->options; }
const std::vector<std::string> &GrpoSession::aspects() const { return m_impl->aspects; }
std::string GrpoSession::checkpointDir() const { return m_impl->checkpointDir; }
GrpoTrainer &GrpoSession::trainer() { return *m_impl->trainer; }

} // namespace awb
