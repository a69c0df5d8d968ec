#pragma once
// Next-token training of a causal LM on token sequences: how the demo's policy
// is pretrained on its corpus (all styles, so it starts out unaligned). Plain
// cross-entropy, AdamW, warm-up + cosine schedule, gradient clipping, batches
// of whole sequences right-padded to the longest in the batch.
// Runs on the calling thread; progress and cancellation through callbacks.
// Core-only header.

#include <cstdint>
#include <functional>
#include <vector>

namespace awb {

class CausalLM;

struct LmTrainOptions
{
    std::int64_t epochs = 3;            // passes over the sequences
    std::int64_t batchSize = 32;        // sequences per optimiser step
    double learningRate = 1e-3;
    double weightDecay = 0.01;
    double warmupRatio = 0.05;          // of the optimiser steps; cosine decay to 0 after
    double maxGradNorm = 1.0;
    std::uint64_t seed = 0;             // batch order
};

struct LmTrainReport
{
    std::vector<double> epochLoss;      // mean token cross-entropy per epoch (nats)
    std::int64_t steps = 0;
    std::int64_t tokens = 0;            // tokens trained on (all epochs)
    double seconds = 0;
    bool cancelled = false;
};

// progress(step, totalSteps, loss of the step). Every sequence needs at least
// two tokens. Throws Error for an empty or too-short input.
LmTrainReport trainCausalLM(CausalLM &model, const std::vector<std::vector<std::int32_t>> &sequences,
                            const LmTrainOptions &options,
                            const std::function<void(std::int64_t, std::int64_t, double)> &progress = {},
                            const std::function<bool()> &shouldStop = {});

// Mean token cross-entropy (nats) of the sequences, no grad.
double evaluateCausalLM(CausalLM &model, const std::vector<std::vector<std::int32_t>> &sequences,
                        std::int64_t batchSize = 32);

} // namespace awb
