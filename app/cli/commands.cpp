#include "dist/dist_env.h"
#include "cli/commands.h"

#include "cli/cmd_reward.h"
#include "awb_version.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iomanip>
#include <memory>
#include <ostream>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::string shapeText(const std::vector<std::int64_t> &shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

void registerInfo(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("info", "Print the version, LibTorch build, device and thread count");
    auto options = std::make_shared<RuntimeOptions>();
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--threads", options->threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->callback([&ctx, options] {
        ctx.action = [&ctx, options] {
            const Runtime rt = applyRuntime(*options);
            nlohmann::json j = {
                {"version", kVersion},
                {"torch_version", torchVersion()},
                {"torch_cuda", torchHasCuda()},
                {"device", rt.device.str()},
                {"dtype", std::string(c10::toString(rt.dtype))},
                {"threads", rt.threads},
                {"cores", availableCores()},
            };
            // Where this process stands in a data-parallel job (torchrun's or srun's environment).
            const DistEnv env = detectDistEnv();
            j["rank"] = env.rank;
            j["world_size"] = env.worldSize;
            j["local_rank"] = env.localRank;
            j["launcher"] = env.launcher;
            j["backend"] = env.distributed() ? distBackends() : std::string("none");
            j["backends_available"] = distBackends();
            if (env.distributed())
                j["master"] = env.masterAddr + ":" + std::to_string(env.masterPort);
            ctx.out << j.dump() << "\n";
            return 0;
        };
    });
}

void registerInspect(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("inspect",
                                   "List the tensors of a safetensors file or model folder (and its config.json)");
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "A .safetensors file, a model.safetensors.index.json, or a model folder")
        ->required();
    cmd->add_flag("--json", *json, "Print one JSON object instead of a table");
    cmd->callback([&ctx, path, json] {
        ctx.action = [&ctx, path, json] {
            const Checkpoint cp = Checkpoint::open(*path);
            std::optional<ModelConfig> config;
            std::error_code ec;
            if (fs::is_directory(*path, ec) && fs::exists(fs::path(*path) / "config.json"))
                config = loadModelConfig(*path);

            std::uint64_t totalBytes = 0;
            std::int64_t totalParams = 0;
            nlohmann::json tensors = nlohmann::json::array();
            for (const auto &name : cp.names()) {
                const auto &e = cp.entry(name);
                totalBytes += e.byteSize();
                totalParams += e.numel();
                tensors.push_back({{"name", name}, {"dtype", dtypeName(e.dtype)}, {"shape", e.shape},
                                   {"bytes", e.byteSize()}});
            }
            if (*json) {
                nlohmann::json j = {{"files", cp.files()}, {"metadata", cp.metadata()},
                                    {"tensors", tensors}, {"parameters", totalParams}, {"bytes", totalBytes}};
                if (config)
                    j["config"] = modelConfigToJson(*config);
                ctx.out << j.dump() << "\n";
                return 0;
            }
            for (const auto &f : cp.files())
                ctx.out << "file: " << f << "\n";
            if (config)
                ctx.out << "config: " << architectureName(config->architecture) << ", " << config->numLayers
                        << " layers, hidden " << config->hiddenSize << ", " << config->numHeads << " heads ("
                        << config->numKvHeads << " KV), vocab " << config->vocabSize << "\n";
            for (const auto &t : tensors)
                ctx.out << std::left << std::setw(48) << t["name"].get<std::string>() << " " << std::setw(5)
                        << t["dtype"].get<std::string>() << " " << shapeText(t["shape"].get<std::vector<std::int64_t>>())
                        << "\n";
            ctx.out << cp.names().size() << " tensors, " << totalParams << " parameters, " << totalBytes
                    << " bytes\n";
            return 0;
        };
    });
}

} // namespace

void requireWorkspace(const std::string &db)
{
    std::error_code ec;
    if (!fs::is_regular_file(db, ec))
        throw IoError(db + ": no such workspace (--db)");
}

void registerCommands(CLI::App &app, CommandContext &ctx)
{
    registerInfo(app, ctx);
    registerInspect(app, ctx);
    registerTextCommands(app, ctx);
    registerModelCommands(app, ctx);
    registerTrainCommands(app, ctx);
    registerCompareCommands(app, ctx);
    registerActiveLearningCommands(app, ctx);
    registerLabelCommands(app, ctx);
    registerExportCommands(app, ctx);
    registerSteerCommands(app, ctx);
    registerLabellingCommands(app, ctx);
    registerModelInitCommands(app, ctx);
}

} // namespace awb
