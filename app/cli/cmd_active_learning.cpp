// awb active-learning: the active-learning curve of a labelling strategy on the
// demo, with the gold judge as the annotator (core/train/active_learning.h).
#include "cli/commands.h"
#include "cli/interrupt_watcher.h"

#include "train/active_learning.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <ostream>

namespace awb {

namespace {

std::string metricText(const nlohmann::json &metrics, const std::string &aspect, const char *key)
{
    const auto a = metrics.find(aspect);
    if (a == metrics.end() || !a->contains(key) || !(*a)[key].is_number())
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", (*a)[key].get<double>());
    return buf;
}

void printTable(std::ostream &out, const ActiveLearningResult &r)
{
    out << "strategy " << r.strategy << ", pool " << r.poolSamples << " samples, " << r.heldOutSamples
        << " held out; held-out Spearman / RMSE per aspect\n";
    out << "labels";
    for (const auto &a : r.aspects)
        out << "  " << a;
    out << "\n";
    for (const auto &round : r.rounds) {
        out << round.labels;
        for (const auto &a : r.aspects)
            out << "  " << metricText(round.metrics, a, "spearman") << " / " << metricText(round.metrics, a, "rmse");
        out << "\n";
    }
}

} // namespace

void registerActiveLearningCommands(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand(
        "active-learning", "Measure how fast the reward model improves when the gold judge labels, round by round, the "
                           "samples a strategy picks first (the demo)");
    struct Args
    {
        ActiveLearningOptions o;
        bool demo = false, json = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_flag("--demo", a->demo, "On the shipped demo, with its gold judge as the annotator; required")->required();
    cmd->add_option("--demo-dir", a->o.demoDir, "The demo folder (default: the shipped one)");
    cmd->add_option("--db", a->o.db, "Workspace for the pool run, the labels and the versions (new, or holding only "
                                     "a pool run)")
        ->required();
    cmd->add_option("--budget", a->o.budget, "Samples labelled in all")->capture_default_str();
    cmd->add_option("--rounds", a->o.rounds, "Label-and-retrain rounds")->capture_default_str();
    cmd->add_option("--strategy", a->o.strategy, "uncertainty, random or disagreement")->capture_default_str();
    cmd->add_option("--seed", a->o.seed, "Held-out split, random order, retraining")->capture_default_str();
    cmd->add_option("--ensemble-size", a->o.ensembleSize, "Heads of the reward model")->capture_default_str();
    cmd->add_option("--pool-steps", a->o.poolSteps, "GRPO steps whose samples make the pool")->capture_default_str();
    cmd->add_option("--held-out-fraction", a->o.heldOutFraction, "Share of the pool kept for the metrics")
        ->capture_default_str();
    cmd->add_option("--epochs", a->o.epochs, "Epochs per retraining at most")->capture_default_str();
    cmd->add_option("--threads", a->o.runtime.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print {\"rounds\": [{\"labels\", \"metrics\": {aspect: {\"spearman\", \"rmse\", "
                                     "...}}}, ...]} instead of the table");
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            std::atomic<bool> interrupted{false};
            InterruptWatcher watcher([&interrupted] { interrupted = true; });
            const ActiveLearningResult r = runActiveLearning(
                a->o, [&ctx](const std::string &m) { ctx.err << "active-learning: " << m << "\n" << std::flush; },
                [&interrupted] { return interrupted.load(); });
            if (a->json)
                ctx.out << r.toJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            else
                printTable(ctx.out, r);
            return interrupted ? 3 : 0;
        };
    });
}

} // namespace awb
