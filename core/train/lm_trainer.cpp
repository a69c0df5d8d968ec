#include "train/lm_trainer.h"

#include "model/causal_lm.h"
#include "train/adamw.h"
#include "train/lr_schedule.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

namespace awb {

namespace {

struct Batch
{
    at::Tensor ids, positions, valid, targets, mask;
    double tokens = 0;
};

// Right-padded rows; targets are the next tokens, masked past each row's end.
Batch makeBatch(const std::vector<std::vector<std::int32_t>> &seqs, const std::vector<std::size_t> &rows,
                c10::Device device)
{
    std::int64_t T = 0;
    for (auto r : rows)
        T = std::max<std::int64_t>(T, static_cast<std::int64_t>(seqs[r].size()) - 1);
    const auto B = static_cast<std::int64_t>(rows.size());
    at::Tensor ids = at::zeros({B, T}, at::kLong), tgt = at::zeros({B, T}, at::kLong);
    at::Tensor valid = at::zeros({B, T}, at::kBool), mask = at::zeros({B, T}, at::kFloat);
    auto idA = ids.accessor<std::int64_t, 2>();
    auto tgA = tgt.accessor<std::int64_t, 2>();
    auto vA = valid.accessor<bool, 2>();
    auto mA = mask.accessor<float, 2>();
    Batch b;
    for (std::int64_t i = 0; i < B; ++i) {
        const auto &s = seqs[rows[static_cast<std::size_t>(i)]];
        for (std::size_t j = 0; j + 1 < s.size(); ++j) {
            const auto t = static_cast<std::int64_t>(j);
            idA[i][t] = s[j];
            tgA[i][t] = s[j + 1];
            vA[i][t] = true;
            mA[i][t] = 1.0f;
            b.tokens += 1;
        }
    }
    b.ids = ids.to(device);
    b.positions = at::arange(T, at::kLong).unsqueeze(0).expand({B, T}).contiguous().to(device);
    b.valid = valid.to(device);
    b.targets = tgt.to(device);
    b.mask = mask.to(device);
    return b;
}

at::Tensor tokenLoss(CausalLM &model, const Batch &b)
{
    const at::Tensor logits = model.logits(model.forward(b.ids, b.positions, nullptr, b.valid));
    const at::Tensor logp = at::log_softmax(logits, -1).gather(-1, b.targets.unsqueeze(-1)).squeeze(-1);
    return -(logp * b.mask).sum() / b.mask.sum().clamp_min(1.0);
}

void checkSequences(const std::vector<std::vector<std::int32_t>> &sequences)
{
    if (sequences.empty())
        throw Error("language-model training: no sequences");
    for (std::size_t i = 0; i < sequences.size(); ++i)
        if (sequences[i].size() < 2)
            throw Error("language-model training: sequence " + std::to_string(i) + " has fewer than two tokens");
}

} // namespace

LmTrainReport trainCausalLM(CausalLM &model, const std::vector<std::vector<std::int32_t>> &sequences,
                            const LmTrainOptions &options,
                            const std::function<void(std::int64_t, std::int64_t, double)> &progress,
                            const std::function<bool()> &shouldStop)
{
    checkSequences(sequences);
    const auto t0 = std::chrono::steady_clock::now();
    LmTrainReport report;
    AdamWOptions ao;
    ao.lr = options.learningRate;
    ao.weightDecay = options.weightDecay;
    AdamW optimizer(model.trainableParameters(), ao);
    const auto n = sequences.size();
    const auto bs = static_cast<std::size_t>(std::max<std::int64_t>(1, options.batchSize));
    const std::int64_t perEpoch = static_cast<std::int64_t>((n + bs - 1) / bs);
    LrSchedule schedule;
    schedule.type = LrSchedulerType::Cosine;
    schedule.totalSteps = perEpoch * options.epochs;
    schedule.warmupSteps = warmupStepsForRatio(schedule.totalSteps, options.warmupRatio);
    std::mt19937_64 rng(options.seed);
    std::vector<std::size_t> order(n);
    model.setTraining(true);
    for (std::int64_t epoch = 0; epoch < options.epochs && !report.cancelled; ++epoch) {
        std::iota(order.begin(), order.end(), std::size_t(0));
        for (std::size_t i = n - 1; i > 0; --i)
            std::swap(order[i], order[static_cast<std::size_t>(rng() % (i + 1))]);
        double lossSum = 0, tokenSum = 0;
        for (std::size_t start = 0; start < n; start += bs) {
            if (shouldStop && shouldStop()) {
                report.cancelled = true;
                break;
            }
            const std::vector<std::size_t> rows(order.begin() + static_cast<std::ptrdiff_t>(start),
                                                order.begin() + static_cast<std::ptrdiff_t>(std::min(n, start + bs)));
            const Batch b = makeBatch(sequences, rows, model.device());
            optimizer.setLr(options.learningRate * lrMultiplier(schedule, report.steps));
            optimizer.zeroGrad();
            const at::Tensor loss = tokenLoss(model, b);
            loss.backward();
            clipGradNorm(optimizer.params(), options.maxGradNorm);
            optimizer.step();
            const double l = loss.item<double>();
            lossSum += l * b.tokens;
            tokenSum += b.tokens;
            report.tokens += static_cast<std::int64_t>(b.tokens);
            ++report.steps;
            if (progress)
                progress(report.steps, schedule.totalSteps, l);
        }
        if (tokenSum > 0)
            report.epochLoss.push_back(lossSum / tokenSum);
    }
    model.setTraining(false);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

double evaluateCausalLM(CausalLM &model, const std::vector<std::vector<std::int32_t>> &sequences,
                        std::int64_t batchSize)
{
    checkSequences(sequences);
    at::NoGradGuard noGrad;
    model.setTraining(false);
    double lossSum = 0, tokenSum = 0;
    const auto bs = static_cast<std::size_t>(std::max<std::int64_t>(1, batchSize));
    for (std::size_t start = 0; start < sequences.size(); start += bs) {
        std::vector<std::size_t> rows;
        for (std::size_t i = start; i < std::min(sequences.size(), start + bs); ++i)
            rows.push_back(i);
        const Batch b = makeBatch(sequences, rows, model.device());
        lossSum += tokenLoss(model, b).item<double>() * b.tokens;
        tokenSum += b.tokens;
    }
    return lossSum / tokenSum;
}

} // namespace awb
