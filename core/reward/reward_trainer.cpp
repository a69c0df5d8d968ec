#include "reward/reward_trainer.h"

#include "util/error.h"

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace awb {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Examples and pairs turned into token sequences: sequence e is example e, pair p's
// chosen and rejected responses are sequences nEx + 2p and nEx + 2p + 1. Targets and
// mask [nEx, K] (CPU, fp32).
struct LabelledSet
{
    std::vector<std::vector<std::int32_t>> ids;
    std::vector<std::size_t> source;   // per example: index into the caller's examples
    std::vector<std::size_t> pairSource;   // per pair: index into the caller's pairs
    std::vector<std::size_t> pairAspect;
    at::Tensor targets;
    at::Tensor mask;
    std::int64_t labels = 0;
    std::size_t examples = 0;   // nEx
    std::size_t pairs = 0;
    std::size_t items() const { return examples + pairs; }
};

LabelledSet prepare(const RewardModel &model, const std::vector<RewardExample> &examples,
                    const std::vector<RewardPreference> &pairs, std::int64_t maxLength, bool dropUnlabelled)
{
    const std::size_t k = model.aspects().size();
    std::vector<float> targets, mask;
    LabelledSet set;
    for (std::size_t i = 0; i < examples.size(); ++i) {
        const RewardExample &e = examples[i];
        if (e.targets.size() != k)
            throw Error("reward examples: example " + std::to_string(i) + " has " + std::to_string(e.targets.size())
                        + " targets but the schema has " + std::to_string(k) + " aspects");
        std::int64_t labelled = 0;
        for (std::size_t a = 0; a < k; ++a) {
            if (!e.targets[a])
                continue;
            if (!std::isfinite(*e.targets[a]))
                throw Error("reward examples: example " + std::to_string(i) + " has a non-finite target for aspect \""
                            + model.aspects().at(a).name + "\"");
            ++labelled;
        }
        if (labelled == 0 && dropUnlabelled)
            continue;
        set.labels += labelled;
        for (std::size_t a = 0; a < k; ++a) {
            targets.push_back(e.targets[a] ? static_cast<float>(*e.targets[a]) : 0.0f);
            mask.push_back(e.targets[a] ? 1.0f : 0.0f);
        }
        set.ids.push_back(model.encode(e.prompt, e.response, maxLength));
        set.source.push_back(i);
    }
    set.examples = set.ids.size();
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const RewardPreference &p = pairs[i];
        if (p.aspect >= k)
            throw Error("reward pairs: pair " + std::to_string(i) + " names aspect " + std::to_string(p.aspect)
                        + " but the schema has " + std::to_string(k) + " aspects");
        if (p.chosen == p.rejected)
            throw Error("reward pairs: pair " + std::to_string(i) + " has the same chosen and rejected text");
        set.ids.push_back(model.encode(p.prompt, p.chosen, maxLength));
        set.ids.push_back(model.encode(p.prompt, p.rejected, maxLength));
        set.pairSource.push_back(i);
        set.pairAspect.push_back(p.aspect);
    }
    set.pairs = set.pairSource.size();
    const auto n = static_cast<std::int64_t>(set.examples);
    set.targets = at::tensor(targets, at::kFloat).view({n, static_cast<std::int64_t>(k)});
    set.mask = at::tensor(mask, at::kFloat).view({n, static_cast<std::int64_t>(k)});
    return set;
}

// The sequences an item set scores (its examples first, then each pair's chosen, then each
// pair's rejected), and the loss of those scores: (squared errors + Bradley-Terry terms) /
// (labelled entries + pairs), as reward_trainer.h defines it.
struct ItemBatch
{
    std::vector<std::size_t> examples;   // example indices (into the set)
    std::vector<std::size_t> pairs;      // pair indices (into the set)

    ItemBatch(const LabelledSet &set, const std::vector<std::size_t> &items)
    {
        for (auto i : items)
            (i < set.examples ? examples : pairs).push_back(i < set.examples ? i : i - set.examples);
    }
    std::vector<std::size_t> sequences(const LabelledSet &set) const
    {
        std::vector<std::size_t> seqs = examples;
        for (auto p : pairs)
            seqs.push_back(set.examples + 2 * p);
        for (auto p : pairs)
            seqs.push_back(set.examples + 2 * p + 1);
        return seqs;
    }
};

at::Tensor indexTensor(const std::vector<std::size_t> &idx)
{
    std::vector<std::int64_t> v(idx.begin(), idx.end());
    return at::tensor(v, at::kLong);
}

// scores [E + 2P, K] of batch.sequences(); returns the loss and sets `weight` to its denominator.
// `itemWeights` [E + P] (CPU float; examples, then pairs, in the batch's order) weighs each item's
// terms, e.g. by how often an ensemble member's bootstrap resample drew it; undefined: all 1.
at::Tensor itemLoss(const LabelledSet &set, const ItemBatch &batch, const at::Tensor &scores, double *weight,
                    const at::Tensor &itemWeights = at::Tensor())
{
    const auto ne = static_cast<std::int64_t>(batch.examples.size());
    const auto np = static_cast<std::int64_t>(batch.pairs.size());
    const bool weighted = itemWeights.defined();
    at::Tensor sum = scores.sum() * 0.0;
    double w = 0;
    if (ne > 0) {
        const at::Tensor rows = indexTensor(batch.examples);
        at::Tensor m = set.mask.index_select(0, rows).to(scores.options());
        if (weighted)
            m = m * itemWeights.narrow(0, 0, ne).to(scores.options()).unsqueeze(1);
        const at::Tensor t = set.targets.index_select(0, rows).to(scores.options());
        sum = sum + ((scores.narrow(0, 0, ne) - t).pow(2) * m).sum();
        w += m.sum().item<double>();
    }
    if (np > 0) {
        std::vector<std::size_t> aspects;
        for (auto p : batch.pairs)
            aspects.push_back(set.pairAspect[p]);
        const at::Tensor a = indexTensor(aspects).to(scores.device()).unsqueeze(1);
        const at::Tensor c = scores.narrow(0, ne, np).gather(1, a).squeeze(1);
        const at::Tensor r = scores.narrow(0, ne + np, np).gather(1, a).squeeze(1);
        if (weighted) {
            const at::Tensor pw = itemWeights.narrow(0, ne, np).to(scores.options());
            sum = sum - (at::log_sigmoid(c - r) * pw).sum();
            w += pw.sum().item<double>();
        } else {
            sum = sum + bradleyTerryLoss(c, r) * static_cast<double>(np);
            w += static_cast<double>(np);
        }
    }
    if (weight)
        *weight = w;
    return w > 0 ? sum / w : sum;
}

// The ensemble's training loss: every member's terms weighted by its bootstrap counts
// (`counts` [items, M], rows indexed like the set's items), over the sum of those weights.
// memberScores [E + 2P, M, K].
at::Tensor ensembleLoss(const LabelledSet &set, const ItemBatch &batch, const at::Tensor &memberScores,
                        const at::Tensor &counts, double *weight)
{
    std::vector<std::size_t> items = batch.examples;
    for (auto p : batch.pairs)
        items.push_back(set.examples + p);
    const at::Tensor rows = counts.index_select(0, indexTensor(items));
    at::Tensor sum = memberScores.sum() * 0.0;
    double w = 0;
    for (std::int64_t m = 0; m < memberScores.size(1); ++m) {
        double wm = 0;
        const at::Tensor loss = itemLoss(set, batch, memberScores.select(1, m), &wm, rows.select(1, m).contiguous());
        sum = sum + loss * wm;
        w += wm;
    }
    if (weight)
        *weight = w;
    return w > 0 ? sum / w : sum;
}

// Fisher-Yates with a plain modulus: std::shuffle's and std::uniform_int_distribution's outputs
// differ between standard libraries, and the split must be the same everywhere for one seed.
void shuffle(std::vector<std::size_t> &v, std::mt19937_64 &rng)
{
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[static_cast<std::size_t>(rng() % i)]);
}


// Copies of the trainable tensors, kept on the CPU so that a GPU holds only one set of weights.
class Snapshot
{
public:
    explicit Snapshot(std::vector<at::Tensor> params) : m_params(std::move(params)) {}
    void take()
    {
        m_saved.clear();
        for (const auto &p : m_params)
            m_saved.push_back(p.detach().to(at::kCPU, p.scalar_type(), false, true));
    }
    void restore() const
    {
        at::NoGradGuard noGrad;
        for (std::size_t i = 0; i < m_params.size(); ++i)
            m_params[i].copy_(m_saved[i]);
    }

private:
    std::vector<at::Tensor> m_params;
    std::vector<at::Tensor> m_saved;
};

void checkOptions(const RewardTrainOptions &o)
{
    if (o.backboneMode != "full" && o.backboneMode != "lora" && o.backboneMode != "frozen")
        throw Error("reward training: backboneMode must be \"full\", \"lora\" or \"frozen\", got \"" + o.backboneMode + "\"");
    if (!(o.learningRate > 0) || !(o.headLearningRate > 0))
        throw Error("reward training: learningRate and headLearningRate must be positive");
    if (!(o.weightDecay >= 0))
        throw Error("reward training: weightDecay must not be negative");
    if (o.epochs < 1)
        throw Error("reward training: epochs must be at least 1, got " + std::to_string(o.epochs));
    if (o.batchSize < 1)
        throw Error("reward training: batchSize must be at least 1, got " + std::to_string(o.batchSize));
    if (o.maxLength < 1)
        throw Error("reward training: maxLength must be at least 1, got " + std::to_string(o.maxLength));
    if (!(o.validationFraction >= 0 && o.validationFraction < 1))
        throw Error("reward training: validationFraction must be in [0, 1)");
}

} // namespace

std::vector<std::vector<std::int64_t>> bootstrapCounts(std::size_t n, std::int64_t members, std::uint64_t seed)
{
    std::vector<std::vector<std::int64_t>> counts(static_cast<std::size_t>(std::max<std::int64_t>(members, 0)),
                                                  std::vector<std::int64_t>(n, 0));
    for (std::size_t m = 0; m < counts.size(); ++m) {
        std::mt19937_64 rng(ensembleMemberSeed(seed, static_cast<std::int64_t>(m) + 1));
        for (std::size_t draw = 0; draw < n; ++draw)
            ++counts[m][static_cast<std::size_t>(rng() % n)];
    }
    return counts;
}

RewardTrainReport trainRewardModel(
    RewardModel &model, const std::vector<RewardExample> &examples, const RewardTrainOptions &options,
    const std::function<void(std::int64_t, std::int64_t, std::int64_t, double)> &progress,
    const std::function<bool()> &shouldStop)
{
    return trainRewardModel(model, examples, {}, options, progress, shouldStop);
}

RewardTrainReport trainRewardModel(
    RewardModel &model, const std::vector<RewardExample> &examples, const std::vector<RewardPreference> &pairs,
    const RewardTrainOptions &options,
    const std::function<void(std::int64_t, std::int64_t, std::int64_t, double)> &progress,
    const std::function<bool()> &shouldStop)
{
    const auto started = std::chrono::steady_clock::now();
    checkOptions(options);
    const LabelledSet data = prepare(model, examples, pairs, options.maxLength, true);
    const std::size_t n = data.items();
    if (n == 0)
        throw Error("reward training: none of the " + std::to_string(examples.size()) + " examples has a label"
                    + (pairs.empty() ? std::string() : " and there are no preference pairs"));

    std::mt19937_64 rng(options.seed);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    shuffle(order, rng);
    std::size_t nVal = 0;
    if (options.validationFraction > 0 && n >= 2)
        nVal = std::clamp<std::size_t>(static_cast<std::size_t>(std::llround(options.validationFraction * static_cast<double>(n))),
                                       1, n - 1);
    const std::vector<std::size_t> validation(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(nVal));
    std::vector<std::size_t> train(order.begin() + static_cast<std::ptrdiff_t>(nVal), order.end());

    CausalLM &lm = model.backbone();
    const bool frozen = options.backboneMode == "frozen";
    std::vector<at::Tensor> backboneParams;
    if (options.backboneMode == "lora" && !lm.hasLora())
        lm.addLora(options.lora, options.seed);
    lm.unmergeLora();
    if (lm.hasLora())
        lm.setAdaptersEnabled(true);
    lm.setBaseTrainable(options.backboneMode == "full");
    if (!frozen)
        for (auto &[name, t] : lm.trainableParameters())
            backboneParams.push_back(t);
    const std::vector<at::Tensor> headParams = model.headParameters();

    using torch::optim::AdamWOptions;
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!backboneParams.empty())
        groups.emplace_back(backboneParams,
                            std::make_unique<AdamWOptions>(AdamWOptions(options.learningRate).weight_decay(options.weightDecay)));
    groups.emplace_back(headParams,
                        std::make_unique<AdamWOptions>(AdamWOptions(options.headLearningRate).weight_decay(options.weightDecay)));
    torch::optim::AdamW optimizer(std::move(groups), AdamWOptions(options.headLearningRate).weight_decay(options.weightDecay));

    std::vector<at::Tensor> all = backboneParams;
    all.insert(all.end(), headParams.begin(), headParams.end());
    Snapshot best(all);

    const c10::Device device = lm.device();
    const std::size_t nSeq = data.ids.size();
    const auto K = static_cast<std::int64_t>(model.aspects().size());
    // Head-only training: the backbone never changes, so its features are computed once.
    at::Tensor cached;
    auto batchFeatures = [&](const std::vector<std::size_t> &seqs) {
        std::vector<const std::vector<std::int32_t> *> ptrs;
        for (auto i : seqs)
            ptrs.push_back(&data.ids[i]);
        const auto [ids, lengths] = model.collate(ptrs);
        return model.features(ids, lengths);
    };
    auto seqFeatures = [&](const std::vector<std::size_t> &seqs) {
        return frozen ? cached.index_select(0, indexTensor(seqs).to(device)) : batchFeatures(seqs);
    };
    auto predict = [&](const std::vector<std::size_t> &seqs) { return model.head(seqFeatures(seqs)); };
    // An ensemble: each member trains on its own bootstrap resample of the training items,
    // as counts [items, M] that weigh its loss terms (validation items weigh 0).
    const std::int64_t members = model.ensembleSize();
    at::Tensor counts;
    if (members > 1) {
        counts = at::zeros({static_cast<std::int64_t>(n), members}, at::kFloat);
        const auto drawn = bootstrapCounts(train.size(), members, options.seed);
        for (std::int64_t m = 0; m < members; ++m)
            for (std::size_t i = 0; i < train.size(); ++i)
                counts[static_cast<std::int64_t>(train[i])][m] = static_cast<float>(drawn[static_cast<std::size_t>(m)][i]);
    }
    auto batchLoss = [&](const ItemBatch &batch, double *weight) {
        if (members == 1)
            return itemLoss(data, batch, predict(batch.sequences(data)), weight);
        return ensembleLoss(data, batch, model.memberHeads(seqFeatures(batch.sequences(data))), counts, weight);
    };
    // Batches of similar length, for evaluation passes.
    auto forEachBatch = [&](const std::vector<std::size_t> &seqs, const std::function<void(const std::vector<std::size_t> &)> &fn) {
        std::vector<std::size_t> sorted = seqs;
        std::stable_sort(sorted.begin(), sorted.end(),
                         [&](std::size_t a, std::size_t b) { return data.ids[a].size() > data.ids[b].size(); });
        const auto bs = static_cast<std::size_t>(options.batchSize);
        for (std::size_t s = 0; s < sorted.size(); s += bs)
            fn(std::vector<std::size_t>(sorted.begin() + static_cast<std::ptrdiff_t>(s),
                                        sorted.begin() + static_cast<std::ptrdiff_t>(std::min(sorted.size(), s + bs))));
    };
    // Scores of `seqs` in that order, under NoGrad.
    auto predictAll = [&](const std::vector<std::size_t> &seqs) {
        at::NoGradGuard noGrad;
        lm.setTraining(false);
        at::Tensor out = at::empty({static_cast<std::int64_t>(nSeq), K}, at::kFloat);
        forEachBatch(seqs, [&](const std::vector<std::size_t> &b) { out.index_copy_(0, indexTensor(b), predict(b).to(at::kCPU)); });
        return out.index_select(0, indexTensor(seqs));
    };
    auto setLoss = [&](const std::vector<std::size_t> &items) {
        const ItemBatch batch(data, items);
        return itemLoss(data, batch, predictAll(batch.sequences(data)), nullptr).item<double>();
    };

    if (frozen) {
        at::NoGradGuard noGrad;
        lm.setTraining(false);
        cached = at::empty({static_cast<std::int64_t>(nSeq), lm.config().hiddenSize},
                           at::TensorOptions().dtype(at::kFloat).device(device));
        std::vector<std::size_t> everything(nSeq);
        std::iota(everything.begin(), everything.end(), std::size_t{0});
        forEachBatch(everything, [&](const std::vector<std::size_t> &b) {
            cached.index_copy_(0, indexTensor(b).to(device), batchFeatures(b));
        });
    }

    RewardTrainReport report;
    for (auto i : train)
        (i < data.examples ? report.trainExamples : report.trainPairs) += 1;
    for (auto i : validation) {
        if (i < data.examples)
            report.validationIndices.push_back(data.source[i]);
        else
            report.validationPairIndices.push_back(data.pairSource[i - data.examples]);
    }
    report.validationExamples = static_cast<std::int64_t>(report.validationIndices.size());
    report.validationPairs = static_cast<std::int64_t>(report.validationPairIndices.size());
    std::sort(report.validationIndices.begin(), report.validationIndices.end());
    std::sort(report.validationPairIndices.begin(), report.validationPairIndices.end());
    const bool hasValidation = !validation.empty();
    report.initialValidationLoss = hasValidation ? setLoss(validation) : kNaN;
    double bestLoss = hasValidation ? report.initialValidationLoss : std::numeric_limits<double>::infinity();
    best.take();
    bool dirty = false;   // weights changed since the snapshot
    std::int64_t badEpochs = 0;
    const auto batches = static_cast<std::int64_t>((train.size() + static_cast<std::size_t>(options.batchSize) - 1)
                                                   / static_cast<std::size_t>(options.batchSize));

    for (std::int64_t epoch = 1; epoch <= options.epochs && !report.cancelled; ++epoch) {
        shuffle(train, rng);
        lm.setTraining(!frozen);
        double sumLoss = 0, count = 0;
        for (std::int64_t b = 0; b < batches; ++b) {
            if (shouldStop && shouldStop()) {
                report.cancelled = true;
                break;
            }
            const auto first = train.begin() + b * options.batchSize;
            const std::vector<std::size_t> items(first, first + std::min<std::int64_t>(options.batchSize, static_cast<std::int64_t>(train.size()) - b * options.batchSize));
            const ItemBatch batch(data, items);
            double weight = 0;
            const at::Tensor loss = batchLoss(batch, &weight);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            dirty = true;
            const double value = loss.item<double>();
            sumLoss += value * weight;
            count += weight;
            if (progress)
                progress(epoch, b, batches, value);
        }
        if (report.cancelled)
            break;
        report.trainLoss.push_back(count > 0 ? sumLoss / count : kNaN);
        bool improved = true;   // without validation the latest epoch is the best we know
        if (hasValidation) {
            const double v = setLoss(validation);
            report.validationLoss.push_back(v);
            improved = v < bestLoss;
            if (improved)
                bestLoss = v;
        }
        if (improved) {
            report.bestEpoch = epoch;
            best.take();
            dirty = false;
            badEpochs = 0;
        } else if (++badEpochs >= options.patience && options.patience > 0) {
            break;
        }
    }
    if (dirty)
        best.restore();
    lm.setTraining(false);
    lm.setBaseTrainable(false);

    if (hasValidation) {
        const ItemBatch batch(data, validation);
        const at::Tensor scores = predictAll(batch.sequences(data));
        const auto ne = static_cast<std::int64_t>(batch.examples.size());
        const auto np = static_cast<std::int64_t>(batch.pairs.size());
        const at::Tensor rows = indexTensor(batch.examples);
        report.validation = aspectMetrics(scores.narrow(0, 0, ne), data.targets.index_select(0, rows),
                                          data.mask.index_select(0, rows));
        std::vector<double> chosen, rejected;
        std::vector<std::size_t> aspects;
        for (std::int64_t i = 0; i < np; ++i) {
            const std::size_t a = data.pairAspect[batch.pairs[static_cast<std::size_t>(i)]];
            aspects.push_back(a);
            chosen.push_back(scores[ne + i][static_cast<std::int64_t>(a)].item<double>());
            rejected.push_back(scores[ne + np + i][static_cast<std::int64_t>(a)].item<double>());
        }
        addPairwiseAccuracy(report.validation, chosen, rejected, aspects);
    }
    RewardModelInfo info;
    info.backboneKind = options.backboneMode;
    info.trainingOptions = rewardTrainOptionsToJson(options);
    info.trainingOptions["best_epoch"] = report.bestEpoch;
    info.trainingOptions["train_examples"] = report.trainExamples;
    info.trainingOptions["validation_examples"] = report.validationExamples;
    if (data.pairs > 0) {
        info.trainingOptions["train_pairs"] = report.trainPairs;
        info.trainingOptions["validation_pairs"] = report.validationPairs;
    }
    info.metrics = report.validation;
    info.labelCount = data.labels + static_cast<std::int64_t>(data.pairs);
    model.setInfo(std::move(info));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

std::vector<AspectMetrics> evaluateRewardModel(RewardModel &model, const std::vector<RewardExample> &examples,
                                               std::int64_t batchSize, std::int64_t maxLength)
{
    const LabelledSet data = prepare(model, examples, {}, maxLength, false);
    const std::vector<std::vector<float>> scores = model.scoreIds(data.ids, batchSize);
    const auto k = static_cast<std::int64_t>(model.aspects().size());
    at::Tensor predictions = at::empty({static_cast<std::int64_t>(scores.size()), k}, at::kFloat);
    for (std::size_t i = 0; i < scores.size(); ++i)
        std::copy(scores[i].begin(), scores[i].end(), predictions.data_ptr<float>() + static_cast<std::int64_t>(i) * k);
    return aspectMetrics(predictions, data.targets, data.mask);
}

} // namespace awb
