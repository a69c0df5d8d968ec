#include "train/grpo_checkpoint.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "io/safetensors.h"
#include "model/causal_lm.h"
#include "train/adamw.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <regex>

namespace fs = std::filesystem;

namespace awb {

namespace {

constexpr int kFormatVersion = 1;

std::int64_t stepOfFolder(const std::string &name)
{
    static const std::regex re("checkpoint-([0-9]+)");
    std::smatch m;
    if (!std::regex_match(name, m, re))
        return -1;
    return std::stoll(m[1].str());
}

} // namespace

std::string runCheckpointDir(const std::string &db, std::int64_t runId)
{
    return fs::absolute(db).lexically_normal().string() + ".runs/run-" + std::to_string(runId);
}

std::string checkpointFolder(const std::string &dir, std::int64_t step)
{
    return (fs::path(dir) / ("checkpoint-" + std::to_string(step))).string();
}

namespace {
std::string writeCheckpointVia(const fs::path &tmp, const std::string &dir, const CausalLM &policy, const AdamW &optimizer,
                               const CheckpointState &state, const std::string &tokenizerDir);
} // namespace

std::string writeCheckpoint(const std::string &dir, const CausalLM &policy, const AdamW &optimizer,
                            const CheckpointState &state, const std::string &tokenizerDir)
{
    const fs::path tmp = fs::path(dir) / (".checkpoint-" + std::to_string(state.step) + ".tmp");
    try {
        return writeCheckpointVia(tmp, dir, policy, optimizer, state, tokenizerDir);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);   // a full disk must not stay full of a half-written checkpoint
        throw;
    }
}

namespace {

std::string writeCheckpointVia(const fs::path &tmp, const std::string &dir, const CausalLM &policy, const AdamW &optimizer,
                               const CheckpointState &state, const std::string &tokenizerDir)
{
    const std::string finalDir = checkpointFolder(dir, state.step);
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp / "policy", ec);
    if (ec)
        throw IoError(tmp.string() + ": cannot create the checkpoint folder: " + ec.message());
    if (policy.hasLora())
        policy.saveLora((tmp / "policy").string());
    else
        policy.save((tmp / "policy").string(), 0, false);
    const std::string tokDir = tokenizerDir.empty() ? state.options.value("model", std::string()) : tokenizerDir;
    for (const char *name : {"tokenizer.json", "tokenizer_config.json"}) {
        const fs::path src = fs::path(tokDir) / name;
        if (!tokDir.empty() && fs::exists(src))
            writeFileAtomically((tmp / "policy" / name).string(), readWholeFile(src.string()));
    }
    saveSafetensors((tmp / "optimizer.safetensors").string(), optimizer.stateDict(), {{"format", "pt"}});
    if (state.valueHiddenSize > 0)
        saveSafetensors((tmp / "value_model.safetensors").string(), state.valueState, {{"format", "pt"}});
    nlohmann::json j;
    j["format"] = "awb-grpo-checkpoint";
    j["format_version"] = kFormatVersion;
    j["algorithm"] = state.algorithm;
    j["step"] = state.step;
    j["optimizer_steps"] = state.optimizerSteps;
    j["options"] = state.options;
    j["weights"] = state.weights;
    j["aggregation"] = state.aggregation;
    if (!state.lambdas.empty())
        j["lambdas"] = state.lambdas;
    if (!state.bounds.empty())
        j["constraint_bounds"] = state.bounds;
    j["reward_model_version"] = state.rewardModelVersion;
    j["reward_model_path"] = state.rewardModelPath;
    j["lora"] = policy.hasLora();
    if (!state.runUid.empty())
        j["run_uid"] = state.runUid;
    if (state.valueHiddenSize > 0)
        j["value_model"] = {{"hidden_size", state.valueHiddenSize}};
    writeFileAtomically((tmp / "trainer_state.json").string(), j.dump(2) + "\n");
    fs::remove_all(finalDir, ec);
    fs::rename(tmp, finalDir, ec);
    if (ec)
        throw IoError(finalDir + ": cannot move the checkpoint into place: " + ec.message());
    return finalDir;
}

} // namespace

nlohmann::json readCheckpointStateJson(const std::string &checkpoint)
{
    const std::string path = (fs::path(checkpoint) / "trainer_state.json").string();
    nlohmann::json j = readJsonFile(path);
    if (!j.is_object() || j.value("format", std::string()) != "awb-grpo-checkpoint")
        throw FormatError(path + ": not a GRPO checkpoint (format is not \"awb-grpo-checkpoint\")");
    if (j.value("format_version", 0) > kFormatVersion)
        throw FormatError(path + ": written by a newer version (format_version " +
                          std::to_string(j.value("format_version", 0)) + ")");
    return j;
}

CheckpointState readCheckpoint(const std::string &checkpoint, CausalLM &policy, AdamW &optimizer,
                               const std::string &algorithm)
{
    const nlohmann::json j = readCheckpointStateJson(checkpoint);
    const std::string label = (fs::path(checkpoint) / "trainer_state.json").string();
    CheckpointState s;
    if (j.contains("algorithm") && !j["algorithm"].is_string())
        throw FormatError(label + ": \"algorithm\" must be a string");
    s.algorithm = j.value("algorithm", std::string("grpo"));
    if (s.algorithm != algorithm)
        throw FormatError(label + ": the checkpoint was written by a " + s.algorithm + " run; this run is " + algorithm);
    s.step = optInt(j, "step", label).value_or(0);
    s.optimizerSteps = optInt(j, "optimizer_steps", label).value_or(0);
    s.options = j.value("options", nlohmann::json::object());
    if (j.contains("weights") && j["weights"].is_object())
        for (const auto &[k, v] : j["weights"].items())
            s.weights[k] = v.get<double>();
    s.aggregation = j.value("aggregation", std::string());
    if (j.contains("lambdas") && j["lambdas"].is_object())
        for (const auto &[name, v] : j["lambdas"].items())
            if (v.is_number())
                s.lambdas[name] = v.get<double>();
    if (j.contains("constraint_bounds") && j["constraint_bounds"].is_object())
        for (const auto &[name, v] : j["constraint_bounds"].items())
            if (v.is_number())
                s.bounds[name] = v.get<double>();
    s.rewardModelVersion = j.value("reward_model_version", std::int64_t(0));
    s.rewardModelPath = j.value("reward_model_path", std::string());
    s.runUid = j.value("run_uid", std::string());
    if (j.contains("value_model") && j["value_model"].is_object())
        s.valueHiddenSize = j["value_model"].value("hidden_size", std::int64_t(0));
    const bool lora = j.value("lora", false);
    if (lora != policy.hasLora())
        throw FormatError(label + ": the checkpoint was trained " + (lora ? "with" : "without") +
                          " LoRA, the run is set up " + (policy.hasLora() ? "with" : "without"));

    const std::string policyDir = (fs::path(checkpoint) / "policy").string();
    if (lora) {
        policy.loadLora(policyDir);
    } else {
        const Checkpoint weights = Checkpoint::open(policyDir);
        at::NoGradGuard noGrad;
        for (auto &[name, live] : policy.stateDict(false)) {
            if (!weights.contains(name))
                throw FormatError(weights.files().front() + ": tensor \"" + name + "\" is missing from the checkpoint");
            const at::Tensor t = weights.tensor(name);
            if (t.sizes() != live.sizes())
                throw FormatError(weights.fileOf(name) + ": tensor \"" + name + "\" has the wrong shape");
            live.copy_(t);
        }
    }
    const auto opt = SafetensorsFile::open((fs::path(checkpoint) / "optimizer.safetensors").string());
    NamedTensors state;
    for (const auto &name : opt->names())
        state.emplace_back(name, opt->tensor(name));
    optimizer.loadStateDict(state);
    return s;
}

std::vector<std::string> listCheckpoints(const std::string &dir)
{
    std::vector<std::pair<std::int64_t, std::string>> found;
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec))
        return {};
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        const std::int64_t step = stepOfFolder(entry.path().filename().string());
        if (step >= 0 && entry.is_directory() && fs::exists(entry.path() / "trainer_state.json"))
            found.emplace_back(step, entry.path().string());
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto &f : found)
        out.push_back(f.second);
    return out;
}

std::vector<std::string> listCheckpoints(const std::string &dir, const std::string &runUid)
{
    std::vector<std::string> out;
    for (const auto &cp : listCheckpoints(dir)) {
        std::string owner;
        try {
            owner = readCheckpointStateJson(cp).value("run_uid", std::string());
        } catch (const Error &) {
            continue;   // unreadable: not anyone's
        }
        if (owner == runUid)
            out.push_back(cp);
    }
    return out;
}

std::string latestOwnCheckpoint(const std::string &dir, const std::string &runUid, std::size_t *foreign)
{
    const auto own = listCheckpoints(dir, runUid);
    if (foreign)
        *foreign = listCheckpoints(dir).size() - own.size();
    return own.empty() ? std::string() : own.back();
}

std::string newRunUid()
{
    std::random_device rd;
    const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string setAsideCheckpointFolder(const std::string &dir)
{
    std::error_code ec;
    if (!fs::exists(dir, ec) || fs::is_empty(dir, ec))
        return {};
    const std::string aside = dir + ".orphaned-" + std::to_string(std::time(nullptr));
    fs::rename(dir, aside, ec);
    if (ec)
        throw IoError(dir + ": holds another run's checkpoints and cannot be moved aside: " + ec.message());
    return aside;
}

void removeCheckpoint(const std::string &checkpoint)
{
    std::error_code ec;
    fs::remove_all(checkpoint, ec);   // an old checkpoint that will not go away is not worth failing a run for
}

} // namespace awb
