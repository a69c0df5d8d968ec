// awb logits | generate | bench: the model runtime from the command line.
#include "cli/commands.h"

#include "cli/grpo_bench.h"
#include "cli/model_bench.h"
#include "io/atomic_file.h"
#include "model/causal_lm.h"
#include "model/sampler.h"
#include "text/tokenizer.h"
#include "train/grpo_batch.h"
#include "util/error.h"
#include "util/runtime.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>
#include <sstream>

namespace awb {

namespace {

// --device, --dtype, --threads on every model command.
void addRuntimeOptions(CLI::App *cmd, RuntimeOptions &options)
{
    cmd->add_option("--device", options.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--dtype", options.dtype, "auto (fp32 on CPU, bf16 on CUDA), float32, bfloat16, float16")
        ->capture_default_str();
    cmd->add_option("--threads", options.threads, "Intra-op threads, 0 for all cores")->capture_default_str();
    cmd->add_option("--frozen-base", options.frozenBase,
                    "stored: keep bfloat16-stored weights in bfloat16 (half the memory), float32: convert at load")
        ->capture_default_str();
}

// Inference only: the base stays frozen, so it may keep its stored dtype.
std::unique_ptr<CausalLM> loadModel(const std::string &dir, const Runtime &rt)
{
    return CausalLM::load(dir, loadOptionsFor(rt, true));
}

std::vector<std::int64_t> parseIds(const std::string &text)
{
    std::vector<std::int64_t> ids;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            std::size_t used = 0;
            ids.push_back(std::stoll(item, &used));
            if (used != item.size())
                throw std::invalid_argument(item);
        } catch (const std::exception &) {
            throw Error("--ids: \"" + item + "\" is not an integer");
        }
    }
    if (ids.empty())
        throw Error("--ids: no token ids given");
    return ids;
}

void registerLogits(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("logits", "Write the logits of a token sequence as float32 [T, vocab]");
    struct Args
    {
        std::string model, ids, out;
        RuntimeOptions runtime;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--model", a->model, "Model folder (config.json + safetensors)")->required();
    cmd->add_option("--ids", a->ids, "Comma-separated token ids, e.g. 1,2,3")->required();
    cmd->add_option("--out", a->out, "Output file: little-endian float32, row-major [T, vocab]")->required();
    addRuntimeOptions(cmd, a->runtime);
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            const Runtime rt = applyRuntime(a->runtime);
            const auto ids = parseIds(a->ids);
            auto model = loadModel(a->model, rt);
            at::NoGradGuard noGrad;
            const auto T = static_cast<std::int64_t>(ids.size());
            const at::Tensor idT = at::tensor(ids, at::kLong).view({1, T});
            const at::Tensor pos = at::arange(T, at::kLong).view({1, T});
            const at::Tensor logits = model->logits(model->forward(idT, pos)).squeeze(0).to(at::kCPU).contiguous();
            AtomicFileWriter writer(a->out);
            writer.write(logits.data_ptr<float>(), static_cast<std::size_t>(logits.numel()) * sizeof(float));
            writer.commit();
            ctx.err << "wrote [" << T << ", " << logits.size(1) << "] float32 logits to " << a->out << "\n";
            return 0;
        };
    });
}

void registerGenerate(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("generate", "Sample a completion of a prompt");
    struct Args
    {
        std::string model, prompt;
        bool chat = false, json = false;
        SamplingOptions sampling;
        RuntimeOptions runtime;
    };
    auto a = std::make_shared<Args>();
    a->sampling.maxNewTokens = 64;
    cmd->add_option("--model", a->model, "Model folder (config.json + safetensors + tokenizer.json)")->required();
    cmd->add_option("--prompt", a->prompt, "Prompt text")->required();
    cmd->add_option("--max-new-tokens", a->sampling.maxNewTokens, "Tokens to generate at most")->capture_default_str();
    cmd->add_option("--seed", a->sampling.seed, "Random seed")->capture_default_str();
    cmd->add_option("--temperature", a->sampling.temperature, "Sampling temperature")->capture_default_str();
    cmd->add_option("--top-p", a->sampling.topP, "Nucleus sampling mass")->capture_default_str();
    cmd->add_option("--top-k", a->sampling.topK, "Keep the k most likely tokens (0: all)")->capture_default_str();
    cmd->add_option("--num-samples", a->sampling.numSamples, "Completions of the prompt")->capture_default_str();
    cmd->add_option("--stop", a->sampling.stopStrings, "Stop when the completion contains this text (repeatable)");
    cmd->add_flag("--greedy", a->sampling.greedy, "Always take the most likely token");
    cmd->add_flag("--chat", a->chat, "Wrap the prompt in the model's chat template as a user turn");
    cmd->add_flag("--json", a->json, "One JSON object per completion (text, tokens, logprobs, finish)");
    addRuntimeOptions(cmd, a->runtime);
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            const Runtime rt = applyRuntime(a->runtime);
            const Tokenizer tokenizer = Tokenizer::load(a->model);
            auto model = loadModel(a->model, rt);
            const std::string text =
                a->chat ? tokenizer.applyChatTemplate({{"user", a->prompt}}, /*addGenerationPrompt=*/true) : a->prompt;
            // A chat template already holds the model's special tokens; a plain
            // prompt gets the BOS token when the tokenizer adds one.
            const auto prompt = tokenizer.encode(text, /*addSpecialTokens=*/!a->chat);
            if (prompt.empty())
                throw Error("--prompt: the prompt encodes to no tokens");
            SamplingOptions o = a->sampling;
            // EOS of the config and tokenizer, and the chat template's end of turn.
            limitToTokenizer(*model, tokenizer, a->model);
            for (auto id : endOfTurnIds(tokenizer, model->config(), loadGenerationEosIds(a->model)))
                o.eosTokenIds.push_back(id);
            if (tokenizer.padId())
                o.padTokenId = *tokenizer.padId();
            const auto decode = [&tokenizer](const std::vector<std::int32_t> &ids) { return tokenizer.decode(ids); };
            const GenerationResult r = generate(*model, {prompt}, o, decode);
            for (const auto &s : r.sequences) {
                const std::string completion = tokenizer.decode(s.tokens, /*skipSpecialTokens=*/true);
                if (a->json) {
                    nlohmann::json j = {{"text", completion}, {"tokens", s.tokens}, {"logprobs", s.logprobs},
                                        {"finish", finishReasonName(s.finish)}};
                    ctx.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
                } else {
                    ctx.out << completion << "\n";
                }
            }
            ctx.err << r.generatedTokens << " tokens in " << r.decodeSeconds + r.prefillSeconds << " s\n";
            return 0;
        };
    });
}

void registerBench(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("bench", "Measure prefill, decode and training throughput");
    struct Args
    {
        std::string model;
        bool json = false;
        ModelBenchOptions bench;
        GrpoBenchOptions grpo;
        std::vector<std::string> grpoOptions;
        RuntimeOptions runtime;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--model", a->model,
                    "Model folder; without it a random model of SmolLM2-135M's shape (hidden 576, 30 layers, "
                    "9 heads, 3 KV heads) is built in memory");
    cmd->add_flag("--json", a->json, "Print one JSON object");
    cmd->add_option("--new-tokens", a->bench.newTokens, "Tokens per decode measurement")->capture_default_str();
    cmd->add_option("--batch", a->bench.batch, "Sequences in the batched decode measurement")->capture_default_str();
    cmd->add_option("--prompt-tokens", a->bench.promptTokens, "Prompt length for prefill and training")
        ->capture_default_str();
    cmd->add_option("--phases", a->bench.phases,
                    "Comma-separated subset of prefill,decode1,decode,train; or grpo alone: whole GRPO steps on "
                    "--model, per phase")
        ->capture_default_str();
    cmd->add_option("--reward-model", a->grpo.rewardModel, "grpo: the reward model (default: the demo's)");
    cmd->add_option("--prompts", a->grpo.prompts, "grpo: the prompt file (default: the demo's prompts)");
    cmd->add_option("--prompts-per-step", a->grpo.promptsPerStep, "grpo: prompts per step (B)")->capture_default_str();
    cmd->add_option("--num-generations", a->grpo.numGenerations, "grpo: completions per prompt (G)")
        ->capture_default_str();
    cmd->add_option("--mini-batch-size", a->grpo.miniBatchSize, "grpo: completions per training pass")
        ->capture_default_str();
    cmd->add_option("--grpo-steps", a->grpo.steps, "grpo: steps; the figures are the last one's")->capture_default_str();
    cmd->add_option("--use-lora", a->grpo.useLora, "grpo: LoRA (true) or full fine-tuning (false)")
        ->capture_default_str();
    cmd->add_option("--grpo-option", a->grpoOptions,
                    "grpo: any other knob of the run as KEY=VALUE with TRL's names, e.g. share_prompt_prefix=false "
                    "(repeatable)");
    addRuntimeOptions(cmd, a->runtime);
    cmd->callback([&ctx, a] {
        ctx.action = [&ctx, a] {
            const Runtime rt = applyRuntime(a->runtime);
            const auto logLine = [&ctx](const std::string &line) { ctx.err << line << "\n"; };
            if (a->bench.phases.find("grpo") != std::string::npos) {
                // A session loads the models itself: nothing else is loaded here, so the peak is the step's.
                if (a->bench.phases != "grpo")
                    throw Error("bench: --phases grpo runs alone (it measures the whole process's memory)");
                GrpoBenchOptions g = a->grpo;
                g.model = a->model;
                g.promptTokens = a->bench.promptTokens;
                g.newTokens = a->bench.newTokens;
                for (const auto &assignment : a->grpoOptions)
                    g.overrides.update(parseOptionAssignment(assignment));
                nlohmann::json j = runGrpoBench(g, a->runtime, logLine);
                j["threads"] = rt.threads;
                j["model"] = a->model;
                ctx.out << (a->json ? j.dump() : j.dump(2)) << "\n";
                return 0;
            }
            std::unique_ptr<CausalLM> model;
            if (a->model.empty()) {
                CausalLM::LoadOptions lo;
                lo.device = rt.device;
                lo.dtype = rt.dtype;
                model = CausalLM::create(smolLm2Shape(), 0, lo);
            } else {
                model = loadModel(a->model, rt);
            }
            nlohmann::json j = runModelBench(*model, a->bench, logLine);
            j["threads"] = rt.threads;
            j["device"] = rt.device.str();
            j["model"] = a->model.empty() ? "random SmolLM2-135M shape" : a->model;
            if (a->json) {
                ctx.out << j.dump() << "\n";
            } else {
                for (auto it = j.begin(); it != j.end(); ++it)
                    ctx.out << it.key() << ": " << it.value().dump() << "\n";
            }
            return 0;
        };
    });
}

} // namespace

void registerModelCommands(CLI::App &app, CommandContext &ctx)
{
    registerLogits(app, ctx);
    registerGenerate(app, ctx);
    registerBench(app, ctx);
}

} // namespace awb
