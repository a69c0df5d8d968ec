#include "reward/reward_from_data.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "reward/reward_exchange.h"
#include "reward/reward_model.h"
#include "reward/reward_trainer.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/runtime.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace awb {

namespace {

void checkBase(const std::string &base)
{
    std::error_code ec;
    if (base.empty())
        throw Error("reward-model training: no base model folder given (--base DIR)");
    if (!fs::is_directory(base, ec))
        throw IoError(base + ": no such model folder (--base)");
    if (!fs::is_regular_file(fs::path(base) / "config.json", ec))
        throw IoError(base + ": no config.json: the base must be a Hugging Face model folder");
    if (!fs::is_regular_file(fs::path(base) / "tokenizer.json", ec))
        throw IoError(base + ": no tokenizer.json: a reward model's base needs its tokenizer in the folder");
}

void checkOptions(const RewardFromDataOptions &o)
{
    if (o.db.empty() == o.out.empty())
        throw Error("reward-model training: give exactly one of --db (register in a workspace) and --out (a new folder)");
    if (o.data.empty() && !o.workspaceLabels)
        throw Error("reward-model training: no data file given (--data FILE[:ASPECT], or --labels with --db)");
    if (o.workspaceLabels && o.db.empty())
        throw Error("reward-model training: --labels trains on a workspace's labels: give --db");
    if (o.ensembleSize < 1)
        throw Error("reward-model training: ensemble_size (--ensemble-size) must be at least 1, got "
                    + std::to_string(o.ensembleSize));
    checkBase(o.base);
}

} // namespace

std::optional<AspectSchema> workspaceAspects(const std::string &db)
{
    const Store store = Store::open(db);
    const auto versions = store.rewardModels();
    if (!versions.empty()) {
        const std::string file = (fs::path(versions.back().path) / "aspects.json").string();
        return AspectSchema::fromJson(readJsonFile(file), file);
    }
    const auto runs = store.runs();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it)
        if (const auto s = it->config.find("aspect_schema"); s != it->config.end() && s->is_object())
            return AspectSchema::fromJson(*s, db + ": run " + std::to_string(it->id) + " aspect_schema");
    return std::nullopt;
}

namespace {

// The workspace's human labels in the "labels" layout, in a temporary file that goes away with this object.
class LabelsFile
{
public:
    explicit LabelsFile(const std::string &db)
    {
        const auto samples = Store::open(db).labelledSamples();
        if (samples.empty())
            throw Error(db + ": no labels yet: label some samples first (sample for labelling gives you some)");
        m_path = (fs::temp_directory_path() / ("awb-labels-" + std::to_string(std::hash<std::string>()(db)) + "-"
                                               + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())
                                               + ".jsonl"))
                     .string();
        std::string text;
        for (const auto &s : samples)
            text += nlohmann::json{{"prompt", s.prompt}, {"response", s.completion}, {"labels", s.labels}}.dump(
                        -1, ' ', false, nlohmann::json::error_handler_t::replace)
                    + "\n";
        writeFileAtomically(m_path, text);
    }
    ~LabelsFile()
    {
        std::error_code ec;
        fs::remove(m_path, ec);
    }
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
};

} // namespace

nlohmann::json RewardFromDataResult::toJson() const
{
    nlohmann::json aspects = nlohmann::json::array();
    for (const auto &a : dataset.schema.aspects())
        aspects.push_back({{"name", a.name}, {"min", a.min}, {"max", a.max}});
    nlohmann::json files = nlohmann::json::array();
    for (const auto &f : dataset.files)
        files.push_back({{"path", f.path}, {"layout", f.layout}, {"records", f.records}, {"skipped", f.skipped},
                         {"aspects", f.aspects}});
    nlohmann::json j = {{"path", path},
                        {"aspects", aspects},
                        {"files", files},
                        {"warnings", dataset.warnings},
                        {"train_examples", trainExamples},
                        {"train_pairs", trainPairs},
                        {"validation_examples", validationExamples},
                        {"validation_pairs", validationPairs},
                        {"best_epoch", bestEpoch},
                        {"train_loss", trainLoss},
                        {"validation_loss", validationLoss},
                        {"metrics", metrics},
                        {"seconds", seconds}};
    if (version > 0)
        j["version"] = version;
    return j;
}

RewardFromDataResult trainRewardModelFromData(
    const RewardFromDataOptions &o, const std::function<void(const std::string &)> &log,
    const std::function<void(std::int64_t, std::int64_t, std::int64_t, std::int64_t, double)> &progress,
    const std::function<bool()> &shouldStop)
{
    const auto started = std::chrono::steady_clock::now();
    checkOptions(o);
    auto say = [&](const std::string &m) {
        if (log)
            log(m);
    };
    std::unique_ptr<AtomicFolder> outFolder;
    if (!o.out.empty())
        outFolder = std::make_unique<AtomicFolder>(o.out);   // refuses a non-empty folder before any work
    std::optional<AspectSchema> workspace;
    if (!o.db.empty())
        workspace = workspaceAspects(o.db);

    RewardFromDataResult result;
    std::vector<RewardDataFile> data = o.data;
    std::unique_ptr<LabelsFile> labels;
    if (o.workspaceLabels) {
        labels = std::make_unique<LabelsFile>(o.db);
        data.push_back({labels->path(), ""});
    }
    result.dataset = loadRewardData(data, o.aspects, workspace);
    labels.reset();
    if (o.workspaceLabels)
        result.dataset.files.back().path = o.db + " (labels)";
    for (const auto &w : result.dataset.warnings)
        say("warning: " + w);
    for (const auto &f : result.dataset.files)
        say(f.path + ": " + f.layout + ", " + std::to_string(f.records) + " records"
            + (f.skipped ? ", " + std::to_string(f.skipped) + " skipped" : std::string()));

    RuntimeOptions ro;
    ro.device = o.device;
    ro.threads = static_cast<int>(o.threads);
    const Runtime rt = applyRuntime(ro);
    CausalLM::LoadOptions lo;
    lo.device = rt.device;
    lo.dtype = rt.dtype;
    say("loading " + o.base);
    auto backbone = CausalLM::load(o.base, lo);
    Tokenizer tokenizer = Tokenizer::load(o.base);
    std::shared_ptr<RewardModel> model(
        RewardModel::create(std::move(backbone), std::move(tokenizer), result.dataset.schema, o.seed, o.ensembleSize));

    RewardTrainOptions to;
    to.backboneMode = o.useLora ? "lora" : "full";
    to.lora.r = o.loraR;
    to.lora.alpha = o.loraAlpha;
    to.lora.baseModelPath = fs::absolute(o.base).lexically_normal().string();
    to.learningRate = o.learningRate;
    to.headLearningRate = o.headLearningRate;
    to.epochs = o.epochs;
    to.batchSize = o.batchSize;
    to.maxLength = o.maxLength;
    to.validationFraction = o.validationFraction;
    to.seed = o.seed;
    say("training on " + std::to_string(result.dataset.examples.size()) + " scored examples and "
        + std::to_string(result.dataset.pairs.size()) + " preference pairs");
    const RewardTrainReport report = trainRewardModel(
        *model, result.dataset.examples, result.dataset.pairs, to,
        [&](std::int64_t epoch, std::int64_t batch, std::int64_t batches, double loss) {
            if (progress)
                progress(epoch, to.epochs, batch, batches, loss);
        },
        shouldStop);
    result.dataset.examples.clear();
    result.dataset.pairs.clear();
    result.trainLoss = report.trainLoss;
    result.validationLoss = report.validationLoss;
    result.bestEpoch = report.bestEpoch;
    result.trainExamples = report.trainExamples;
    result.trainPairs = report.trainPairs;
    result.validationExamples = report.validationExamples;
    result.validationPairs = report.validationPairs;
    if (report.cancelled) {
        result.cancelled = true;
        return result;
    }
    result.metrics = rewardModelMetricsJson(*model);

    std::string note = "trained from";
    for (const auto &f : result.dataset.files)
        note += " " + fs::path(f.path).filename().string() + " (" + f.layout + ")";
    note += " on " + fs::absolute(o.base).lexically_normal().string();
    if (outFolder) {
        model->save(outFolder->staging());
        outFolder->commit();
        result.path = outFolder->path();
    } else {
        Store store = Store::open(o.db);
        const auto versions = store.rewardModels();
        const std::int64_t next = versions.empty() ? 1 : versions.back().version + 1;
        AtomicFolder folder(newRewardModelFolder(o.db, next));
        model->save(folder.staging());
        folder.commit();
        result.path = folder.path();
        nlohmann::json stored = result.metrics;
        stored["train_loss"] = report.trainLoss;
        stored["validation_loss"] = report.validationLoss;
        result.version = store.registerRewardModel(result.path, model->info().labelCount, stored, note);
    }
    result.model = std::move(model);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

} // namespace awb
