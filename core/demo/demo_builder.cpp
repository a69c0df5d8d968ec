#include "demo/demo_builder.h"

#include "data/demo_corpus.h"
#include "data/gold_judge.h"
#include "data/prompt_import.h"
#include "io/atomic_file.h"
#include "io/json_util.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "model/sampler.h"
#include "reward/reward_model.h"
#include "text/bpe_trainer.h"
#include "text/tokenizer.h"
#include "train/grpo_batch.h"
#include "train/grpo_options.h"
#include "train/grpo_trainer.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace awb {

namespace {

// Cancellation unwinds through the same path as an error, so the half-built
// folder is removed either way.
class Stopped : public Error
{
public:
    Stopped() : Error("demo-init: cancelled") {}
};

std::string chatText(const Tokenizer &tok, const std::string &prompt, const std::string &response)
{
    return tok.applyChatTemplate({{"user", prompt}, {"assistant", response}}, false);
}

std::string fixed(double v, int digits = 4)
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

// The GRPO set-up `awb train --demo` runs (paths left to the caller).
GrpoOptions demoGrpoSetup()
{
    GrpoOptions g;
    g.maxSteps = 60;
    g.promptsPerStep = 8;
    g.numGenerations = 8;
    g.maxPromptLength = 64;
    g.maxCompletionLength = 48;
    // Measured on 60-step runs (README): with the counterexample-trained reward
    // model, 1e-4 moves the gold objective most (5e-5: too slow; 2e-4 starts
    // trading actionability for politeness). Beta 0.2 from the earlier sweep.
    g.learningRate = 1e-4;
    g.beta = 0.2;
    g.lrSchedulerType = "constant_with_warmup";
    g.warmupRatio = 0.0;
    g.saveSteps = 20;
    return g;
}

// Keeps every n-th sample of a GRPO run, and the gold objective of its first
// and last steps.
class CollectingSink : public TrainingSink
{
public:
    CollectingSink(std::int64_t every, std::function<void()> checkStop) : m_every(every), m_checkStop(std::move(checkStop)) {}

    void onStep(const StepReport &report) override
    {
        if (report.step == 1)
            firstGold = report.goldObjective;
        lastGold = report.goldObjective;
        for (const auto &s : report.samples)
            if (m_seen++ % m_every == 0)
                samples.emplace_back(s.prompt, s.completion);
        m_checkStop();
    }

    std::vector<std::pair<std::string, std::string>> samples;
    double firstGold = 0, lastGold = 0;

private:
    std::int64_t m_every;
    std::int64_t m_seen = 0;
    std::function<void()> m_checkStop;
};

} // namespace

DemoBuildOptions demoBuildDefaults()
{
    DemoBuildOptions o;
    o.pretrain.epochs = 2;
    o.pretrain.batchSize = 32;
    o.pretrain.learningRate = 2e-3;
    o.pretrain.weightDecay = 0.01;
    o.pretrain.warmupRatio = 0.03;
    o.reward.backboneMode = "lora";
    o.reward.learningRate = 1e-3;
    o.reward.headLearningRate = 3e-3;
    o.reward.epochs = 3;
    o.reward.batchSize = 32;
    o.reward.maxLength = 128;
    o.reward.validationFraction = 0.15;
    o.reward.patience = 2;
    o.reward.lora.r = 8;
    o.reward.lora.alpha = 16;
    o.reward.lora.dropout = 0.0;
    return o;
}

DemoBuildOptions demoBuildSmall()
{
    DemoBuildOptions o = demoBuildDefaults();
    o.corpusExamples = 1500;
    o.vocabSize = 600;
    o.hiddenSize = 64;
    o.layers = 2;
    o.heads = 2;
    o.kvHeads = 1;
    o.intermediateSize = 160;
    o.pretrain.epochs = 2;
    o.pretrain.learningRate = 3e-3;
    o.labelledExamples = 600;
    o.policySampleLabels = 200;
    o.counterexampleLabels = 300;
    o.reward.epochs = 3;
    return o;
}

DemoBuildReport buildDemo(const std::string &outDir, const DemoBuildOptions &o,
                          const std::function<void(const std::string &)> &logFn,
                          const std::function<bool()> &shouldStop)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto log = [&](const std::string &line) {
        if (logFn)
            logFn(line);
    };
    auto checkStop = [&] {
        if (shouldStop && shouldStop())
            throw Stopped();
    };
    const fs::path out = fs::absolute(outDir);
    const fs::path tmp = out.string() + ".tmp";
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp / "policy", ec);
    if (ec)
        throw IoError(tmp.string() + ": cannot create the folder: " + ec.message());
    DemoBuildReport report;
    nlohmann::json &q = report.quality;

    try {
        // 1. The corpus: every style, its own gold standard.
        DemoCorpusOptions co;
        co.seed = o.seed;
        co.examples = o.corpusExamples;
        const std::vector<DemoExample> corpus = generateDemoCorpus(co);
        std::map<std::string, std::int64_t> styles;
        for (const auto &e : corpus)
            ++styles[e.style];
        q["corpus"] = {{"examples", corpus.size()}, {"styles", styles}};
        log("corpus: " + std::to_string(corpus.size()) + " examples in " + std::to_string(styles.size()) + " styles");
        checkStop();

        // 2. The tokenizer, trained on the chat-formatted corpus.
        std::vector<std::string> texts;
        for (const auto &e : corpus) {
            texts.push_back(e.prompt);
            texts.push_back(e.response);
        }
        BpeTrainerOptions bo;
        bo.vocabSize = o.vocabSize;
        const BpeTrainerResult bpe = trainBpeTokenizer(texts, bo);
        writeTokenizerFiles(bpe, (tmp / "policy").string());
        const Tokenizer tok = Tokenizer::load((tmp / "policy").string());
        std::int64_t bytes = 0, tokens = 0;
        std::vector<std::vector<std::int32_t>> sequences;
        for (const auto &e : corpus) {
            const std::string text = chatText(tok, e.prompt, e.response);
            sequences.push_back(tok.encode(text, false));
            bytes += static_cast<std::int64_t>(text.size());
            tokens += static_cast<std::int64_t>(sequences.back().size());
        }
        q["tokenizer"] = {{"vocab_size", tok.vocabSize()}, {"bytes_per_token", static_cast<double>(bytes) / tokens}};
        log("tokenizer: " + std::to_string(tok.vocabSize()) + " tokens, " +
            fixed(static_cast<double>(bytes) / static_cast<double>(tokens), 2) + " bytes per token");
        checkStop();

        // 3. The policy, pretrained on all styles (so it starts out unaligned).
        ModelConfig mc;
        mc.architecture = Architecture::Llama;
        mc.modelType = "llama";
        mc.vocabSize = tok.vocabSize();
        mc.hiddenSize = o.hiddenSize;
        mc.numLayers = o.layers;
        mc.numHeads = o.heads;
        mc.numKvHeads = o.kvHeads;
        mc.headDim = o.hiddenSize / o.heads;
        mc.intermediateSize = o.intermediateSize;
        mc.maxPositionEmbeddings = o.contextLength;
        mc.tieWordEmbeddings = true;
        if (const auto eos = tok.eosId())
            mc.eosTokenIds = {*eos};
        if (const auto bos = tok.bosId())
            mc.bosTokenIds = {*bos};
        mc.padTokenId = tok.padId();
        std::unique_ptr<CausalLM> policy = CausalLM::create(mc, o.seed, {});
        policy->setBaseTrainable(true);
        // The last 5% of the sequences measure held-out loss.
        const std::size_t heldOut = std::max<std::size_t>(1, sequences.size() / 20);
        const std::vector<std::vector<std::int32_t>> train(sequences.begin(), sequences.end() - static_cast<std::ptrdiff_t>(heldOut));
        const std::vector<std::vector<std::int32_t>> valid(sequences.end() - static_cast<std::ptrdiff_t>(heldOut), sequences.end());
        const double initialLoss = evaluateCausalLM(*policy, valid);
        log("policy: " + std::to_string(policy->parameterCount()) + " parameters; held-out loss " + fixed(initialLoss) +
            " nats before pretraining");
        std::int64_t lastShown = -1;
        const LmTrainReport pre = trainCausalLM(
            *policy, train, o.pretrain,
            [&](std::int64_t step, std::int64_t total, double loss) {
                if (step * 20 / total != lastShown) {
                    lastShown = step * 20 / total;
                    log("pretraining: step " + std::to_string(step) + "/" + std::to_string(total) + ", loss " + fixed(loss));
                }
            },
            shouldStop);
        checkStop();
        const double finalLoss = evaluateCausalLM(*policy, valid);
        q["pretrain"] = {{"parameters", policy->parameterCount()}, {"tokens", pre.tokens}, {"seconds", pre.seconds},
                         {"initial_heldout_loss", initialLoss}, {"heldout_loss", finalLoss},
                         {"epoch_loss", pre.epochLoss}};
        log("pretraining: held-out loss " + fixed(finalLoss) + " nats after " + std::to_string(pre.steps) + " steps (" +
            fixed(pre.seconds, 0) + " s)");
        policy->save((tmp / "policy").string());
        checkStop();

        // 4. The reward model: LoRA on the policy plus a head, on noisy labels
        //    of an independent corpus sample.
        DemoCorpusOptions lo;
        lo.seed = o.seed ^ 0x5EEDu;
        lo.examples = o.labelledExamples;
        const std::vector<DemoExample> labelled = generateDemoCorpus(lo);
        const auto &aspectNames = demoAspects();
        std::mt19937_64 rng(o.seed + 17);
        std::vector<RewardExample> examples;
        std::ostringstream labelsJsonl;
        for (const auto &e : labelled) {
            const auto noisy = noisyLabel(e.gold, rng, o.labelNoise);
            RewardExample ex{e.prompt, e.response, {}};
            nlohmann::json labels = nlohmann::json::object();
            for (const auto &name : aspectNames) {
                const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
                if (u < o.missingLabelFraction) {
                    ex.targets.emplace_back(std::nullopt);
                } else {
                    ex.targets.emplace_back(noisy.at(name));
                    labels[name] = noisy.at(name);
                }
            }
            examples.push_back(std::move(ex));
            labelsJsonl << nlohmann::json{{"prompt", e.prompt}, {"response", e.response}, {"labels", labels}}.dump() << "\n";
        }
        // A (prompt, response) labelled by the gold judge, with the annotators' noise.
        const GoldJudge judge;
        auto addJudged = [&](const std::string &prompt, const std::string &response, const char *source) {
            const auto noisy = noisyLabel(judge.score(prompt, response), rng, o.labelNoise);
            RewardExample ex{prompt, response, {}};
            nlohmann::json labels = nlohmann::json::object();
            for (const auto &name : aspectNames) {
                ex.targets.emplace_back(noisy.at(name));
                labels[name] = noisy.at(name);
            }
            examples.push_back(std::move(ex));
            labelsJsonl << nlohmann::json{{"prompt", prompt}, {"response", response}, {"labels", labels}, {"source", source}}
                               // a sample may end inside a multi-byte character
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                        << "\n";
        };
        std::vector<std::string> pool = demoPromptList(false);
        for (const auto &p : demoPromptList(true))
            pool.push_back(p);
        // Annotators also labelled samples of the pretrained policy itself (as
        // the relabelling loop does later): without them the reward model has
        // only seen clean corpus text and GRPO soon exploits it on the
        // policy's own mixtures and fragments.
        {
            const Tokenizer ptok = Tokenizer::load((tmp / "policy").string());
            std::vector<std::vector<std::int32_t>> prompts;
            std::vector<std::string> promptText;
            for (std::int64_t i = 0; i < o.policySampleLabels / 4; ++i) {
                promptText.push_back(pool[static_cast<std::size_t>(rng() % pool.size())]);
                prompts.push_back(encodePrompt(ptok, promptText.back(), true, 64));
            }
            SamplingOptions so;
            so.numSamples = 4;
            so.maxNewTokens = 48;
            so.eosTokenIds = endOfTurnIds(ptok, policy->config());
            so.padTokenId = ptok.padId().value_or(0);
            so.seed = o.seed + 23;
            so.temperature = o.policySampleTemperature;
            const GenerationResult gen = generate(*policy, prompts, so);
            for (const auto &seq : gen.sequences)
                addJudged(promptText[static_cast<std::size_t>(seq.promptIndex)], ptok.decode(seq.tokens, true), "policy");
            log("reward model: " + std::to_string(gen.sequences.size()) + " samples of the pretrained policy labelled by the judge");
        }
        // Helpful-looking answers that are not (steps of another topic,
        // garbled or repeated steps), labelled by the judge: the reward model
        // must read the prompt to tell them from real help, or GRPO learns to
        // paste any topic's steps under a polite frame.
        {
            DemoCorpusOptions ceo;
            ceo.seed = o.seed ^ 0xC0FFEEu;
            ceo.examples = o.counterexampleLabels;
            for (const auto &e : generateDemoCounterexamples(ceo))
                addJudged(e.prompt, e.response, "counterexample");
            log("reward model: " + std::to_string(o.counterexampleLabels) + " counterexamples labelled by the judge");
        }
        const AspectSchema schema = AspectSchema::defaults();
        RewardTrainReport rr;
        auto trainRm = [&] {
            std::unique_ptr<CausalLM> backbone = CausalLM::load((tmp / "policy").string());
            LoraOptions lora = o.reward.lora;
            lora.baseModelPath = (tmp / "policy").string();
            backbone->addLora(lora, o.seed + 3);
            auto model = RewardModel::create(std::move(backbone), Tokenizer::load((tmp / "policy").string()), schema, o.seed + 5);
            log("reward model: training on " + std::to_string(examples.size()) + " noisy labelled examples");
            rr = trainRewardModel(
                *model, examples, o.reward,
                [&](std::int64_t epoch, std::int64_t batch, std::int64_t batches, double loss) {
                    if (batch == batches)
                        log("reward model: epoch " + std::to_string(epoch) + " done, last batch loss " + fixed(loss));
                },
                shouldStop);
            checkStop();
            return model;
        };
        std::shared_ptr<RewardModel> rm = trainRm();
        // One round of the relabelling loop: a short GRPO run against this
        // reward model finds what it over-rates; the judge labels a share of
        // those samples and the reward model is trained again on everything.
        if (o.relabelSteps > 0) {
            GrpoTrainerSetup setup;
            setup.options = demoGrpoSetup();
            setup.options.model = (tmp / "policy").string();
            setup.options.maxSteps = o.relabelSteps;
            setup.options.seed = o.seed + 29;
            setup.prompts = pool;
            setup.rewardModel = rm;
            setup.goldScorer = [&judge](const std::string &p, const std::string &c) { return judge.score(p, c); };
            const std::int64_t perStep = setup.options.promptsPerStep * setup.options.numGenerations;
            const std::int64_t keepEvery = std::max<std::int64_t>(1, o.relabelSteps * perStep / std::max<std::int64_t>(1, o.relabelSamples));
            TrainingControls controls;
            CollectingSink sink(keepEvery, checkStop);
            GrpoTrainer(setup, controls, sink).run();
            checkStop();
            for (const auto &[prompt, completion] : sink.samples)
                addJudged(prompt, completion, "relabel");
            log("reward model: " + std::to_string(sink.samples.size()) + " samples of a " + std::to_string(o.relabelSteps) +
                "-step GRPO run labelled by the judge (gold objective " + fixed(sink.firstGold) + " -> " + fixed(sink.lastGold) + ")");
            q["relabel"] = {{"steps", o.relabelSteps}, {"samples", sink.samples.size()},
                            {"gold_objective_first", sink.firstGold}, {"gold_objective_last", sink.lastGold}};
            if (o.relabelEpochs > 0) {
                // Continue from the first model: cheaper than starting over.
                RewardTrainOptions more = o.reward;
                more.epochs = o.relabelEpochs;
                more.seed = o.reward.seed + 1;
                log("reward model: training on for " + std::to_string(more.epochs) + " epoch(s) on " +
                    std::to_string(examples.size()) + " examples");
                rr = trainRewardModel(*rm, examples, more, {}, shouldStop);
                checkStop();
            } else {
                rm = trainRm();
            }
        }
        writeFileAtomically((tmp / "labels.jsonl").string(), labelsJsonl.str());
        RewardModelInfo info = rm->info();
        info.backboneKind = "lora";
        info.metrics = rr.validation;
        info.trainingOptions = rewardTrainOptionsToJson(o.reward);
        for (const auto &ex : examples)
            for (const auto &t : ex.targets)
                info.labelCount += t ? 1 : 0;
        rm->setInfo(info);
        rm->save((tmp / "reward_model").string());
        // Point the adapters at the policy by a relative path, so the demo can move.
        const std::string metaPath = (tmp / "reward_model" / "reward_model.json").string();
        nlohmann::json meta = readJsonFile(metaPath);
        meta["backbone"]["base_model"] = "../policy";
        writeFileAtomically(metaPath, meta.dump(2) + "\n");
        const std::string adapterPath = (tmp / "reward_model" / "adapter_config.json").string();
        nlohmann::json adapter = readJsonFile(adapterPath);
        adapter["base_model_name_or_path"] = "../policy";
        writeFileAtomically(adapterPath, adapter.dump(2) + "\n");

        // Agreement of the reward model with the gold judge on fresh samples:
        // what the proxy reward is worth.
        DemoCorpusOptions fo;
        fo.seed = o.seed ^ 0xF00Du;
        fo.examples = 400;
        const auto fresh = generateDemoCorpus(fo);
        std::vector<std::string> fp, fr;
        for (const auto &e : fresh) {
            fp.push_back(e.prompt);
            fr.push_back(e.response);
        }
        const auto scores = rm->score(fp, fr, 32, 128);
        nlohmann::json rmq = nlohmann::json::object();
        for (std::size_t k = 0; k < aspectNames.size(); ++k) {
            std::vector<double> pred, gold;
            double se = 0;
            for (std::size_t i = 0; i < fresh.size(); ++i) {
                pred.push_back(scores[i][k]);
                gold.push_back(fresh[i].gold.at(aspectNames[k]));
                se += (pred.back() - gold.back()) * (pred.back() - gold.back());
            }
            rmq[aspectNames[k]] = {{"rmse_vs_gold", std::sqrt(se / static_cast<double>(fresh.size()))},
                                   {"pearson_vs_gold", pearson(pred, gold)},
                                   {"validation_rmse", rr.validation[k].rmse},
                                   {"validation_pearson", rr.validation[k].pearson}};
            log("reward model: " + aspectNames[k] + " RMSE vs gold " + fixed(rmq[aspectNames[k]]["rmse_vs_gold"].get<double>()) +
                ", Pearson " + fixed(rmq[aspectNames[k]]["pearson_vs_gold"].get<double>()));
        }
        q["reward_model"] = rmq;
        q["reward_model_seconds"] = rr.seconds;

        // 5. The prompts, with a held-out split.
        std::ostringstream promptsJsonl;
        std::int64_t count = 0;
        for (bool adversarial : {false, true}) {
            for (const auto &p : demoPromptList(adversarial)) {
                // The same split importPrompts() computes with heldOutFraction 0.1.
                promptsJsonl << nlohmann::json{{"prompt", p}, {"adversarial", adversarial}, {"split", promptSplitFor(p, 0.1)}}.dump()
                             << "\n";
                ++count;
            }
        }
        writeFileAtomically((tmp / "prompts.jsonl").string(), promptsJsonl.str());
        q["prompts"] = count;

        // 6. The manifest with the GRPO set-up `awb train --demo` runs.
        GrpoOptions g = demoGrpoSetup();
        g.model = "policy";
        g.rewardModel = "reward_model";
        g.prompts = "prompts.jsonl";
        nlohmann::json manifest;
        manifest["format"] = "awb-demo";
        manifest["format_version"] = 1;
        manifest["seed"] = o.seed;
        manifest["aspects"] = aspectNames;
        manifest["grpo"] = grpoOptionsToJson(g);
        manifest["quality"] = q;
        writeFileAtomically((tmp / "demo.json").string(), manifest.dump(2) + "\n");
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    fs::remove_all(out, ec);
    fs::rename(tmp, out, ec);
    if (ec)
        throw IoError(out.string() + ": cannot move the demo into place: " + ec.message());
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

std::string findDemoDir()
{
    std::vector<fs::path> candidates;
    if (const char *env = std::getenv("AWB_DEMO_DIR"); env && *env)
        candidates.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        candidates.push_back(exe.parent_path().parent_path() / "share" / "alignment-workbench" / "demo");
#ifdef AWB_DEMO_SOURCE_DIR
    candidates.emplace_back(AWB_DEMO_SOURCE_DIR);
#endif
    for (const auto &c : candidates)
        if (fs::is_regular_file(c / "demo.json", ec))
            return c.string();
    return {};
}

} // namespace awb
