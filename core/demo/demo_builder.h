#pragma once
// `awb demo-init`: builds the embedded demo scenario from nothing, with the
// project's own code, deterministically for a seed (DESIGN.md, "The embedded
// demo"). Output folder:
//
//   demo.json            manifest: seed, sizes, the GRPO options `awb train --demo`
//                        uses, and the quality figures measured while building
//   policy/              the pretrained policy: config.json, model.safetensors,
//                        tokenizer.json, tokenizer_config.json (a Hugging Face folder)
//   reward_model/        the reward model (reward_model.h's layout): LoRA adapters on
//                        the policy's weights (base_model "../policy") and the head
//   prompts.jsonl        the prompts {"prompt", "adversarial", "split"}; about 10% are
//                        "test" (promptSplitFor(text, 0.1), what importPrompts computes)
//   labels.jsonl         the noisy labels the reward model was trained on
//                        {"prompt", "response", "labels": {aspect: value}}: corpus
//                        examples, then samples of the pretrained policy ("source": "policy"),
//                        then judge-labelled counterexamples ("counterexample") and, with
//                        a relabelling round, samples of its GRPO run ("relabel")
//
// The gold judge is code (data/gold_judge.h), not a file. Runs on the calling
// thread; `log` gets progress lines; `shouldStop` cancels between stages and
// batches (nothing is left under outDir then: everything is built in
// outDir.tmp and renamed at the end).

#include "io/model_config.h"
#include "reward/reward_trainer.h"
#include "train/lm_trainer.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace awb {

struct DemoBuildOptions
{
    std::uint64_t seed = 7;
    std::int64_t corpusExamples = 10000;   // generated (prompt, response) pairs for pretraining
    std::int64_t vocabSize = 2048;         // BPE vocabulary
    // The policy: a Llama of about 1.4M parameters.
    std::int64_t hiddenSize = 160;
    std::int64_t layers = 4;
    std::int64_t heads = 5;
    std::int64_t kvHeads = 1;
    std::int64_t intermediateSize = 448;
    std::int64_t contextLength = 256;
    LmTrainOptions pretrain;               // defaults set in demoBuildDefaults()
    // The reward model: LoRA on the policy plus a head, trained on noisy labels.
    std::int64_t labelledExamples = 3000;  // drawn from a second, independent corpus sample
    double labelNoise = 0.1;               // std of the Gaussian noise on each gold label (clamped to [0, 1])
    double missingLabelFraction = 0.2;     // each aspect label is dropped with this probability
    std::int64_t policySampleLabels = 1600; // samples of the pretrained policy labelled by the judge (with noise)
    double policySampleTemperature = 1.0;   // sampling temperature of those samples (> 1: more varied mistakes)
    std::int64_t counterexampleLabels = 1500; // judge-labelled counterexamples (generateDemoCounterexamples)
    // One relabelling round: GRPO against the first reward model for this many
    // steps (0: none), the judge labels about relabelSamples of its samples,
    // and the reward model trains on all labels for relabelEpochs more epochs
    // (0: it is trained again from scratch instead).
    std::int64_t relabelSteps = 0;
    std::int64_t relabelSamples = 1200;
    std::int64_t relabelEpochs = 1;
    RewardTrainOptions reward;
};

// The defaults of the shipped demo; tests shrink them.
DemoBuildOptions demoBuildDefaults();
// A much smaller scenario (tiny model, short training) for tests: same code paths.
DemoBuildOptions demoBuildSmall();

// Quality figures of a build, also written into demo.json under "quality".
struct DemoBuildReport
{
    nlohmann::json quality;   // pretrain loss, tokenizer compression, reward-model metrics, ...
    double seconds = 0;
};

DemoBuildReport buildDemo(const std::string &outDir, const DemoBuildOptions &options,
                          const std::function<void(const std::string &)> &log = {},
                          const std::function<bool()> &shouldStop = {});

// The folder of the shipped demo: $AWB_DEMO_DIR when set, else the first of
// the install location and the source tree's resources/demo that holds a
// demo.json. Empty when none.
std::string findDemoDir();

} // namespace awb
