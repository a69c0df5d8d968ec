// awb reward-model train: a reward model from data files on a base folder
// (core/reward/reward_from_data.h); awb reward-model score: a model's scores
// for {prompt, response} rows, one JSON line each, in input order.
#include "cli/cmd_reward.h"

#include "cli/commands.h"
#include "data/text_reader.h"
#include "io/json_util.h"
#include "reward/reward_from_data.h"
#include "reward/reward_model.h"
#include "store/store.h"
#include "train/labelling_sampler.h"
#include "util/error.h"
#include "util/runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <ostream>

namespace awb {

namespace {

void registerTrain(CLI::App &rm, CommandContext &ctx)
{
    auto *cmd = rm.add_subcommand(
        "train", "Train a reward model from per-aspect scores and/or preference pairs on a base model folder");
    struct Args
    {
        RewardFromDataOptions o;
        std::vector<std::string> data;
        std::string aspects;
        std::string useLora = "false";
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--base", a->o.base, "Hugging Face model folder the reward model is built on (with its tokenizer)")
        ->required();
    cmd->add_option("--data", a->data,
                    "Data file (JSONL or CSV, optionally .gz), repeatable; a preference file names the aspect it "
                    "supervises as FILE:ASPECT");
    cmd->add_flag("--labels", a->o.workspaceLabels, "Also train on the workspace's human labels (with --db)");
    cmd->add_option("--aspects", a->aspects, "Aspects and ranges, NAME[:MIN:MAX],... (default: the workspace's, "
                                             "else the data's)");
    cmd->add_option("--use-lora", a->useLora, "true: LoRA adapters on the base; false: full fine-tuning")
        ->check(CLI::IsMember({"true", "false"}))
        ->capture_default_str();
    cmd->add_option("--lora-r", a->o.loraR, "LoRA rank")->capture_default_str();
    cmd->add_option("--lora-alpha", a->o.loraAlpha, "LoRA alpha")->capture_default_str();
    cmd->add_option("--epochs", a->o.epochs, "Epochs at most (early stopping on the validation split)")
        ->capture_default_str();
    cmd->add_option("--learning-rate", a->o.learningRate, "AdamW learning rate of the backbone or adapters")
        ->capture_default_str();
    cmd->add_option("--head-learning-rate", a->o.headLearningRate, "AdamW learning rate of the score head")
        ->capture_default_str();
    cmd->add_option("--validation-fraction", a->o.validationFraction, "Held out for metrics and early stopping")
        ->capture_default_str();
    cmd->add_option("--batch-size", a->o.batchSize, "Scored examples or pairs per optimiser step")->capture_default_str();
    cmd->add_option("--max-length", a->o.maxLength, "Tokens per scored text (truncated from the left)")
        ->capture_default_str();
    cmd->add_option("--seed", a->o.seed, "Validation split, batch order, initialisation")->capture_default_str();
    cmd->add_option("--ensemble-size", a->o.ensembleSize,
                    "Heads on the one backbone, each trained on its own bootstrap resample; scoring gives their mean "
                    "and spread")
        ->capture_default_str();
    cmd->add_option("--device", a->o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--threads", a->o.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    auto *db = cmd->add_option("--db", a->o.db, "Workspace: register the model as its next version");
    auto *out = cmd->add_option("--out", a->o.out, "Or: a new (or empty) folder to write the model to");
    db->excludes(out);
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            RewardFromDataOptions o = a->o;
            if (!o.db.empty())
                requireWorkspace(o.db);
            for (const auto &d : a->data)
                o.data.push_back(parseRewardDataArgument(d));
            if (!a->aspects.empty())
                o.aspects = parseAspectList(a->aspects);
            o.useLora = a->useLora == "true";
            auto last = std::chrono::steady_clock::now() - std::chrono::seconds(10);
            const RewardFromDataResult r = trainRewardModelFromData(
                o, [&ctx](const std::string &m) { ctx.err << "reward-model: " << m << "\n" << std::flush; },
                [&](std::int64_t epoch, std::int64_t epochs, std::int64_t batch, std::int64_t batches, double loss) {
                    const auto now = std::chrono::steady_clock::now();
                    if (now - last < std::chrono::seconds(2) && batch + 1 != batches)
                        return;
                    last = now;
                    ctx.err << "reward-model: epoch " << epoch << "/" << epochs << ", batch " << batch + 1 << "/"
                            << batches << ", loss " << loss << "\n"
                            << std::flush;
                });
            ctx.out << r.toJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            return 0;
        };
    });
}

std::string versionFolder(const std::string &db, std::int64_t version)
{
    const Store store = Store::open(db);
    const auto versions = store.rewardModels();
    if (versions.empty())
        throw Error(db + ": the workspace has no reward-model version yet");
    for (const auto &v : versions)
        if (version == 0 ? &v == &versions.back() : v.version == version)
            return v.path;
    throw Error(db + ": no reward-model version " + std::to_string(version) + " (newest is "
                + std::to_string(versions.back().version) + ")");
}

void registerScore(CLI::App &rm, CommandContext &ctx)
{
    auto *cmd = rm.add_subcommand("score", "Score {prompt, response} rows (JSONL) with a reward model: one JSON line "
                                           "{\"scores\": {aspect: value}} per row, in input order; an ensemble adds "
                                           "\"std\": {aspect: spread across its members}");
    struct Args
    {
        std::string model, db, data, device = "auto";
        std::int64_t version = 0, batchSize = 16, maxLength = 512, threads = 0;
    };
    auto a = std::make_shared<Args>();
    auto *model = cmd->add_option("--model", a->model, "Reward-model folder");
    auto *db = cmd->add_option("--db", a->db, "Or: a workspace, scoring with its newest version (or --version)");
    model->excludes(db);
    cmd->add_option("--version", a->version, "Version of the workspace's reward model; 0: the newest")
        ->capture_default_str();
    cmd->add_option("--data", a->data, "JSONL file of {\"prompt\", \"response\"} objects (optionally .gz)")->required();
    cmd->add_option("--batch-size", a->batchSize, "Rows scored per forward pass")->capture_default_str();
    cmd->add_option("--max-length", a->maxLength, "Tokens per row (truncated from the left)")->capture_default_str();
    cmd->add_option("--device", a->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            if (a->model.empty() == a->db.empty())
                throw Error("reward-model score: give --model DIR or --db FILE");
            std::string dir = a->model;
            if (!a->db.empty()) {
                requireWorkspace(a->db);
                dir = versionFolder(a->db, a->version);
            }
            std::vector<std::string> prompts, responses;
            {
                TextReader reader(a->data);
                std::string line;
                std::int64_t lineNo = 0;
                while (reader.getLine(line)) {
                    ++lineNo;
                    if (line.find_first_not_of(" \t\r") == std::string::npos)
                        continue;
                    const nlohmann::json j = parseJsonLine(line, a->data, lineNo);
                    const std::string at = a->data + ":" + std::to_string(lineNo);
                    if (!j.is_object() || !j.contains("prompt") || !j["prompt"].is_string() || !j.contains("response")
                        || !j["response"].is_string())
                        throw FormatError(at + ": expected {\"prompt\": text, \"response\": text}");
                    prompts.push_back(j["prompt"].get<std::string>());
                    responses.push_back(j["response"].get<std::string>());
                }
            }
            if (prompts.empty())
                throw FormatError(a->data + ": empty: no rows to score");
            RuntimeOptions ro;
            ro.device = a->device;
            ro.threads = static_cast<int>(a->threads);
            const Runtime rt = applyRuntime(ro);
            CausalLM::LoadOptions lo;
            lo.device = rt.device;
            lo.dtype = rt.dtype;
            auto rmodel = RewardModel::load(dir, lo);
            const auto names = rmodel->aspects().names();
            const EnsembleScores scored = rmodel->scoreDetailed(prompts, responses, a->batchSize, a->maxLength);
            const bool ensemble = rmodel->ensembleSize() > 1;
            for (std::size_t i = 0; i < scored.mean.size(); ++i) {
                nlohmann::json s = nlohmann::json::object(), spread = nlohmann::json::object();
                for (std::size_t k = 0; k < names.size(); ++k) {
                    s[names[k]] = scored.mean[i][k];
                    spread[names[k]] = scored.std[i][k];
                }
                nlohmann::json line = {{"scores", s}};
                if (ensemble)
                    line["std"] = spread;
                ctx.out << line.dump() << "\n";
            }
            return 0;
        };
    });
}

void registerSample(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("sample", "Sample completions of a policy for the workspace's prompts, without a "
                                             "reward model or training, as a labelling run (the annotators' cold start)");
    struct Args
    {
        LabellingSampleOptions o;
        std::string aspects;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--db", a->o.db, "Workspace (SQLite file) with a prompt set")->required();
    cmd->add_option("--model", a->o.model, "Policy model folder")->required();
    cmd->add_option("--prompts-file", a->o.promptsFile, "Prompt file to import (JSONL, CSV or HH-RLHF, optionally .gz)");
    cmd->add_option("--prompt-field", a->o.promptField, "JSONL key or CSV column of the prompt")->capture_default_str();
    cmd->add_option("--prompt-set", a->o.promptSetId, "Or: a prompt set id of the workspace; 0: the newest")
        ->capture_default_str();
    cmd->add_option("--prompts", a->o.prompts, "Prompts to sample for (N)")->capture_default_str();
    cmd->add_option("--num-generations", a->o.numGenerations, "Completions per prompt (G)")->capture_default_str();
    cmd->add_option("--max-completion-length", a->o.maxCompletionLength, "Tokens per completion at most")
        ->capture_default_str();
    cmd->add_option("--temperature", a->o.temperature, "Sampling temperature")->capture_default_str();
    cmd->add_option("--top-p", a->o.topP, "Nucleus sampling mass")->capture_default_str();
    cmd->add_option("--aspects", a->aspects, "Aspects annotators score, NAME[:MIN:MAX],... (default: politeness, "
                                             "meaningfulness, actionability, safety in [0, 1])");
    cmd->add_option("--seed", a->o.seed, "Prompt choice and sampling")->capture_default_str();
    cmd->add_option("--run-name", a->o.runName, "Name of the labelling run");
    cmd->add_option("--device", a->o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--threads", a->o.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            if (a->o.promptsFile.empty())   // with a prompt file, a new workspace may be created
                requireWorkspace(a->o.db);
            LabellingSampleOptions o = a->o;
            if (!a->aspects.empty()) {
                std::vector<Aspect> list;
                for (const auto &r : parseAspectList(a->aspects))
                    list.push_back({r.name, r.min.value_or(0.0), r.max.value_or(1.0), ""});
                o.aspects = AspectSchema(list);
            }
            const LabellingSampleResult r = sampleForLabelling(o, [&ctx](std::int64_t done, std::int64_t total) {
                ctx.err << "sample: " << done << "/" << total << " prompts\n" << std::flush;
            });
            ctx.out << nlohmann::json{{"run", r.runId}, {"samples", r.samples}, {"prompts", r.prompts},
                                      {"seconds", r.seconds}}
                           .dump()
                    << "\n";
            return 0;
        };
    });
}

} // namespace

void registerLabellingCommands(CLI::App &app, CommandContext &ctx)
{
    registerSample(app, ctx);
}

void registerRewardModelTrainCommands(CLI::App &rm, CommandContext &ctx)
{
    registerTrain(rm, ctx);
    registerScore(rm, ctx);
}

} // namespace awb
