// awb policy export, awb reward-model export|import: trained models in and out
// of a workspace (core/train/policy_export.h, core/reward/reward_exchange.h).
#include "cli/commands.h"

#include "cli/cmd_reward.h"

#include "reward/reward_exchange.h"
#include "store/store.h"
#include "train/grpo_checkpoint.h"
#include "train/policy_export.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <ostream>

namespace awb {

namespace {

nlohmann::json transferJson(const RewardModelTransfer &t)
{
    nlohmann::json j = {{"path", t.path}, {"aspects", t.aspects}, {"label_count", t.labelCount},
                        {"lora_merged", t.lora}};
    if (t.version > 0)
        j["version"] = t.version;
    return j;
}

void registerPolicyExport(CLI::App &app, CommandContext &ctx)
{
    auto *policy = app.add_subcommand("policy", "The trained policy of a GRPO run");
    policy->require_subcommand(1);
    auto *exp = policy->add_subcommand(
        "export", "Write a run's policy as a Hugging Face model folder (LoRA merged in) or as PEFT adapters");
    struct Options
    {
        std::string db, checkpoint, out;
        std::int64_t run = 0, step = -1;
        bool adapters = false;
        double shardMb = 0;
        std::string dtype = "float32";
        std::string weights;
    };
    auto o = std::make_shared<Options>();
    exp->add_option("--db", o->db, "Workspace (SQLite file)");
    exp->add_option("--run", o->run, "Run id (with --db)");
    exp->add_option("--step", o->step, "Checkpoint step (with --db); default: the newest");
    exp->add_option("--checkpoint", o->checkpoint, "A checkpoint-<step> folder, instead of --db/--run/--step");
    exp->add_option("--out", o->out, "New (or empty) folder to write")->required();
    exp->add_flag("--adapters", o->adapters, "LoRA adapters in PEFT layout instead of a merged model (LoRA runs only)");
    exp->add_option("--dtype", o->dtype, "Weights of a merged folder: float32, bfloat16 (half the size) or float16")
        ->check(CLI::IsMember(policyExportDtypes()))
        ->capture_default_str();
    exp->add_option("--weights", o->weights,
                    "A run with conditioning lora: the aspect weights to export at, e.g. safety=1,actionability=0.2 "
                    "(default: uniform)");
    exp->add_option("--shard-mb", o->shardMb, "Split model.safetensors into shards of at most this size; 0: one file")
        ->capture_default_str();
    exp->callback([&ctx, o] {
        ctx.action = [&ctx, o] {
            std::string checkpoint = o->checkpoint;
            if (checkpoint.empty()) {
                if (o->db.empty() || o->run <= 0)
                    throw Error("policy export: name --checkpoint DIR, or --db FILE with --run N");
                requireWorkspace(o->db);
                checkpoint = findRunCheckpoint(o->db, o->run, o->step);
            }
            const PolicyExportResult r = exportPolicy(
                checkpoint, o->out, o->adapters ? PolicyExportLayout::Adapters : PolicyExportLayout::Merged,
                static_cast<std::uint64_t>(o->shardMb * 1024 * 1024), o->dtype, o->weights);
            ctx.out << nlohmann::json{{"path", r.path},     {"layout", r.layout}, {"dtype", r.dtype}, {"step", r.step},
                                      {"tensors", r.tensors}, {"bytes", r.bytes}, {"checkpoint", checkpoint}}
                           .dump()
                    << "\n";
            return 0;
        };
    });
}

void registerRewardModelTransfer(CLI::App &app, CommandContext &ctx)
{
    auto *rm = app.add_subcommand("reward-model", "Reward models: train from data, score, export and import versions");
    rm->require_subcommand(1);
    registerRewardModelTrainCommands(*rm, ctx);

    auto *exp = rm->add_subcommand("export", "Write a self-contained copy of a reward-model version (LoRA merged in)");
    auto e = std::make_shared<std::pair<std::string, std::string>>();
    auto version = std::make_shared<std::int64_t>(0);
    exp->add_option("--db", e->first, "Workspace (SQLite file)")->required();
    exp->add_option("--version", *version, "Version to export; 0: the newest")->capture_default_str();
    exp->add_option("--out", e->second, "New (or empty) folder to write")->required();
    exp->callback([&ctx, e, version] {
        ctx.action = [&ctx, e, version] {
            requireWorkspace(e->first);
            const Store store = Store::open(e->first);
            const auto versions = store.rewardModels();
            if (versions.empty())
                throw Error(e->first + ": the workspace has no reward-model version yet");
            std::string from;
            for (const auto &v : versions)
                if (*version == 0 || v.version == *version)
                    from = v.path;
            if (from.empty())
                throw Error(e->first + ": no reward-model version " + std::to_string(*version) + " (newest is "
                            + std::to_string(versions.back().version) + ")");
            RewardModelTransfer t = exportRewardModel(from, e->second);
            ctx.out << transferJson(t).dump() << "\n";
            return 0;
        };
    });

    auto *imp = rm->add_subcommand("import", "Register a reward-model folder as the workspace's next version");
    auto i = std::make_shared<std::pair<std::string, std::string>>();
    imp->add_option("--db", i->first, "Workspace (SQLite file)")->required();
    imp->add_option("--in", i->second, "Reward-model folder (written by `awb reward-model export` or by training)")
        ->required();
    imp->callback([&ctx, i] {
        ctx.action = [&ctx, i] {
            requireWorkspace(i->first);
            ctx.out << transferJson(importRewardModel(i->first, i->second)).dump() << "\n";
            return 0;
        };
    });
}

} // namespace

void registerExportCommands(CLI::App &app, CommandContext &ctx)
{
    registerPolicyExport(app, ctx);
    registerRewardModelTransfer(app, ctx);
}

} // namespace awb
