#pragma once
// A tiny policy and reward model on disk, and a sink that records every step:
// the fixture of the trainer tests (GRPO, RLOO, PPO, DPO).
#include "model/causal_lm.h"
#include "reward/aspect_schema.h"
#include "reward/reward_model.h"
#include "text/bpe_trainer.h"
#include "text/tokenizer.h"
#include "train/grpo_options.h"
#include "train/grpo_trainer.h"
#include "train/training_controls.h"
#include "util/error.h"
#include "error_of.h"

#include <QTemporaryDir>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace awb::test {

namespace fs = std::filesystem;

const std::vector<std::string> kPrompts = {"How do I bake bread?", "How do I fix a bike?", "Tell me a joke.",
                                           "How do I pick a lock?", "What is a good plant?", "Help me study."};

// A tiny Llama with a byte-level BPE trained on a few lines, saved as a model
// folder, and a reward model whose backbone is a second tiny Llama.
struct Fixture
{
    QTemporaryDir dir;
    std::string model, rewardModel;
    std::string algorithm = "grpo";

    Fixture()
    {
        model = (fs::path(dir.path().toStdString()) / "policy").string();
        rewardModel = (fs::path(dir.path().toStdString()) / "rm").string();
        std::vector<std::string> texts = kPrompts;
        for (const char *t : {"First, mix the flour. Then, bake it.", "I cannot help with that.",
                              "Sure! Here is how: oil the chain.", "Please be careful.", "No idea, figure it out."})
            texts.emplace_back(t);
        BpeTrainerOptions bo;
        bo.vocabSize = 320;
        bo.minFrequency = 1;
        writeTokenizerFiles(trainBpeTokenizer(texts, bo), model);
        const Tokenizer tok = Tokenizer::load(model);
        ModelConfig c;
        c.vocabSize = tok.vocabSize();
        c.hiddenSize = 32;
        c.intermediateSize = 64;
        c.numLayers = 2;
        c.numHeads = 4;
        c.numKvHeads = 2;
        c.headDim = 8;
        c.maxPositionEmbeddings = 128;
        c.tieWordEmbeddings = true;
        c.eosTokenIds = {*tok.eosId()};
        CausalLM::create(c, 11, {})->save(model);
        auto rm = RewardModel::create(CausalLM::create(c, 12, {}), tok, AspectSchema::defaults(), 13);
        rm->save(rewardModel);
    }

    GrpoTrainerSetup setup(const std::string &checkpoints = {}) const
    {
        GrpoTrainerSetup s;
        s.options = defaultGrpoOptions(algorithm);
        s.options.model = model;
        s.options.maxSteps = 4;
        s.options.promptsPerStep = 2;
        s.options.numGenerations = 3;
        s.options.maxCompletionLength = 6;
        s.options.maxPromptLength = 32;
        s.options.miniBatchSize = 4;
        s.options.learningRate = 1e-3;
        s.options.warmupRatio = 0.0;
        s.options.seed = 5;
        s.options.saveSteps = 2;
        s.options.saveTotalLimit = 0;
        s.prompts = kPrompts;
        s.rewardModel = std::shared_ptr<RewardModel>(RewardModel::load(rewardModel));
        s.rewardModelVersion = 1;
        s.rewardModelPath = rewardModel;
        s.checkpointDir = checkpoints;
        if (algorithm == "dpo") {
            // Pairs whose order is known: the helpful answer over the curt one, for every prompt.
            for (const auto &p : kPrompts)
                s.pairs.push_back({p, "Sure! Here is how: oil the chain.", "No idea, figure it out."});
            s.pairSource = "file";
            s.evalPrompts = {kPrompts[0], kPrompts[1]};
        }
        return s;
    }
};


struct RecordingSink : TrainingSink
{
    std::vector<StepReport> steps;
    std::vector<std::string> logs;
    std::function<void(const StepReport &)> hook;
    void onLog(const std::string &line) override { logs.push_back(line); }
    void onStep(const StepReport &r) override
    {
        steps.push_back(r);
        if (hook)
            hook(r);
    }
};


// The same run twice: whole for `steps` steps into `full`, and stopped after
// step `stopAt` (a checkpoint) then resumed to `steps` in a new trainer, whose
// steps go to `resumed`. `setup` gives the options for a checkpoint folder.
// `live`, when given, runs after each step of the whole run and of the first part
// with that part's controls (a live edit); the resumed part's controls stay untouched.
inline void runWholeAndResumed(const std::function<GrpoTrainerSetup(const std::string &)> &setup, std::int64_t steps,
                               std::int64_t stopAt, RecordingSink &full, RecordingSink &resumed,
                               const std::function<void(TrainingControls &, std::int64_t)> &live = {})
{
    QTemporaryDir ckA, ckB;
    TrainingControls c1, c2, c3;
    RecordingSink first;
    if (live)
        full.hook = [&](const StepReport &r) { live(c1, r.step); };
    {
        GrpoTrainer t(setup(ckA.path().toStdString()), c1, full);
        if (t.run() != steps)
            throw Error("runWholeAndResumed: the whole run did not reach step " + std::to_string(steps));
    }
    first.hook = [&](const StepReport &r) {
        if (live)
            live(c2, r.step);
        if (r.step == stopAt)
            c2.requestStop();
    };
    {
        GrpoTrainer t(setup(ckB.path().toStdString()), c2, first);
        if (t.run() != stopAt)
            throw Error("runWholeAndResumed: the first part did not stop at step " + std::to_string(stopAt));
    }
    GrpoTrainer t(setup(ckB.path().toStdString()), c3, resumed);
    if (t.resumeFrom(GrpoTrainer::latestCheckpoint(ckB.path().toStdString())) != stopAt || t.run() != steps)
        throw Error("runWholeAndResumed: the resumed run did not go from step " + std::to_string(stopAt) + " to " +
                    std::to_string(steps));
}

} // namespace awb::test
