#pragma once
// GrpoTrainer's private state and its step phases, shared by the two files
// that implement them: grpo_trainer.cpp (set-up, controls, rollout, the step,
// checkpoints) and grpo_trainer_update.cpp (reference log-probs, PPO's values
// and GAE, the update, metrics and samples). Not for use outside core/train.

#include "train/grpo_trainer.h"

#include "model/causal_lm.h"
#include "model/lora.h"
#include "reward/reward_model.h"
#include "text/tokenizer.h"
#include "dist/communicator.h"
#include "train/adamw.h"
#include "train/algorithms.h"
#include "train/conditioning.h"
#include "train/constraints.h"
#include "train/grpo_checkpoint.h"
#include "train/lr_schedule.h"
#include "train/rollout.h"
#include "train/training_controls.h"
#include "train/value_model.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace awb {

struct GrpoTrainer::Impl
{
    GrpoTrainerSetup setup;
    TrainingControls &controls;
    TrainingSink &sink;
    const AlgorithmSpec &spec;
    std::shared_ptr<CausalLM> policy;      // its base may be lent to the reward model (sharesBase())
    std::unique_ptr<CausalLM> reference;   // full fine-tuning with a KL coefficient > 0 only
    std::unique_ptr<ValueModel> value;     // PPO only
    std::unique_ptr<Rollout> rollout;
    std::shared_ptr<RewardModel> rewardModel;
    std::int64_t rewardModelVersion = 0;
    std::vector<std::string> runAspects;   // the first reward model's: every later version must match
    std::unique_ptr<AdamW> optimizer;
    std::int64_t step = 0;
    std::int64_t optimizerSteps = 0;
    std::vector<std::string> checkpoints;   // oldest first
    std::vector<Constraint> constraints;    // Safe RLHF's: each with its multiplier in lambdas
    std::vector<double> lambdas;
    // A steerable run (conditioning != none): the fixed vectors of conditioning_vectors, quantised.
    Conditioning conditioning = Conditioning::None;
    std::vector<std::vector<double>> fixedVectors;
    std::shared_ptr<Communicator> comm;     // data-parallel ranks (a single one without a job)

    // The phases of one step, in order; each returns what the next ones need.

    // 1. Controls: the weights, aggregation and reward model in force for the step.
    struct StepControls
    {
        std::vector<std::string> names;
        std::vector<double> weights;       // in the reward: a constrained aspect's is +-lambda
        std::vector<double> userWeights;   // as the user set them: the gold objective's
        Aggregation aggregation = Aggregation::SumThenNormalize;
        ScaleRewards scale = ScaleRewards::Group;
    };

    // 2. Rollout: sampled and scored groups (dynamic sampling's replacements included).
    struct RolloutPhase
    {
        GenerationBatch batch;
        AdvantageResult adv;
        std::int64_t generatedTokens = 0;
        std::int64_t replacedGroups = 0;
        double fracZeroStd = 0;   // before dynamic sampling replaced anything
        double genSeconds = 0, scoreSeconds = 0;
        bool stopped = false;
    };

    // 3. Reference and sampling-policy log-probs of the packed micro-batches.
    struct LogpPhase
    {
        std::vector<PackedMicroBatch> micro;
        double activeTokens = 0;   // TRL's num_items_in_batch (dapo)
        bool stopped = false;
    };

    // 4. Update: num_iterations optimiser steps; token- (or sequence-) weighted sums for the metrics.
    struct UpdatePhase
    {
        double lossSum = 0, klSum = 0, entropySum = 0, clipLow = 0, clipHigh = 0, clipRegion = 0;
        double tokenWeight = 0, metricWeight = 0, gradNorm = 0, tokensTrained = 0;
        // PPO, summed over micro-batches: policy and value losses, val/clipfrac, approx KL, ratio.
        double policyLossSum = 0, valueLossSum = 0, valueClip = 0, approxKl = 0, ratio = 0;
        std::int64_t microBatches = 0;
    };
    struct UpdateSetup
    {
        at::Tensor advantages;   // [N] (GRPO, RLOO); PPO's per-token ones sit in the micro-batches
        double activeTokens = 0;
        PolicyLoss loss = nullptr;
        GrpoLossOptions lossOptions;
    };

    // DPO (spec.offline): the run's pairs, tokenized; prompt indexes into the rollout's prompts,
    // which are the training prompts, then the evaluation prompts, then the pairs' other prompts.
    struct DpoPair
    {
        std::int64_t prompt = 0;
        std::vector<std::int32_t> chosen, rejected;           // completion ids, EOS appended, cut to max_length
        std::string chosenText, rejectedText;                 // for MODPO's reward-model margins
        double refChosen = 0, refRejected = 0;                // precompute_ref_log_probs only
    };
    std::vector<DpoPair> dpoPairs;
    std::int64_t evalBegin = 0, evalCount = 0;            // the evaluation prompts' range in the rollout's prompts
    std::int64_t pairTokensGenerated = 0;                 // gold pairs' sampling, reported with step 1
    double pairSeconds = 0;
    bool refPrecomputed = false;
    bool pairsFromCache = false, pairsCancelled = false;
    struct DpoUpdate
    {
        double loss = 0, chosenReward = 0, rejectedReward = 0, accuracy = 0, chosenLogp = 0, rejectedLogp = 0;
        double gradNorm = 0, tokensTrained = 0;
    };

    Impl(GrpoTrainerSetup s, TrainingControls &c, TrainingSink &k)
        : setup(std::move(s)), controls(c), sink(k), spec(algorithmSpec(setup.options.algorithm))
    {
    }

    // Passes over each rollout (num_iterations; PPO's num_ppo_epochs) and optimiser steps per pass.
    std::int64_t passes() const
    {
        return spec.valueModel ? setup.options.numPpoEpochs : spec.offline ? 1 : setup.options.numIterations;
    }
    std::int64_t miniBatches() const { return spec.valueModel ? setup.options.numMiniBatches : 1; }
    std::int64_t totalOptimizerSteps() const { return setup.options.maxSteps * passes() * miniBatches(); }
    // The KL coefficient: beta (GRPO, RLOO) or kl_coef (PPO).
    double klCoefficient() const { return spec.valueModel ? setup.options.klCoef : setup.options.beta; }
    // Pause and stop between phases. A data-parallel job honours them only at
    // step boundaries (syncControls), where every rank learns of them at once.
    bool stopping() const { return !distributed() && controls.waitWhilePaused(); }
    bool cancelled() const { return !distributed() && controls.stopRequested(); }

    // Data parallelism (grpo_trainer_dist.cpp).
    bool distributed() const;
    // This rank's share [begin, end) of `count` items (groups, micro-batches).
    std::pair<std::int64_t, std::int64_t> share(std::int64_t count) const;
    // Refuses a job whose ranks' shares would not be whole groups and whole micro-batches.
    void checkDataParallel() const;
    // Rank 0's controls (weights, aggregation, reward model, pause) on every rank; true to stop.
    bool syncControls(std::int64_t step);
    // Every rank's groups of `local` (this rank's share of `prompts`), in order, on every rank.
    GenerationBatch gatherBatch(GenerationBatch local, const std::vector<std::int64_t> &prompts,
                                const std::vector<std::vector<double>> &weights) const;
    // Rows [begin, end) of the whole batch's [N, ...] tensor filled on each rank: the sum over ranks.
    at::Tensor sumOverRanks(at::Tensor local, const std::string &what) const;
    // A per-token field of every rank's micro-batches as one [N, T] tensor (gatherRows over the whole batch).
    at::Tensor wholeRows(const std::vector<PackedMicroBatch> &micro, at::Tensor PackedMicroBatch::*field,
                         std::int64_t N) const;
    // Gradients: with at most this many trainable elements, micro-batch gradients are summed in float64.
    static constexpr std::int64_t kExactGradientSumLimit = 64ll << 20;
    bool exactGradientSum() const;
    // Exact sums: moves each parameter's gradient (this micro-batch's) into `sum` (float64).
    void accumulateGradients(std::vector<at::Tensor> &sum);
    // The optimiser step's gradients (`sum`'s when exact, else the parameters' own) summed over
    // ranks into the parameters' .grad (absent where no rank has one).
    void allReduceGradients(std::vector<at::Tensor> &sum);
    // The micro-batches' metric sums (`slots`, this rank's filled) over every rank, added into `u` in slot order.
    void reduceUpdate(const std::vector<UpdatePhase> &slots, UpdatePhase &u) const;
    // Rank 0's trainable parameters and optimiser state on every rank (start, resume).
    void broadcastState();

    std::string rewardModelLabel() const;
    // The log's warning when the run asks for conservative rewards from a one-head model.
    void warnAboutEnsembleOptions() const;
    AdvantageResult advantages(const GenerationBatch &batch, const StepControls &c, const at::Tensor &kl = {}) const;

    StepControls readControls(StepReport &report);
    void applyLiveBounds(const std::map<std::string, double> &bounds);
    // The weight vector of each of the step's `groups` groups (empty when not steerable).
    std::vector<std::vector<double>> stepGroupWeights(std::int64_t s, std::int64_t groups) const;
    bool sampleAndScore(std::int64_t s, const std::vector<std::int64_t> &prompts, std::uint64_t seed,
                        RolloutPhase &out, GenerationBatch &batch, const std::vector<std::vector<double>> &weights);
    RolloutPhase runRollout(std::int64_t s, const StepControls &c);
    LogpPhase runLogps(std::int64_t s, RolloutPhase &r, const StepControls &c);
    UpdatePhase runUpdate(std::int64_t s, LogpPhase &l, const AdvantageResult &adv);
    void trainMicroBatch(PackedMicroBatch &m, const UpdateSetup &us, UpdatePhase &u);
    void startOptimizerStep();   // the scheduled learning rate, gradients zeroed
    void gaeForBatch(LogpPhase &l, RolloutPhase &r, const StepControls &c);
    void fillMetrics(StepReport &report, const StepControls &c, const RolloutPhase &r, const UpdatePhase &u) const;
    // Reward, lengths, per-aspect and gold means of a rollout (every algorithm's samples, DPO's evaluations).
    void fillRolloutMetrics(StepReport &report, const StepControls &c, const RolloutPhase &r) const;

    // DPO (dpo_trainer_step.cpp): the prompts the rollout needs, the pairs, one step.
    std::vector<std::string> dpoRolloutPrompts();   // reads the run's recorded pairs first, if any
    void setupDpo();
    void buildGoldPairs();
    void precomputeReference();
    GenerationBatch pairBatch(const std::vector<std::int64_t> &pairs) const;   // [chosen, rejected] per pair
    std::int64_t pairRowsPerMicroBatch() const;
    at::Tensor modpoMargins(const std::vector<std::int64_t> &pairs, const StepControls &c, double &weight) const;
    DpoUpdate dpoUpdate(std::int64_t s, std::vector<PackedMicroBatch> &micro, const std::vector<std::int64_t> &pairs,
                        const at::Tensor &margin, double weight);
    bool runDpoStep(StepReport &report, const StepControls &c);
    void fillSamples(StepReport &report, const RolloutPhase &r) const;
    // Each constraint's batch mean, violation and rate into the metrics; then the multipliers' update.
    void updateConstraints(StepReport &report, const RolloutPhase &r);
};

} // namespace awb
