#include "reward/reward_retrain.h"

#include "data/text_reader.h"
#include "io/json_util.h"
#include "reward/reward_exchange.h"
#include "reward/reward_model.h"
#include "reward/reward_trainer.h"
#include "store/store.h"
#include "util/error.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::vector<RewardExample> readReplay(const std::string &path, const AspectSchema &schema)
{
    TextReader in(path);   // the limits of every data file
    std::vector<RewardExample> out;
    std::string line;
    std::int64_t lineNo = 0;
    while (in.getLine(line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        const nlohmann::json j = parseJsonLine(line, path, lineNo);
        if (!j.is_object() || !j.contains("prompt") || !j["prompt"].is_string() || !j.contains("response")
            || !j["response"].is_string() || !j.contains("labels") || !j["labels"].is_object())
            throw FormatError(path + ":" + std::to_string(lineNo) + ": expected {\"prompt\", \"response\", \"labels\"}");
        RewardExample ex{j["prompt"].get<std::string>(), j["response"].get<std::string>(), {}};
        for (const auto &name : schema.names()) {
            const auto it = j["labels"].find(name);
            ex.targets.push_back(it != j["labels"].end() && it->is_number() ? std::optional<double>(it->get<double>())
                                                                             : std::nullopt);
        }
        out.push_back(std::move(ex));
    }
    return out;
}

} // namespace

RewardRetrainResult retrainRewardModel(
    const RewardRetrainOptions &o,
    const std::function<void(std::int64_t, std::int64_t, std::int64_t, std::int64_t, double)> &progress,
    const std::function<bool()> &shouldStop)
{
    if (o.db.empty())
        throw Error("reward-model retraining: no workspace file given");
    if (o.ensembleSize < 0)
        throw Error("reward-model retraining: ensemble_size must be at least 1 (or 0: as the version it starts from), "
                    "got " + std::to_string(o.ensembleSize));
    Store store = Store::open(o.db);
    std::string base = o.baseModelDir;
    if (base.empty()) {
        const auto versions = store.rewardModels();
        if (versions.empty())
            throw Error(o.db + ": the workspace has no reward model to start from; run GRPO once or give a folder");
        base = versions.back().path;
    }
    std::shared_ptr<RewardModel> model;
    if (o.sharedBase) {
        CausalLM::LoadOptions lo;
        lo.device = o.sharedBase->device();
        lo.dtype = o.sharedBase->dtype();
        model = RewardModel::load(base, lo, o.sharedBase.get(), o.sharedBaseFolder);
    } else {
        model = RewardModel::load(base);
    }
    if (o.ensembleSize > 0)
        model->setEnsembleSize(o.ensembleSize, o.seed, o.ensembleSpread);
    const AspectSchema &schema = model->aspects();

    std::vector<RewardExample> examples;
    for (const auto &s : store.labelledSamples()) {
        RewardExample ex{s.prompt, s.completion, {}};
        bool any = false;
        for (const auto &name : schema.names()) {
            const auto it = s.labels.find(name);
            ex.targets.push_back(it != s.labels.end() ? std::optional<double>(it->second) : std::nullopt);
            any = any || it != s.labels.end();
        }
        if (any)
            examples.push_back(std::move(ex));
    }
    RewardRetrainResult result;
    result.humanExamples = static_cast<std::int64_t>(examples.size());
    if (examples.empty())
        throw Error(o.db + ": no human labels yet; label some samples first");

    if (!o.replayLabelsPath.empty()) {
        std::vector<RewardExample> replay = readReplay(o.replayLabelsPath, schema);
        std::mt19937_64 rng(o.seed + 17);
        std::shuffle(replay.begin(), replay.end(), rng);
        const auto want = std::max(o.replayMinimum, o.replayPerHumanLabel * result.humanExamples);
        replay.resize(std::min<std::size_t>(replay.size(), static_cast<std::size_t>(want)));
        result.replayExamples = static_cast<std::int64_t>(replay.size());
        for (auto &ex : replay)
            examples.push_back(std::move(ex));
    }

    RewardTrainOptions to;
    to.backboneMode = model->info().backboneKind == "lora" ? "lora" : "full";
    to.learningRate = o.learningRate;
    to.headLearningRate = o.headLearningRate;
    to.epochs = o.epochs;
    to.seed = o.seed;
    to.validationFraction = o.validationFraction >= 0 ? o.validationFraction : examples.size() >= 20 ? 0.1 : 0.0;
    std::int64_t labelCount = 0;
    for (const auto &ex : examples)
        for (const auto &t : ex.targets)
            labelCount += t ? 1 : 0;

    const RewardTrainReport report = trainRewardModel(
        *model, examples, to,
        [&](std::int64_t epoch, std::int64_t batch, std::int64_t batches, double loss) {
            if (progress)
                progress(epoch, to.epochs, batch, batches, loss);
        },
        shouldStop);
    result.trainLoss = report.trainLoss;
    result.validationLoss = report.validationLoss;
    if (report.cancelled) {
        result.cancelled = true;
        return result;
    }
    const auto names = schema.names();
    nlohmann::json metrics = nlohmann::json::object();
    for (std::size_t k = 0; k < report.validation.size() && k < names.size(); ++k) {
        const auto &m = report.validation[k];
        result.validation.push_back({names[k], m.count, m.rmse, m.pearson, m.spearman});
        metrics[names[k]] = aspectMetricsJson(m);
    }
    metrics["train_loss"] = report.trainLoss;
    metrics["validation_loss"] = report.validationLoss;

    RewardModelInfo info = model->info();
    info.metrics = report.validation;
    info.labelCount = labelCount;
    info.trainingOptions = rewardTrainOptionsToJson(to);
    info.created.clear();
    model->setInfo(info);

    // The folder is named after the version the store will give it; a clash
    // (another retrain registered meanwhile) only changes the folder name.
    const auto versions = store.rewardModels();
    const std::int64_t next = versions.empty() ? 1 : versions.back().version + 1;
    const fs::path dir = newRewardModelFolder(o.db, next);
    fs::create_directories(dir.parent_path());
    model->save(dir.string());
    result.path = fs::absolute(dir).lexically_normal().string();
    result.version = store.registerRewardModel(
        result.path, labelCount, metrics,
        "retrained on " + std::to_string(result.humanExamples) + " human-labelled samples and "
            + std::to_string(result.replayExamples) + " replayed labels");
    result.sharesBase = model->backbone().sharesBase();
    result.model = std::move(model);
    return result;
}

} // namespace awb
