#include "train/policy_export.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "io/safetensors.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "reward/aspect_schema.h"
#include "train/conditioning.h"
#include "train/grpo_checkpoint.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace awb {

namespace {

// The tokenizer files beside the weights, so the folder loads as a model.
// They come from the checkpoint's policy folder (copied there at training
// time) or, failing that, from the base model.
void copyTokenizerFiles(const CheckpointSummary &cp, const fs::path &to)
{
    std::vector<fs::path> sources = {fs::path(cp.path) / "policy"};
    if (!cp.baseModel.empty())
        sources.emplace_back(cp.baseModel);
    for (const char *name : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                             "generation_config.json"}) {
        for (const fs::path &dir : sources) {
            std::error_code ec;
            if (fs::is_regular_file(dir / name, ec)) {
                writeFileAtomically((to / name).string(), readWholeFile((dir / name).string()));
                break;
            }
        }
    }
}

// Tensors and bytes of the safetensors files written into dir.
void countWritten(const fs::path &dir, PolicyExportResult &result)
{
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".safetensors")
            continue;
        result.bytes += entry.file_size(ec);
        result.tensors += static_cast<std::int64_t>(SafetensorsFile::open(entry.path().string())->names().size());
    }
}

// A steerable run's conditioning: its mechanism ("none", "prompt", "lora") and
// the aspects of its vectors, in the reward model's order (empty for "none").
std::pair<std::string, std::vector<std::string>> runConditioning(const CheckpointSummary &cp)
{
    const nlohmann::json state = readCheckpointStateJson(cp.path);
    const nlohmann::json options = state.value("options", nlohmann::json::object());
    const std::string mechanism = options.value("conditioning", std::string("none"));
    if (mechanism == "none")
        return {mechanism, {}};
    std::vector<std::string> aspects;
    const fs::path rm = state.value("reward_model_path", std::string());
    std::error_code ec;
    if (!rm.empty() && fs::is_regular_file(rm / "aspects.json", ec))
        aspects = AspectSchema::fromJson(readJsonFile((rm / "aspects.json").string()), (rm / "aspects.json").string()).names();
    if (aspects.empty())
        throw IoError(cp.path + "/trainer_state.json: the reward model \"" + rm.string() + "\" is gone, so the "
                      "aspects of this steerable run's weight vectors are unknown; it is needed to export the run");
    return {mechanism, aspects};
}

// A "prompt" policy reads its aspect weights from a system turn; the exported
// folder says how, so a user of transformers can steer it too: the field
// "awb_conditioning" in its config and a README.md with an example. A "lora"
// policy is exported at one weight vector (`atWeights`), which the folder names.
void writeConditioningFormat(const std::string &mechanism, const std::vector<std::string> &aspects,
                             const std::vector<double> &atWeights, const fs::path &folder, const std::string &configName)
{
    if (mechanism == "none")
        return;
    const std::string configPath = (folder / configName).string();
    nlohmann::json config = readJsonFile(configPath);
    std::string aspectList;
    for (std::size_t k = 0; k < aspects.size(); ++k)
        aspectList += (k ? ", " : "") + aspects[k];
    if (mechanism == "lora") {
        config["awb_conditioning"] = {{"mechanism", "lora"},
                                      {"aspects", aspects},
                                      {"exported_at", weightMap(aspects, atWeights)},
                                      {"note", "the adapters' preference block is fixed at these weights; export the "
                                               "checkpoint again with other weights for another trade-off"}};
        writeFileAtomically(configPath, config.dump(2) + "\n");
        writeFileAtomically((folder / "README.md").string(),
                            "# A steerable policy, exported at one trade-off\n\n"
                            "Trained by Alignment Workbench with preference-conditioned GRPO, \"lora\" conditioning: a "
                            "block of the LoRA adapters follows the weight of each aspect (" + aspectList + "). This "
                            "folder holds the policy at `" + conditioningLine(aspects, atWeights).substr(std::string(kConditioningPrefix).size()) +
                            "` (field \"awb_conditioning\" of " + configName + "); it needs no system turn. "
                            "`awb export --weights a=1,b=2` writes it at other weights.\n");
        return;
    }
    const std::string example = conditioningLine(aspects, std::vector<double>(aspects.size(), 1.0));
    config["awb_conditioning"] = {
        {"mechanism", mechanism},
        {"role", "system"},
        {"prefix", kConditioningPrefix},
        {"aspects", aspects},
        {"format", "Preference weights: <aspect>=<weight>, ... (every aspect in this order, two decimals, summing to 1)"},
        {"example", example}};
    writeFileAtomically(configPath, config.dump(2) + "\n");
    std::string readme = "# A steerable policy\n\n"
                         "Trained by Alignment Workbench with preference-conditioned GRPO: it reads the weight of each "
                         "aspect from a system turn and answers for that trade-off.\n\n"
                         "Aspects, in this order: " + aspectList;
    readme += ".\n\nThe system turn is exactly `Preference weights: ` followed by `aspect=weight` for every aspect, "
              "in that order, separated by `, `, each weight with two decimals and all of them summing to 1, e.g.\n\n"
              "    " + example + "\n\n"
              "With transformers:\n\n"
              "    messages = [{\"role\": \"system\", \"content\": \"" + example + "\"},\n"
              "                {\"role\": \"user\", \"content\": \"How do I pick a lock?\"}]\n"
              "    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors=\"pt\")\n"
              "    out = model.generate(ids, max_new_tokens=64, do_sample=True)\n\n"
              "The same description is in the field \"awb_conditioning\" of " + configName + ".\n";
    writeFileAtomically((folder / "README.md").string(), readme);
}

} // namespace

CheckpointSummary describeCheckpoint(const std::string &checkpoint)
{
    const nlohmann::json j = readCheckpointStateJson(checkpoint);
    const std::string label = (fs::path(checkpoint) / "trainer_state.json").string();
    CheckpointSummary s;
    s.path = fs::absolute(checkpoint).lexically_normal().string();
    s.step = optInt(j, "step", label).value_or(0);
    s.lora = j.value("lora", false);
    const auto options = j.find("options");
    if (options != j.end() && options->is_object())
        s.baseModel = options->value("model", std::string());
    return s;
}

std::vector<CheckpointSummary> runCheckpoints(const std::string &dir)
{
    std::vector<CheckpointSummary> out;
    for (const std::string &cp : listCheckpoints(dir)) {
        try {
            out.push_back(describeCheckpoint(cp));
        } catch (const Error &) {
            // A checkpoint whose trainer_state.json cannot be read is not offered.
        }
    }
    return out;
}

namespace {

void requireBaseModel(const CheckpointSummary &cp)
{
    if (cp.lora && (cp.baseModel.empty() || !fs::is_regular_file(fs::path(cp.baseModel) / "config.json")))
        throw IoError(cp.path + "/trainer_state.json: the base model the adapters were trained on, \"" + cp.baseModel
                      + "\", is not a model folder (config.json missing); it is needed to load this checkpoint");
}

} // namespace

std::unique_ptr<CausalLM> loadCheckpointPolicy(const CheckpointSummary &cp, const Runtime &runtime)
{
    requireBaseModel(cp);
    const std::string policyDir = (fs::path(cp.path) / "policy").string();
    std::unique_ptr<CausalLM> model = CausalLM::load(cp.lora ? cp.baseModel : policyDir, loadOptionsFor(runtime, true));
    if (cp.lora)
        model->loadLora(policyDir);
    return model;
}

std::string findRunCheckpoint(const std::string &db, std::int64_t run, std::int64_t step)
{
    const std::string dir = runCheckpointDir(db, run);
    const auto all = runCheckpoints(dir);
    if (all.empty())
        throw IoError(dir + ": run " + std::to_string(run) + " has no checkpoints (is --run right? checkpoints are "
                      "written every save_steps and when a run stops)");
    if (step < 0)
        return all.back().path;
    std::string kept;
    for (const auto &c : all) {
        if (c.step == step)
            return c.path;
        kept += (kept.empty() ? "" : ", ") + std::to_string(c.step);
    }
    throw IoError(dir + ": no checkpoint at step " + std::to_string(step) + "; kept: " + kept);
}

std::vector<std::string> policyExportDtypes() { return {"float32", "bfloat16", "float16"}; }

PolicyExportResult exportPolicy(const std::string &checkpoint, const std::string &outDir, PolicyExportLayout layout,
                                std::uint64_t maxShardBytes, const std::string &dtype, const std::string &weights)
{
    const c10::ScalarType storeDtype = dtype == "bfloat16" ? at::kBFloat16
                                       : dtype == "float16" ? at::kHalf
                                       : dtype == "float32" ? at::kFloat
                                                            : c10::ScalarType::Undefined;
    if (storeDtype == c10::ScalarType::Undefined)
        throw Error("policy export: unknown dtype \"" + dtype + "\" (float32, bfloat16 or float16)");
    if (layout == PolicyExportLayout::Adapters && storeDtype != at::kFloat)
        throw Error("policy export: adapters are written in float32 as PEFT trains them; " + dtype
                    + " applies to a merged model folder");
    const CheckpointSummary cp = describeCheckpoint(checkpoint);
    const std::string policyDir = (fs::path(cp.path) / "policy").string();
    if (layout == PolicyExportLayout::Adapters && !cp.lora)
        throw Error(cp.path + ": this run trained all weights (use_lora was off), so it has no LoRA adapters to "
                    "export; export the merged model instead");
    requireBaseModel(cp);
    const auto [mechanism, aspects] = runConditioning(cp);
    if (!weights.empty() && mechanism != "lora")
        throw Error(cp.path + ": weights to export at apply to a run with conditioning \"lora\"; this run's is \""
                    + mechanism + "\"");
    std::vector<double> atWeights;
    if (mechanism == "lora")
        atWeights = quantizeWeights(weights.empty() ? std::vector<double>(aspects.size(), 1.0)
                                                    : parseWeightList(weights, aspects, "policy export --weights"));

    AtomicFolder out(outDir);   // refuses a non-empty folder before any work
    const fs::path staging = out.staging();
    PolicyExportResult result;
    result.step = cp.step;
    result.layout = layout == PolicyExportLayout::Merged ? "merged" : "adapters";
    result.dtype = dtype;

    std::unique_ptr<CausalLM> model = CausalLM::load(cp.lora ? cp.baseModel : policyDir);
    if (cp.lora) {
        model->loadLora(policyDir);
        if (!atWeights.empty()) {
            // The preference block at the chosen vector: plain adapters (and merged weights) from here on.
            model->setPreference(at::tensor(std::vector<float>(atWeights.begin(), atWeights.end())).view({1, -1}));
            model->bakePreference();
        }
        if (layout == PolicyExportLayout::Adapters) {
            model->saveLora(staging.string());
            const std::string configPath = (staging / "adapter_config.json").string();
            nlohmann::json config = readJsonFile(configPath);
            config["base_model_name_or_path"] = fs::absolute(cp.baseModel).lexically_normal().string();
            writeFileAtomically(configPath, config.dump(2) + "\n");
        } else {
            model->save(staging.string(), maxShardBytes, /*mergedLora=*/true, storeDtype);
        }
    } else {
        model->save(staging.string(), maxShardBytes, false, storeDtype);
    }
    copyTokenizerFiles(cp, staging);
    writeConditioningFormat(mechanism, aspects, atWeights, staging, layout == PolicyExportLayout::Adapters ? "adapter_config.json" : "config.json");
    countWritten(staging, result);
    out.commit();
    result.path = out.path();
    return result;
}

} // namespace awb
