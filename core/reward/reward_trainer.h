#pragma once
// Training and evaluation of a RewardModel on annotators' labels.
//
// Loss: masked mean squared error. For a batch with predictions p [B, K],
// targets t and a mask m (1 where example b is labelled for aspect k),
//     loss = sum_{b,k} m_bk (p_bk - t_bk)^2 / sum_{b,k} m_bk,
// i.e. normalised by the number of labelled entries, not by B*K: a batch
// where most aspects are unlabelled weighs each of its labels as much as a
// fully labelled one, and unlabelled aspects contribute neither loss nor
// gradient (their head rows get exactly zero gradient from such a batch).
// Epoch and validation losses use the same normalisation over the whole set.
//
// Preference pairs (a prompt, a chosen and a rejected response, and the aspect
// they supervise) add a Bradley-Terry term: for pair i on aspect a_i with
// scores c_i = s_a(prompt, chosen) and r_i = s_a(prompt, rejected),
//     bt_i = -log sigmoid(c_i - r_i),
// and a batch's loss is (sum of squared errors + sum of bt_i) / (labelled
// entries + pairs), so one model may mix regression and preference aspects and
// a batch without pairs gives exactly the masked MSE.
//
// An ensemble (RewardModel::ensembleSize() M > 1) trains every member on its own
// bootstrap resample of the training items (n draws with replacement from the n
// items left after the validation split; bootstrapCounts): member m's terms count
// as often as its resample drew the item, and the batch's loss is the sum over
// members of their weighted terms over the sum of their weights. The backbone,
// shared by the members, receives all of their gradients. Validation, early
// stopping and the metrics use the members' mean.
//
// trainRewardModel runs on the calling thread (the reward-model worker) and
// calls `progress` and `shouldStop` from it, between batches. The model must
// not be used by another thread meanwhile.
// Core-only header (ATen): app/ and widgets/ must not include it.

#include "model/lora.h"
#include "reward/reward_examples.h"
#include "reward/reward_model.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace awb {

struct RewardTrainOptions
{
    std::string backboneMode = "full";   // "full": every backbone weight trains; "lora": adapters (added with
                                         // `lora` when the backbone has none) and the head; "frozen": head only
    double learningRate = 1e-4;          // AdamW learning rate of the backbone (or its adapters)
    double headLearningRate = 1e-3;      // AdamW learning rate of the regression head
    double weightDecay = 0.01;           // AdamW decoupled weight decay, both groups
    std::int64_t epochs = 10;            // upper bound; early stopping may end sooner
    std::int64_t batchSize = 16;         // examples per optimiser step
    std::int64_t maxLength = 256;        // tokens per example, truncated from the left
    double validationFraction = 0.1;     // held out, chosen by `seed`; 0: no validation (and no early stopping)
    std::int64_t patience = 2;           // stop after this many epochs without a lower validation loss;
                                         // <= 0: run all epochs (the best epoch is still restored)
    std::uint64_t seed = 0;              // validation split, batch order, LoRA initialisation
    LoraOptions lora;                    // used when backboneMode is "lora" and the backbone has no adapters
};

struct RewardTrainReport
{
    std::vector<double> trainLoss;        // per completed epoch
    std::vector<double> validationLoss;   // per completed epoch (empty without a validation set)
    double initialValidationLoss = 0;     // before the first step (NaN without a validation set)
    std::int64_t bestEpoch = 0;           // 1-based epoch whose weights the model ends with; 0: none beat the
                                          // initial weights (or none completed), which are kept
    std::vector<AspectMetrics> validation;   // per aspect, of the final (restored) model
    std::int64_t trainExamples = 0;
    std::int64_t validationExamples = 0;
    std::vector<std::size_t> validationIndices;   // indices into `examples` held out for validation
    std::vector<std::size_t> validationPairIndices;   // indices into `pairs` held out for validation
    std::int64_t trainPairs = 0;
    std::int64_t validationPairs = 0;
    bool cancelled = false;
    double seconds = 0;
};

// `progress(epoch, batch, batches, loss)`: epoch is 1-based, batch 0-based, after each optimiser step.
// `shouldStop()` is polled before each batch; when it returns true training ends with the best weights
// so far restored and report.cancelled set.
// Throws Error for bad options, or for an example whose target count differs from the schema's aspect
// count or whose target is not finite (naming the example). Examples with no label at all are skipped.
// Afterwards the backbone is back in eval mode with its base weights frozen, and model.info() holds the
// options, label count and validation metrics for save().
// Pairs whose aspect is out of range, or whose chosen and rejected texts are equal, are an Error too.
// The validation split is drawn over examples and pairs together.
RewardTrainReport trainRewardModel(
    RewardModel &model, const std::vector<RewardExample> &examples, const std::vector<RewardPreference> &pairs,
    const RewardTrainOptions &options,
    const std::function<void(std::int64_t epoch, std::int64_t batch, std::int64_t batches, double loss)> &progress = {},
    const std::function<bool()> &shouldStop = {});
RewardTrainReport trainRewardModel(
    RewardModel &model, const std::vector<RewardExample> &examples, const RewardTrainOptions &options,
    const std::function<void(std::int64_t epoch, std::int64_t batch, std::int64_t batches, double loss)> &progress = {},
    const std::function<bool()> &shouldStop = {});

// The bootstrap resamples of an ensemble's members: counts[m][i] is how often item i
// (of n) is drawn in n draws with replacement; member m draws rng() % n from
// std::mt19937_64(ensembleMemberSeed(seed, m + 1)). Deterministic for the seed.
std::vector<std::vector<std::int64_t>> bootstrapCounts(std::size_t n, std::int64_t members, std::uint64_t seed);

// Per-aspect agreement of the model's scores with the labelled targets.
std::vector<AspectMetrics> evaluateRewardModel(RewardModel &model, const std::vector<RewardExample> &examples,
                                               std::int64_t batchSize = 32, std::int64_t maxLength = 512);

// The masked MSE above. predictions [B, K], targets [B, K], mask [B, K] (1 labelled, 0 not).
// Returns a zero scalar (with gradient) when nothing is labelled.
at::Tensor maskedMseLoss(const at::Tensor &predictions, const at::Tensor &targets, const at::Tensor &mask);

// The Bradley-Terry loss: mean over pairs of -log sigmoid(chosen - rejected), for
// scores [P] (any device). Returns a zero scalar when there are no pairs.
at::Tensor bradleyTerryLoss(const at::Tensor &chosen, const at::Tensor &rejected);

// Per aspect of K: pairs and the fraction with chosen > rejected (ties a half), written
// into metrics[k].pairs / pairwiseAccuracy (metrics must have K entries).
void addPairwiseAccuracy(std::vector<AspectMetrics> &metrics, const std::vector<double> &chosen,
                         const std::vector<double> &rejected, const std::vector<std::size_t> &aspects);

// Per-aspect metrics of predictions [N, K] against targets [N, K] where mask [N, K] is 1 (CPU or any device).
std::vector<AspectMetrics> aspectMetrics(const at::Tensor &predictions, const at::Tensor &targets, const at::Tensor &mask);

// Correlation coefficients; NaN when fewer than two points or a side is constant.
// Spearman gives tied values the average of their ranks. Throw Error when sizes differ.
double pearson(const std::vector<double> &x, const std::vector<double> &y);
double spearman(const std::vector<double> &x, const std::vector<double> &y);
// Average ranks (1-based), as scipy.stats.rankdata(method="average").
std::vector<double> averageRanks(const std::vector<double> &x);

// The options as written into reward_model.json "training" (snake_case keys).
nlohmann::json rewardTrainOptionsToJson(const RewardTrainOptions &options);

} // namespace awb
