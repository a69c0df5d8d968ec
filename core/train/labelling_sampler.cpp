#include "train/labelling_sampler.h"

#include "data/prompt_import.h"
#include "model/causal_lm.h"
#include "model/sampler.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "train/grpo_batch.h"
#include "train/prompt_budget.h"
#include "util/error.h"
#include "util/runtime.h"

#include <chrono>
#include <ctime>
#include <random>

namespace awb {

namespace {

void checkOptions(const LabellingSampleOptions &o)
{
    if (o.db.empty())
        throw Error("sample for labelling: no workspace file given (--db)");
    if (o.model.empty())
        throw Error("sample for labelling: no policy folder given (--model)");
    if (o.prompts < 1 || o.numGenerations < 1 || o.promptsPerBatch < 1 || o.maxCompletionLength < 1)
        throw Error("sample for labelling: prompts, num_generations, prompts per batch and max_completion_length "
                    "must be at least 1");
    if (o.aspects.empty())
        throw Error("sample for labelling: no aspects to label");
}

std::string defaultName()
{
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    return std::string("labelling ") + buf;
}

} // namespace

LabellingSampleResult sampleForLabelling(const LabellingSampleOptions &o,
                                         const std::function<void(std::int64_t, std::int64_t)> &progress,
                                         const std::function<bool()> &shouldStop)
{
    const auto started = std::chrono::steady_clock::now();
    checkOptions(o);
    Store store = Store::open(o.db);
    std::int64_t setId = o.promptSetId;
    if (!o.promptsFile.empty())
        setId = importPromptSet(store, o.promptsFile, o.promptField);
    if (setId == 0) {
        const auto sets = store.promptSets();
        if (sets.empty())
            throw Error(o.db + ": the workspace has no prompts; import a prompt file first");
        setId = sets.back().first;
    }
    std::vector<PromptRecord> prompts = store.prompts(setId, "train");
    if (prompts.empty())
        throw Error(o.db + ": prompt set " + std::to_string(setId) + " has no training prompts");
    std::mt19937_64 rng(o.seed);
    for (std::size_t i = prompts.size(); i > 1; --i)   // Fisher-Yates with a plain modulus: the same on every libstdc++
        std::swap(prompts[i - 1], prompts[static_cast<std::size_t>(rng() % i)]);
    prompts.resize(std::min<std::size_t>(prompts.size(), static_cast<std::size_t>(o.prompts)));

    RuntimeOptions ro;
    ro.device = o.device;
    ro.threads = static_cast<int>(o.threads);
    const Runtime rt = applyRuntime(ro);
    CausalLM::LoadOptions lo;
    lo.device = rt.device;
    lo.dtype = rt.dtype;
    auto policy = CausalLM::load(o.model, lo);
    const Tokenizer tokenizer = Tokenizer::load(o.model);
    limitToTokenizer(*policy, tokenizer, o.model);
    const std::vector<std::int64_t> eos = endOfTurnIds(tokenizer, policy->config(), loadGenerationEosIds(o.model));
    const std::int64_t promptTokens =
        promptBudget(o.maxPromptLength, o.maxCompletionLength, policy->config().maxPositionEmbeddings, o.model)
            .promptTokens;

    nlohmann::json config = {{"algorithm", "labelling"},
                             {"model", o.model},
                             {"prompt_set", setId},
                             {"prompts", static_cast<std::int64_t>(prompts.size())},
                             {"num_generations", o.numGenerations},
                             {"max_completion_length", o.maxCompletionLength},
                             {"temperature", o.temperature},
                             {"top_p", o.topP},
                             {"use_chat_template", o.useChatTemplate},
                             {"seed", o.seed},
                             {"aspect_schema", o.aspects.toJson()}};
    LabellingSampleResult result;
    result.runId = store.createRun(o.runName.empty() ? defaultName() : o.runName, config);
    store.setRunStatus(result.runId, "running");
    try {
        const auto total = static_cast<std::int64_t>(prompts.size());
        for (std::int64_t first = 0, step = 1; first < total; first += o.promptsPerBatch, ++step) {
            const std::int64_t last = std::min(total, first + o.promptsPerBatch);
            std::vector<std::vector<std::int32_t>> ids;
            for (std::int64_t i = first; i < last; ++i)
                ids.push_back(encodePrompt(tokenizer, prompts[static_cast<std::size_t>(i)].text, o.useChatTemplate,
                                           promptTokens));
            SamplingOptions so;
            so.numSamples = o.numGenerations;
            so.maxNewTokens = o.maxCompletionLength;
            so.temperature = o.temperature;
            so.topP = o.topP;
            so.eosTokenIds = eos;
            so.padTokenId = tokenizer.padId().value_or(eos.empty() ? 0 : eos.front());
            so.seed = o.seed + 1000003ULL * static_cast<std::uint64_t>(step);
            const GenerationResult gen = generate(*policy, ids, so, {}, shouldStop);
            StepRecord rec;
            rec.runId = result.runId;
            rec.step = step;
            rec.metrics = {{"time/generation", gen.prefillSeconds + gen.decodeSeconds},
                           {"completion_length", static_cast<double>(gen.generatedTokens)
                                                     / static_cast<double>(gen.sequences.size())}};
            for (std::size_t s = 0; s < gen.sequences.size(); ++s) {
                const SampledSequence &seq = gen.sequences[s];
                if (seq.finish == FinishReason::Cancelled) {
                    result.cancelled = true;
                    break;
                }
                const PromptRecord &p = prompts[static_cast<std::size_t>(first + seq.promptIndex)];
                std::vector<std::int32_t> known;
                for (auto id : seq.tokens)
                    if (tokenizer.hasId(id))
                        known.push_back(id);
                SampleRecord sample;
                sample.promptId = p.id;
                sample.prompt = p.text;
                sample.completion = tokenizer.decode(known, true);
                sample.group = static_cast<int>(seq.promptIndex);
                sample.indexInGroup = static_cast<int>(s % static_cast<std::size_t>(o.numGenerations));
                sample.completionTokens = static_cast<std::int64_t>(seq.tokens.size());
                sample.finish = finishReasonName(seq.finish);
                rec.samples.push_back(std::move(sample));
            }
            if (result.cancelled)
                break;
            store.writeStep(rec);
            result.samples += static_cast<std::int64_t>(rec.samples.size());
            result.prompts = last;
            if (progress)
                progress(last, total);
        }
        store.setRunStatus(result.runId, result.cancelled ? "stopped" : "finished");
    } catch (...) {
        store.setRunStatus(result.runId, "failed");
        throw;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

} // namespace awb
