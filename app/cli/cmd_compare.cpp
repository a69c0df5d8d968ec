// awb compare: the algorithms of the training skeleton side by side on the
// demo: same prompts, reward model, gold judge and seed, every run stored in
// one workspace, and one table of what each reached and what it cost.
#include "cli/commands.h"
#include "cli/interrupt_watcher.h"
#include "cli/model_bench.h"

#include "train/grpo_session.h"
#include "train/grpo_trainer.h"
#include "train/training_controls.h"
#include "util/error.h"
#include "util/runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>
#include <numeric>
#include <ostream>
#include <sstream>

namespace awb {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kWindow = 5;   // evaluations averaged for "first" and "last", and for the 90% crossing

// One run's course: the gold objective at each step that has one (every step
// of the online algorithms, DPO's evaluation steps) with the seconds since the
// run's set-up began, the steps, the token counts.
struct RunTrace
{
    std::vector<double> gold, seconds;
    std::int64_t steps = 0;
    double lastSeconds = 0;
    double tokensGenerated = 0, tokensTrained = 0;
};

// Follows one run into a RunTrace, and stops it after the step that spends the time budget.
struct CompareSink : TrainingSink
{
    TrainingControls &controls;
    std::ostream &err;
    RunTrace &trace;
    std::string algorithm;
    double budget = 0;
    Clock::time_point start = Clock::now();

    CompareSink(TrainingControls &c, std::ostream &e, RunTrace &t, std::string a, double b)
        : controls(c), err(e), trace(t), algorithm(std::move(a)), budget(b)
    {
    }
    void onLog(const std::string &message) override { err << "awb compare: " << algorithm << ": " << message << std::endl; }
    void onStep(const StepReport &r) override
    {
        const double t = std::chrono::duration<double>(Clock::now() - start).count();
        ++trace.steps;
        trace.lastSeconds = t;
        if (!r.goldMeans.empty()) {
            trace.gold.push_back(r.goldObjective);
            trace.seconds.push_back(t);
        }
        trace.tokensGenerated += r.metrics.value("tokens/generated", 0.0);
        trace.tokensTrained += r.metrics.value("tokens/trained", 0.0);
        char line[160];
        const std::string gold = r.goldMeans.empty() ? std::string("-") : std::to_string(r.goldObjective).substr(0, 5);
        std::snprintf(line, sizeof line, "awb compare: %s step %lld/%lld, gold objective %s, %.0f s", algorithm.c_str(),
                      static_cast<long long>(r.step), static_cast<long long>(r.maxSteps), gold.c_str(), t);
        err << line << std::endl;
        if (budget > 0 && t >= budget)
            controls.requestStop();
    }
};

double meanOf(std::vector<double>::const_iterator b, std::vector<double>::const_iterator e)
{
    return b == e ? 0.0 : std::accumulate(b, e, 0.0) / static_cast<double>(e - b);
}

// Seconds at the first step whose trailing mean over kWindow steps reaches `target`; null when none does.
nlohmann::json secondsToReach(const RunTrace &s, double target)
{
    for (std::size_t i = 0; i < s.gold.size(); ++i) {
        const std::size_t from = i + 1 >= kWindow ? i + 1 - kWindow : 0;
        if (meanOf(s.gold.begin() + static_cast<long>(from), s.gold.begin() + static_cast<long>(i) + 1) >= target)
            return s.seconds[i];
    }
    return nullptr;
}

std::vector<std::string> splitList(const std::string &text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

struct CompareArgs
{
    std::string algorithms = "grpo,rloo", db = "compare.awb", demoDir;
    std::int64_t steps = 0;
    double seconds = 0;
    bool demo = false, json = false;
    RuntimeOptions runtime;
};

// Ctrl-C stops the run in progress (at its next phase boundary, with a checkpoint) and the comparison.
std::atomic<bool> g_interrupted{false};

nlohmann::json runOne(const std::string &algorithm, const CompareArgs &a, std::ostream &err, RunTrace &trace)
{
    const std::int64_t steps = a.steps;
    GrpoSessionOptions so;
    so.db = a.db;
    so.demo = true;
    so.demoDir = a.demoDir;
    so.runtime = a.runtime;
    so.overrides = {{"algorithm", algorithm}, {"run_name", "compare " + algorithm}};
    so.overrides["max_steps"] = steps > 0 ? steps : std::int64_t(100000);
    TrainingControls controls;
    CompareSink sink(controls, err, trace, algorithm, steps > 0 ? 0.0 : a.seconds);
    resetPeakRss();
    // The clock runs from the set-up on: model loading, and DPO's sampling of its pairs, count.
    sink.start = Clock::now();
    GrpoSession session(so, controls, sink);
    InterruptWatcher watcher([&controls] {
        g_interrupted = true;
        controls.requestStop();
    });
    session.run();
    const auto models = session.trainer().modelsInMemory();
    const std::size_t n = trace.gold.size();
    nlohmann::json j;
    j["algorithm"] = algorithm;
    j["run"] = session.runId();
    j["steps"] = trace.steps;
    j["evaluations"] = n;
    j["gold_objective_first"] = meanOf(trace.gold.begin(), trace.gold.begin() + static_cast<long>(std::min(n, kWindow)));
    j["gold_objective_last"] = meanOf(trace.gold.end() - static_cast<long>(std::min(n, kWindow)), trace.gold.end());
    j["seconds"] = trace.lastSeconds;
    j["tokens_generated"] = trace.tokensGenerated;
    j["tokens_trained"] = trace.tokensTrained;
    j["peak_rss_mb"] = peakRssMb();
    j["models_in_memory"] = models.size();
    j["models"] = models;
    return j;
}

void printTable(std::ostream &out, const nlohmann::json &rows)
{
    char line[256];
    std::snprintf(line, sizeof line, "%-10s %6s %11s %10s %9s %12s %12s %12s %11s %7s\n", "algorithm", "steps",
                  "gold first", "gold last", "seconds", "s to 90%", "tokens gen", "tokens train", "peak RSS MB", "models");
    out << line;
    for (const auto &r : rows) {
        const std::string to90 = r["seconds_to_90pct"].is_null() ? "-" : std::to_string(static_cast<long long>(r["seconds_to_90pct"].get<double>()));
        std::snprintf(line, sizeof line, "%-10s %6lld %11.3f %10.3f %9.0f %12s %12.0f %12.0f %11.0f %7lld\n",
                      r["algorithm"].get<std::string>().c_str(), r["steps"].get<long long>(),
                      r["gold_objective_first"].get<double>(), r["gold_objective_last"].get<double>(),
                      r["seconds"].get<double>(), to90.c_str(), r["tokens_generated"].get<double>(),
                      r["tokens_trained"].get<double>(), r["peak_rss_mb"].get<double>(),
                      r["models_in_memory"].get<long long>());
        out << line;
    }
}

} // namespace

void registerCompareCommands(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("compare", "Run several algorithms on the demo with the same prompts, reward model "
                                              "and seed; one table of gold objective, time, tokens and memory");
    auto a = std::make_shared<CompareArgs>();
    cmd->add_flag("--demo", a->demo, "Compare on the shipped demo (with its gold judge); required")->required();
    cmd->add_option("--demo-dir", a->demoDir, "The demo folder (default: the shipped one)");
    cmd->add_option("--algorithms", a->algorithms, "Comma-separated algorithms")->capture_default_str();
    auto *steps = cmd->add_option("--steps", a->steps, "Steps per algorithm");
    cmd->add_option("--seconds", a->seconds, "Wall-clock budget per algorithm (the step that crosses it completes)")
        ->excludes(steps);
    cmd->add_option("--db", a->db, "Workspace that stores every run")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print a JSON list, one object per algorithm, instead of the table");
    cmd->add_option("--threads", a->runtime.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            const auto algorithms = splitList(a->algorithms);
            if (algorithms.empty())
                throw Error("--algorithms: no algorithm named");
            for (const auto &name : algorithms)
                defaultGrpoOptions(name);   // an unknown name fails before any run starts
            if (a->steps <= 0 && !(a->seconds > 0))
                throw Error("give --steps N or --seconds S");
            nlohmann::json rows = nlohmann::json::array();
            std::vector<RunTrace> traces(algorithms.size());
            for (std::size_t i = 0; i < algorithms.size() && !g_interrupted; ++i)
                rows.push_back(runOne(algorithms[i], *a, ctx.err, traces[i]));
            double best = rows.front()["gold_objective_last"].get<double>();
            for (const auto &r : rows)
                best = std::max(best, r["gold_objective_last"].get<double>());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                rows[i]["best_gold_objective_last"] = best;
                rows[i]["seconds_to_90pct"] = secondsToReach(traces[i], 0.9 * best);
                // 90% of the way from this run's start to the best final figure: a stricter reading.
                const double first = rows[i]["gold_objective_first"].get<double>();
                rows[i]["seconds_to_90pct_gain"] = secondsToReach(traces[i], first + 0.9 * (best - first));
            }
            if (a->json)
                ctx.out << rows.dump(2) << "\n";
            else
                printTable(ctx.out, rows);
            return g_interrupted ? 3 : 0;
        };
    });
}

} // namespace awb
