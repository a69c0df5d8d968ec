// awb train | demo-init: GRPO headless, and building the embedded demo.
#include "cli/commands.h"
#include "cli/interrupt_watcher.h"

#include "demo/demo_builder.h"
#include "dist/dist_env.h"
#include "io/json_util.h"
#include "train/constraints.h"
#include "train/grpo_session.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

namespace awb {

namespace {

std::string flagName(const char *key)
{
    std::string s = std::string("--") + key;
    for (auto &c : s)
        if (c == '_')
            c = '-';
    return s;
}

double round6(double v)
{
    return std::round(v * 1e6) / 1e6;
}

// One line per step: the contract's fields first, then the rest of the metrics.
nlohmann::json stepLine(const StepReport &r)
{
    nlohmann::json j;
    j["step"] = r.step;
    j["loss"] = r.metrics.value("loss", 0.0);
    j["kl"] = r.metrics.value("kl", 0.0);
    j["reward_mean"] = r.metrics.value("reward", 0.0);
    j["reward_std"] = r.metrics.value("reward_std", 0.0);
    nlohmann::json aspects = nlohmann::json::object(), aspectStd = nlohmann::json::object();
    for (const auto &[name, mean] : r.aspectMeans) {
        aspects[name] = round6(mean);
        aspectStd[name] = round6(r.metrics.value("rewards/" + name + "/std", 0.0));
    }
    j["aspects"] = aspects;
    j["aspects_std"] = aspectStd;
    nlohmann::json times = nlohmann::json::object();
    for (const auto &[phase, s] : r.phaseSeconds)
        times[phase] = round6(s);
    times["step"] = round6(r.metrics.value("time/step", 0.0));
    j["time_s"] = times;
    if (!r.goldMeans.empty()) {
        nlohmann::json gold = nlohmann::json::object();
        for (const auto &[name, mean] : r.goldMeans)
            gold[name] = round6(mean);
        j["gold"] = gold;
        j["gold_objective"] = r.goldObjective;
    }
    j["weights"] = r.weights;
    j["reward_model_version"] = r.rewardModelVersion;
    j["entropy"] = r.metrics.value("entropy", 0.0);
    j["clip_ratio_low"] = r.metrics.value("clip_ratio/low_mean", 0.0);
    j["clip_ratio_high"] = r.metrics.value("clip_ratio/high_mean", 0.0);
    j["frac_zero_std"] = r.metrics.value("frac_reward_zero_std", 0.0);
    j["completion_length_mean"] = r.metrics.value("completions/mean_length", 0.0);
    j["completion_length_max"] = r.metrics.value("completions/max_length", 0.0);
    j["grad_norm"] = r.metrics.value("grad_norm", 0.0);
    j["learning_rate"] = r.metrics.value("learning_rate", 0.0);
    j["tokens_per_s"] = r.metrics.value("tokens_per_s", 0.0);
    // Constraints: each aspect's multiplier in force and its violation (positive when broken).
    nlohmann::json lambda = nlohmann::json::object(), violation = nlohmann::json::object();
    for (const auto &[key, value] : r.metrics.items()) {
        if (key.rfind("lambda/", 0) == 0)
            lambda[key.substr(7)] = value;
        if (key.rfind("constraint/", 0) == 0 && key.size() > 21 && key.compare(key.size() - 10, 10, "/violation") == 0)
            violation[key.substr(11, key.size() - 21)] = value;
    }
    if (!lambda.empty()) {
        j["lambda"] = lambda;
        j["constraint_violation"] = violation;
    }
    // Every algorithm keeps the fields above; PPO's and DPO's own metrics follow under TRL's names.
    for (const auto &[key, value] : r.metrics.items())
        for (const char *prefix : {"objective/", "policy/", "loss/", "val/", "rewards/chosen", "rewards/rejected",
                                   "rewards/accuracies", "rewards/margins", "logps/", "modpo/"})
            if (key.rfind(prefix, 0) == 0)
                j[key] = value;
    return j;
}

class CliSink : public TrainingSink
{
public:
    CliSink(std::ostream &out, std::ostream &err, bool quiet) : m_out(out), m_err(err), m_quiet(quiet) {}
    void onStep(const StepReport &r) override
    {
        m_out << stepLine(r).dump() << std::endl;   // flushed: scripts read it live
    }
    void onLog(const std::string &message) override
    {
        if (!m_quiet)
            m_err << "awb train: " << message << std::endl;
    }
    void onCheckpoint(std::int64_t step, const std::string &dir) override
    {
        if (!m_quiet)
            m_err << "awb train: checkpoint at step " << step << ": " << dir << std::endl;
    }

private:
    std::ostream &m_out;
    std::ostream &m_err;
    bool m_quiet;
};

// Every GrpoOptions knob as a flag (--num-generations, --loss-type, ...),
// generated from visitGrpoOptions; only the flags given end up in `overrides`.
struct OptionFlags
{
    GrpoOptions values;
    std::vector<std::pair<CLI::Option *, std::function<void(nlohmann::json &)>>> flags;

    void add(CLI::App *cmd)
    {
        visitGrpoOptions(values, [&](const char *key, auto &field, const char *help) {
            using T = std::decay_t<decltype(field)>;
            CLI::Option *opt = nullptr;
            if constexpr (std::is_same_v<T, bool>)
                opt = cmd->add_option(flagName(key), field, help)->expected(0, 1)->default_str("true");
            else
                opt = cmd->add_option(flagName(key), field, help);
            flags.emplace_back(opt, [key, &field](nlohmann::json &j) { j[key] = field; });
        });
    }
    nlohmann::json given() const
    {
        nlohmann::json j = nlohmann::json::object();
        for (const auto &[opt, write] : flags)
            if (opt->count() > 0)
                write(j);
        return j;
    }
};

std::map<std::string, double> parseWeights(const std::string &text)
{
    std::map<std::string, double> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error("--weights: \"" + item + "\" is not aspect=weight");
        try {
            out[item.substr(0, eq)] = std::stod(item.substr(eq + 1));
        } catch (const std::exception &) {
            throw Error("--weights: \"" + item.substr(eq + 1) + "\" is not a number");
        }
    }
    return out;
}

void registerTrain(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("train", "GRPO against the multi-aspect reward model; one JSON object per step");
    struct Args
    {
        std::string config, db = "workspace.awb", weights, constraints, demoDir;
        bool demo = false, resume = false, quiet = false;
        std::int64_t steps = 0, runId = 0;
        int distTimeout = 1800, distConnectTimeout = 300;
        RuntimeOptions runtime;
        OptionFlags flags;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--config", a->config, "GRPO options as a JSON file (TRL's key names)");
    cmd->add_flag("--demo", a->demo, "Train the shipped demo policy against the demo reward model, with the gold judge");
    cmd->add_option("--demo-dir", a->demoDir, "The demo folder (default: the shipped one)");
    cmd->add_option("--steps", a->steps, "GRPO steps (max_steps)");
    cmd->add_option("--db", a->db, "Workspace file: runs, samples, labels, reward models")->capture_default_str();
    cmd->add_flag("--resume", a->resume, "Continue the workspace's latest run from its last checkpoint");
    cmd->add_option("--run", a->runId, "With --resume: the run to continue");
    cmd->add_option("--weights", a->weights, "Aspect weights, e.g. politeness=1,safety=2");
    cmd->add_option("--constraints", a->constraints,
                    "Aspects held to a bound instead of weighted (Lagrange multipliers), e.g. safety>=0.9");
    cmd->add_flag("--quiet", a->quiet, "No progress on stderr");
    cmd->add_option("--device", a->runtime.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--dtype", a->runtime.dtype, "auto, float32, bfloat16, float16")->capture_default_str();
    cmd->add_option("--threads", a->runtime.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->add_option("--frozen-base", a->runtime.frozenBase,
                    "With LoRA: stored keeps a bfloat16-stored base in bfloat16 (half the memory), float32 converts it")
        ->capture_default_str();
    cmd->add_option("--dist-timeout", a->distTimeout,
                    "Data-parallel runs: seconds a rank waits for the others in a collective")
        ->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_option("--dist-connect-timeout", a->distConnectTimeout,
                    "Data-parallel runs: seconds to reach MASTER_ADDR:MASTER_PORT and for every rank to join")
        ->capture_default_str()->check(CLI::PositiveNumber);
    a->flags.add(cmd);
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            GrpoSessionOptions so;
            if (!a->config.empty())
                so.config = readJsonFile(a->config);
            so.overrides = a->flags.given();
            if (a->steps > 0)
                so.overrides["max_steps"] = a->steps;
            if (!a->constraints.empty())
                so.overrides["constraints"] = parseConstraintList(a->constraints);
            so.runtime = a->runtime;
            so.db = a->db;
            so.demo = a->demo;
            so.demoDir = a->demoDir;
            so.resume = a->resume;
            so.resumeRunId = a->runId;
            so.strictWeights = true;
            TrainingControls controls;
            if (!a->weights.empty())
                controls.setWeights(parseWeights(a->weights));
            // Under torchrun or srun: join the job; rank 0 alone writes the workspace and prints the steps.
            const DistEnv env = detectDistEnv();
            DistOptions dist;
            dist.timeout = std::chrono::seconds(a->distTimeout);
            dist.connectTimeout = std::chrono::seconds(a->distConnectTimeout);
            so.comm = joinJob(env, dist);
            CliSink sink(ctx.out, ctx.err, a->quiet || env.rank != 0);
            if (env.distributed())
                sink.onLog("rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) + " (" +
                           env.launcher + ", " + distBackends() + ")");
            GrpoSession session(so, controls, sink);
            sink.onLog("run " + std::to_string(session.runId()) + " in " + so.db + ", steps " +
                       std::to_string(session.startStep() + 1) + ".." + std::to_string(session.options().maxSteps));
            InterruptWatcher watcher([&controls] { controls.requestStop(); });
            const std::int64_t last = session.run();
            sink.onLog((last >= session.options().maxSteps ? "finished after step " : "stopped after step ") +
                       std::to_string(last));
            return last >= session.options().maxSteps ? 0 : 3;
        };
    });
}

void registerDemoInit(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("demo-init", "Build the embedded demo: corpus, tokenizer, policy, reward model");
    struct Args
    {
        std::string out;
        std::uint64_t seed = 7;
        std::int64_t examples = 0, labelled = 0, epochs = 0;
        bool small = false;
        RuntimeOptions runtime;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--out", a->out, "Output folder (replaced when it exists)")->required();
    cmd->add_option("--seed", a->seed, "Seed of everything")->capture_default_str();
    cmd->add_option("--examples", a->examples, "Corpus examples for pretraining (default: the shipped demo's)");
    cmd->add_option("--labelled", a->labelled, "Noisy labelled examples for the reward model");
    cmd->add_option("--epochs", a->epochs, "Pretraining epochs");
    cmd->add_flag("--small", a->small, "A much smaller, quicker scenario (for tests)");
    cmd->add_option("--threads", a->runtime.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            applyRuntime(a->runtime);
            DemoBuildOptions o = a->small ? demoBuildSmall() : demoBuildDefaults();
            o.seed = a->seed;
            if (a->examples > 0)
                o.corpusExamples = a->examples;
            if (a->labelled > 0)
                o.labelledExamples = a->labelled;
            if (a->epochs > 0)
                o.pretrain.epochs = a->epochs;
            std::atomic<bool> stop{false};
            InterruptWatcher watcher([&stop] { stop = true; });
            const auto start = std::chrono::steady_clock::now();
            const DemoBuildReport report = buildDemo(
                a->out, o,
                [&ctx, start](const std::string &line) {
                    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                    ctx.err << "demo-init [" << std::fixed << std::setprecision(0) << s << " s] " << line << std::endl;
                },
                [&stop] { return stop.load(); });
            ctx.out << nlohmann::json{{"out", a->out}, {"seconds", report.seconds}, {"quality", report.quality}}.dump(2)
                    << "\n";
            return 0;
        };
    });
}

} // namespace

void registerTrainCommands(CLI::App &app, CommandContext &ctx)
{
    registerTrain(app, ctx);
    registerDemoInit(app, ctx);
}

} // namespace awb
