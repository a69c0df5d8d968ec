#include "reward/reward_exchange.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "reward/reward_model.h"
#include "store/store.h"
#include "util/error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::string joined(const std::vector<std::string> &names)
{
    std::string s;
    for (const auto &n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

// Loads a reward model with its LoRA adapters folded in, so a save() of it is
// self-contained.
std::unique_ptr<RewardModel> loadSelfContained(const std::string &dir, RewardModelTransfer &t)
{
    auto model = RewardModel::load(dir);
    t.aspects = model->aspects().names();
    t.labelCount = model->info().labelCount;
    CausalLM &backbone = model->backbone();
    t.lora = backbone.hasLora() && !backbone.loraMerged();
    if (t.lora)
        backbone.mergeLora();
    return model;
}

} // namespace

std::string newRewardModelFolder(const std::string &db, std::int64_t version)
{
    const fs::path root = fs::path(db + ".reward-models");
    fs::path dir = root / ("v" + std::to_string(version));
    for (int k = 2; fs::exists(dir); ++k)
        dir = root / ("v" + std::to_string(version) + "-" + std::to_string(k));
    return fs::absolute(dir).lexically_normal().string();
}

RewardModelTransfer exportRewardModel(const std::string &modelDir, const std::string &outDir)
{
    RewardModelTransfer t;
    AtomicFolder out(outDir);   // refuses a non-empty folder before any work
    auto model = loadSelfContained(modelDir, t);
    model->save(out.staging());
    out.commit();
    t.path = out.path();
    return t;
}

RewardModelTransfer importRewardModel(const std::string &db, const std::string &modelDir)
{
    RewardModelTransfer t;
    auto model = loadSelfContained(modelDir, t);
    Store store = Store::open(db);
    const auto versions = store.rewardModels();
    if (!versions.empty()) {
        const std::string aspectsPath = (fs::path(versions.back().path) / "aspects.json").string();
        std::error_code ec;
        if (fs::is_regular_file(aspectsPath, ec)) {
            const auto current = AspectSchema::fromJson(readJsonFile(aspectsPath), aspectsPath).names();
            if (current != t.aspects)
                throw FormatError(modelDir + ": its aspects (" + joined(t.aspects) + ") differ from those of the "
                                  "workspace's reward model v" + std::to_string(versions.back().version) + " ("
                                  + joined(current) + ", " + aspectsPath + "); nothing was imported");
        }
    }
    const std::int64_t next = versions.empty() ? 1 : versions.back().version + 1;
    AtomicFolder out(newRewardModelFolder(db, next));
    model->save(out.staging());
    out.commit();
    t.path = out.path();
    t.version = store.registerRewardModel(t.path, t.labelCount, rewardModelMetricsJson(*model),
                                          "imported from " + fs::absolute(modelDir).lexically_normal().string());
    return t;
}

} // namespace awb
