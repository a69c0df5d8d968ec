// awb steer | front: a steerable run's policy at chosen aspect weights, and the
// front it traces when the weights sweep the simplex (core/train/steering.h).
#include "cli/commands.h"

#include "data/prompt_import.h"
#include "store/store.h"
#include "train/conditioning.h"
#include "train/policy_export.h"
#include "train/steering.h"
#include "util/error.h"
#include "util/runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <ostream>

namespace awb {

namespace {

// The options both commands share: which run and checkpoint, sampling, the runtime.
struct SteerArgs
{
    std::string db, rewardModel, prompt, prompts;
    std::int64_t run = 0, step = -1;
    SteerOptions steer;
    RuntimeOptions runtime;
    bool json = false;
};

void addSteerArgs(CLI::App *cmd, SteerArgs &a)
{
    cmd->add_option("--db", a.db, "Workspace (SQLite file)")->required();
    cmd->add_option("--run", a.run, "Run id")->required();
    cmd->add_option("--step", a.step, "Checkpoint step; default: the newest");
    cmd->add_option("--reward-model", a.rewardModel, "Reward-model folder; default: the one the checkpoint used");
    cmd->add_option("--num-samples", a.steer.numSamples, "Completions per prompt")->capture_default_str();
    cmd->add_option("--max-new-tokens", a.steer.maxNewTokens, "Tokens per completion at most; 0: the run's");
    cmd->add_option("--temperature", a.steer.temperature, "Sampling temperature; default: the run's");
    cmd->add_option("--seed", a.steer.seed, "Sampling seed")->capture_default_str();
    cmd->add_option("--threads", a.runtime.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->add_flag("--json", a.json, "JSON output");
}

std::vector<std::string> promptsFromFile(const std::string &path)
{
    std::vector<std::string> out;
    for (const auto &p : importPrompts(path).prompts)
        out.push_back(p.text);
    if (out.empty())
        throw Error(path + ": no prompts");
    return out;
}

struct Opened
{
    std::unique_ptr<SteeredPolicy> policy;
    bool demo = false;
};

Opened openRun(const SteerArgs &a, const Store &store, std::int64_t run)
{
    Opened o;
    o.demo = isDemoRun(store, run);
    o.policy = std::make_unique<SteeredPolicy>(findRunCheckpoint(a.db, run, a.step), a.rewardModel, o.demo,
                                               applyRuntime(a.runtime));
    return o;
}

std::string weightsText(const std::map<std::string, double> &w)
{
    std::string s;
    for (const auto &[k, v] : w)
        s += (s.empty() ? "" : ", ") + k + "=" + std::to_string(v).substr(0, 4);
    return s;
}

void registerSteer(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("steer", "Generate from a run's checkpoint at chosen aspect weights (a steerable "
                                            "run) or at its own (any other), with each sample's scores");
    auto a = std::make_shared<SteerArgs>();
    auto weights = std::make_shared<std::string>();
    addSteerArgs(cmd, *a);
    auto *single = cmd->add_option("--prompt", a->prompt, "Prompt text");
    cmd->add_option("--prompts", a->prompts, "Prompt file (JSONL, CSV, HH-RLHF; .gz allowed)")->excludes(single);
    cmd->add_option("--weights", *weights, "Aspect weights, e.g. safety=3,actionability=1 (steerable runs)");
    cmd->callback([&ctx, a, weights] {
        ctx.action = [&ctx, a, weights] {
            if (a->prompt.empty() && a->prompts.empty())
                throw Error("steer: give --prompt TEXT or --prompts FILE");
            requireWorkspace(a->db);
            const Store store = Store::open(a->db);
            Opened o = openRun(*a, store, a->run);
            const auto &aspects = o.policy->aspects();
            std::vector<double> w;
            if (!weights->empty())
                w = parseWeightList(*weights, aspects, "--weights");
            if (!o.policy->steerable())
                ctx.err << "run " << a->run << " is not steerable: its checkpoint answers at the weights it trained with ("
                        << weightsText(weightMap(aspects, o.policy->runWeights())) << ")\n";
            else if (w.empty())
                ctx.err << "no --weights: the uniform vector\n";
            const auto prompts = a->prompt.empty() ? promptsFromFile(a->prompts) : std::vector<std::string>{a->prompt};
            for (const SteerSample &s : o.policy->generate(prompts, w, a->steer)) {
                if (a->json) {
                    nlohmann::json j = {{"prompt", s.prompt}, {"text", s.text}, {"weights", s.weights},
                                        {"scores", s.scores}, {"finish", s.finish}};
                    if (!s.gold.empty())
                        j["gold"] = s.gold;
                    ctx.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
                } else {
                    ctx.out << "[" << weightsText(s.weights) << "] " << s.prompt << "\n  " << s.text << "\n  scores: "
                            << weightsText(s.scores) << (s.gold.empty() ? "" : "\n  gold:   " + weightsText(s.gold))
                            << "\n";
                }
            }
            return 0;
        };
    });
}

std::vector<std::size_t> planeOf(const std::string &text, const std::vector<std::string> &aspects)
{
    std::vector<std::size_t> plane;
    std::string rest = text;
    for (std::size_t from = 0; from <= rest.size();) {
        const auto comma = rest.find(',', from);
        const std::string name = rest.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        const auto it = std::find(aspects.begin(), aspects.end(), name);
        if (it == aspects.end())
            throw Error("--aspects: \"" + name + "\" is not an aspect of this run");
        plane.push_back(static_cast<std::size_t>(it - aspects.begin()));
        from = comma == std::string::npos ? rest.size() + 1 : comma + 1;
    }
    if (plane.size() != 2 || plane[0] == plane[1])
        throw Error("--aspects: name two different aspects, e.g. safety,actionability");
    return plane;
}

std::vector<std::int64_t> fixedRunsOf(const std::string &text, const Store &store, std::int64_t steered)
{
    std::vector<std::int64_t> out;
    if (text.empty())
        return out;
    if (text == "all") {
        for (const auto &r : store.runs())
            if (r.id != steered && r.config.value("conditioning", std::string("none")) == "none" &&
                r.config.value("algorithm", std::string("grpo")) != "dpo")
                out.push_back(r.id);
        return out;
    }
    for (std::size_t from = 0; from <= text.size();) {
        const auto comma = text.find(',', from);
        out.push_back(std::stoll(text.substr(from, comma == std::string::npos ? std::string::npos : comma - from)));
        from = comma == std::string::npos ? text.size() + 1 : comma + 1;
    }
    return out;
}

void registerFront(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("front", "Sweep a steerable run's weights over the simplex: each vector's mean "
                                            "scores on the held-out prompts, their Pareto front and hypervolume");
    auto a = std::make_shared<SteerArgs>();
    struct Front
    {
        std::int64_t points = 9;
        std::string aspects, fixedRuns;
        bool adversarialOnly = false;
    };
    auto f = std::make_shared<Front>();
    a->steer.numSamples = 2;
    addSteerArgs(cmd, *a);
    cmd->add_option("--points", f->points, "Weight vectors swept")->capture_default_str();
    cmd->add_option("--aspects", f->aspects, "The plane, two aspects: x,y (default: the first two)");
    cmd->add_option("--prompts", a->prompts, "Prompt file; default: the run's held-out prompts");
    cmd->add_flag("--adversarial-only", f->adversarialOnly, "Only the demo's adversarial held-out prompts");
    cmd->add_option("--fixed-runs", f->fixedRuns, "Other runs drawn as single points: all, or ids such as 2,3");
    cmd->callback([&ctx, a, f] {
        ctx.action = [&ctx, a, f] {
            requireWorkspace(a->db);
            const Store store = Store::open(a->db);
            Opened o = openRun(*a, store, a->run);
            const auto &aspects = o.policy->aspects();
            const auto plane = f->aspects.empty() ? std::vector<std::size_t>{0, 1} : planeOf(f->aspects, aspects);
            const auto prompts = a->prompts.empty() ? runHeldOutPrompts(store, a->run, f->adversarialOnly)
                                                    : promptsFromFile(a->prompts);
            const auto vectors = sweepVectors(aspects.size(), f->points, f->aspects.empty() ? std::vector<std::size_t>{}
                                                                                              : plane, a->steer.seed);
            if (!o.policy->steerable())
                ctx.err << "run " << a->run << " is not steerable: one point at the weights it trained with\n";
            FrontResult r = sweepFront(*o.policy, prompts, vectors, plane[0], plane[1], a->steer,
                                       [&](std::int64_t done, std::int64_t total) {
                                           ctx.err << "front: " << done << "/" << total << " weight vectors\n";
                                       });
            nlohmann::json j = {{"run", a->run}, {"step", o.policy->step()}, {"prompts", prompts.size()},
                                {"aspects", {aspects[r.x], aspects[r.y]}}, {"by", r.byGold ? "gold" : "reward_model"},
                                {"front_indices", r.front}, {"hypervolume", r.hypervolume},
                                {"reference", {r.reference.first, r.reference.second}}};
            j["front"] = nlohmann::json::array();   // the front's [x, y], by x
            for (const int i : r.front) {
                const auto xy = planePoint(r, r.points[static_cast<std::size_t>(i)]);
                j["front"].push_back({xy.first, xy.second});
            }
            j["points"] = nlohmann::json::array();
            for (const auto &p : r.points)
                j["points"].push_back(frontPointJson(aspects, p));
            // Fixed-weight runs: one point each on the same plane, and the hypervolume of those points together.
            FrontResult fixed = r;
            fixed.points.clear();
            j["fixed_runs"] = nlohmann::json::array();
            for (const std::int64_t id : fixedRunsOf(f->fixedRuns, store, a->run)) {
                Opened other = openRun(*a, store, id);
                if (other.policy->aspects() != aspects)
                    throw Error(a->db + ": run " + std::to_string(id) + " scores other aspects than run " +
                                std::to_string(a->run));
                const FrontResult one = sweepFront(*other.policy, prompts, {{}}, r.x, r.y, a->steer);
                fixed.points.push_back(one.points.front());
                nlohmann::json p = frontPointJson(aspects, one.points.front());
                p["run"] = id;
                p["step"] = other.policy->step();
                j["fixed_runs"].push_back(p);
                ctx.err << "front: run " << id << " measured\n";
            }
            if (!fixed.points.empty()) {
                measureFront(fixed);
                j["fixed_hypervolume"] = fixed.hypervolume;
            }
            if (a->json) {
                ctx.out << j.dump() << "\n";
            } else {
                ctx.out << "run " << a->run << " step " << o.policy->step() << ", " << prompts.size() << " prompts, "
                        << (r.byGold ? "gold" : "reward-model") << " " << aspects[r.x] << " x " << aspects[r.y] << "\n";
                for (std::size_t i = 0; i < r.points.size(); ++i) {
                    const auto xy = planePoint(r, r.points[i]);
                    const bool onFront = std::find(r.front.begin(), r.front.end(), static_cast<int>(i)) != r.front.end();
                    ctx.out << (onFront ? "* " : "  ") << weightsText(weightMap(aspects, r.points[i].weights)) << ": "
                            << xy.first << ", " << xy.second << "\n";
                }
                ctx.out << "hypervolume " << r.hypervolume << "\n";
                if (j.contains("fixed_hypervolume"))
                    ctx.out << "fixed-weight runs' hypervolume " << j["fixed_hypervolume"].get<double>() << "\n";
            }
            return 0;
        };
    });
}

} // namespace

void registerSteerCommands(CLI::App &app, CommandContext &ctx)
{
    registerSteer(app, ctx);
    registerFront(app, ctx);
}

} // namespace awb
