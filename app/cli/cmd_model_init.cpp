// awb model init: a randomly initialised Hugging Face model folder of a named
// shape (core/io/model_shapes.h) or of a given config.json, with a tokenizer
// copied in; for tests, benchmarks and pretraining from scratch.
#include "cli/commands.h"

#include "io/atomic_file.h"
#include "io/model_config.h"
#include "io/model_shapes.h"
#include "model/causal_lm.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace awb {

namespace {

struct InitArgs
{
    std::string config;      // a config.json path or a shape name
    std::string tokenizer;   // a tokenizer.json or a folder holding one
    std::string out;
    std::uint64_t seed = 0;
    std::string dtype;       // empty: the config's torch_dtype, float32 when it has none
};

// The configuration to create, and how the JSON line names where it came from.
struct ChosenConfig
{
    ModelConfig config;
    std::string key;     // "shape" or "config"
    std::string value;   // the shape's name or the file's path
};

std::string lowerCase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A known shape name wins over a file of that name (write ./name for the file).
ChosenConfig chooseConfig(const std::string &arg)
{
    const auto names = modelShapeNames();
    const std::string name = lowerCase(arg);
    if (std::find(names.begin(), names.end(), name) != names.end())
        return {parseModelConfig(modelShapeConfig(name), "shape " + name), "shape", name};
    std::error_code ec;
    if (fs::exists(arg, ec))
        return {loadModelConfig(arg), "config", fs::absolute(arg).lexically_normal().string()};
    if (arg.find('/') != std::string::npos || fs::path(arg).extension() == ".json")
        throw IoError(arg + ": no such config file (--config)");
    try {
        modelShapeConfig(arg);   // throws, listing the known shapes
    } catch (const Error &e) {
        throw Error(std::string("--config: ") + e.what() + "; or name a config.json file");
    }
    return {};
}

struct StoreDtype
{
    std::string name;
    c10::ScalarType type;
};

StoreDtype chooseDtype(const std::string &flag, const ChosenConfig &chosen)
{
    const std::string name = !flag.empty() ? flag
                             : !chosen.config.torchDtype.empty() ? chosen.config.torchDtype
                                                                 : std::string("float32");
    if (name == "float32")
        return {name, c10::kFloat};
    if (name == "bfloat16")
        return {name, c10::kBFloat16};
    if (name == "float16")
        return {name, c10::kHalf};
    throw Error(chosen.value + ": torch_dtype \"" + name
                + "\" cannot be stored; name float32, bfloat16 or float16 with --dtype");
}

// The tokenizer's files: tokenizer.json under that name whatever the source
// file is called, and the files Hugging Face keeps beside it when present.
struct TokenizerFiles
{
    fs::path tokenizerJson;
    fs::path folder;
};

TokenizerFiles findTokenizer(const std::string &path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (!fs::is_regular_file(fs::path(path) / "tokenizer.json", ec))
            throw IoError(path + ": the folder holds no tokenizer.json (--tokenizer)");
        return {fs::path(path) / "tokenizer.json", fs::path(path)};
    }
    if (!fs::is_regular_file(path, ec))
        throw IoError(path + ": no such tokenizer file or folder (--tokenizer)");
    return {fs::path(path), fs::path(path).parent_path()};
}

void checkTokenizerFits(const TokenizerFiles &files, const ChosenConfig &chosen)
{
    const std::int64_t tokens = Tokenizer::load(files.tokenizerJson.string()).vocabSize();
    if (tokens > chosen.config.vocabSize)
        throw Error(files.tokenizerJson.string() + ": the tokenizer has " + std::to_string(tokens)
                    + " tokens, more than the " + std::to_string(chosen.config.vocabSize) + " of vocab_size in "
                    + chosen.key + " " + chosen.value + "; the model could not embed the larger ids");
}

void copyTokenizer(const TokenizerFiles &files, const fs::path &to, const ModelConfig &config)
{
    writeFileAtomically((to / "tokenizer.json").string(), readWholeFile(files.tokenizerJson.string()));
    bool haveConfig = false;
    for (const char *name : {"tokenizer_config.json", "special_tokens_map.json", "generation_config.json"}) {
        std::error_code ec;
        if (!fs::is_regular_file(files.folder / name, ec))
            continue;
        writeFileAtomically((to / name).string(), readWholeFile((files.folder / name).string()));
        haveConfig = haveConfig || std::string(name) == "tokenizer_config.json";
    }
    if (!haveConfig) {
        // transformers then loads tokenizer.json as it is, with no model-specific class adding tokens.
        const nlohmann::json j = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                                  {"model_max_length", config.maxPositionEmbeddings}};
        writeFileAtomically((to / "tokenizer_config.json").string(), j.dump(2) + "\n");
    }
}

// About how many weights the config describes (the memory check needs no more).
double approximateParameters(const ModelConfig &c)
{
    const double h = static_cast<double>(c.hiddenSize);
    const double attention = h * static_cast<double>((c.numHeads + 2 * c.numKvHeads) * c.headDim)
                             + static_cast<double>(c.numHeads * c.headDim) * h;
    const double mlp = (c.architecture == Architecture::Gpt2 ? 2.0 : 3.0) * h * static_cast<double>(c.intermediateSize);
    const double embeddings = static_cast<double>(c.vocabSize) * h * (c.tieWordEmbeddings ? 1.0 : 2.0);
    return embeddings + static_cast<double>(c.numLayers) * (attention + mlp);
}

// MemAvailable of /proc/meminfo in bytes; 0 when unknown (not Linux).
double availableMemory()
{
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string key;
        double kb = 0;
        if (fields >> key >> kb && key == "MemAvailable:")
            return kb * 1024.0;
    }
    return 0;
}

// The weights are created in the stored dtype, so the peak is the model in
// that dtype plus one float32 tensor (each is drawn in float32, then converted).
// Refuses up front what would end in the out-of-memory killer.
void checkMemory(const ModelConfig &c, const StoreDtype &dtype)
{
    const double params = approximateParameters(c);
    const double largest = static_cast<double>(c.vocabSize) * static_cast<double>(c.hiddenSize);
    const double needed = params * static_cast<double>(c10::elementSize(dtype.type)) + largest * 4.0;
    const double available = availableMemory();
    if (available <= 0 || needed <= available)
        return;
    std::ostringstream msg;
    msg.precision(3);
    msg << "model init: " << params / 1e9 << "e9 parameters in " << dtype.name << " need about " << needed / 1e9
        << " GB of memory, and " << available / 1e9 << " GB are available";
    if (dtype.type == c10::kFloat)
        msg << "; --dtype bfloat16 needs half as much";
    throw Error(msg.str());
}

std::uint64_t weightBytes(const fs::path &dir)
{
    std::uint64_t bytes = 0;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".safetensors")
            bytes += entry.file_size(ec);
    return bytes;
}

nlohmann::json initModel(const InitArgs &a)
{
    const ChosenConfig chosen = chooseConfig(a.config);
    const StoreDtype dtype = chooseDtype(a.dtype, chosen);
    const TokenizerFiles tokenizer = findTokenizer(a.tokenizer);
    checkTokenizerFits(tokenizer, chosen);
    AtomicFolder out(a.out);   // refuses a non-empty folder before any work
    checkMemory(chosen.config, dtype);

    CausalLM::LoadOptions options;
    options.dtype = dtype.type;
    std::unique_ptr<CausalLM> model = CausalLM::create(chosen.config, a.seed, options);
    model->save(out.staging(), 0, true, dtype.type);
    const std::int64_t parameters = model->parameterCount();
    model.reset();
    copyTokenizer(tokenizer, out.staging(), chosen.config);
    const std::uint64_t bytes = weightBytes(out.staging());
    out.commit();
    return {{"path", out.path()}, {"parameters", parameters}, {"bytes", bytes}, {"dtype", dtype.name},
            {chosen.key, chosen.value}};
}

std::string shapeList()
{
    std::string s;
    for (const auto &n : modelShapeNames())
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

} // namespace

CLI::App *modelCommandGroup(CLI::App &app)
{
    for (CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; }))
        if (sub->get_name() == "model")
            return sub;
    CLI::App *model = app.add_subcommand("model", "Model folders: create one from a shape");
    model->require_subcommand(1);
    return model;
}

void registerModelInitCommands(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = modelCommandGroup(app)->add_subcommand(
        "init", "Write a randomly initialised Hugging Face model folder (config.json, model.safetensors, tokenizer)");
    auto a = std::make_shared<InitArgs>();
    cmd->add_option("--config", a->config, "A config.json file, or a named shape: " + shapeList())->required();
    cmd->add_option("--tokenizer", a->tokenizer,
                    "A tokenizer.json, or a folder holding it (tokenizer_config.json, special_tokens_map.json and "
                    "generation_config.json beside it are copied too)")
        ->required();
    cmd->add_option("--out", a->out, "New (or empty) folder to write")->required();
    cmd->add_option("--seed", a->seed, "Seed of the initial weights")->capture_default_str();
    cmd->add_option("--dtype", a->dtype, "Stored weights: float32, bfloat16 or float16; default: the config's torch_dtype "
                                         "(float32 when it has none)")
        ->check(CLI::IsMember({"float32", "bfloat16", "float16"}));
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            ctx.out << initModel(*a).dump() << "\n";
            return 0;
        };
    });
}

} // namespace awb
