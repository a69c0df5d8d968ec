// GrpoTrainer across data-parallel ranks (dist/communicator.h).
//
// Every rank holds the whole policy and the whole step's prompts. Of the step's
// B groups, rank r samples and scores groups [rB/W, (r+1)B/W): whole groups, so
// group-relative advantages need nothing from the other ranks. The scored
// groups are then gathered, so every rank holds the whole batch and computes
// the advantages (batch-level scaling, RLOO's and PPO's terms included), the
// rollout metrics and the samples exactly as one process would; rank 0 alone
// records them. Each rank packs and trains only its own rows, which are whole
// micro-batches of the single-process packing (checkDataParallel), and the
// loss's normalisers are the whole batch's: dapo's token count is all-reduced,
// and grpo/bnpo/dr_grpo divide by the step's number of micro-batches over all
// ranks. Gradients are then summed over ranks in flattened buckets; since the
// normalisers are global, the sum is the single-process gradient (the "scale"
// is folded into the normalisers), and every rank takes the same clipped AdamW
// step. With few trainable parameters (LoRA; at most kExactGradientSumLimit
// elements) the micro-batches' gradients are summed in float64 on each rank and
// over ranks, then rounded once to float32: a sum that does not depend on the
// order it was taken in, so 1 process and W ranks get the same gradient bit for
// bit (AdamW's division by sqrt(v) would otherwise turn rounding noise in
// near-zero gradients into differences of the order of the learning rate).
// Larger (full fine-tuning) runs sum in the parameters' dtype, as autograd
// does, and match within reduction-order rounding. Sampling seeds derive from (seed, step, group) and LoRA dropout from
// (seed, step, pass, micro-batch), so the split does not change the draws.
//
// What is not bit-identical: floating-point sums taken in another order (the
// gradient and metric reductions, batched products over fewer rows, another
// prompt padding), about 1e-6 relative in fp32; a sampled token can in
// principle flip where a uniform draw falls within that of a boundary.
#include "train/grpo_trainer_impl.h"

#include <nlohmann/json.hpp>

#include <thread>

namespace awb {

bool GrpoTrainer::Impl::distributed() const
{
    return comm->size() > 1;
}

std::pair<std::int64_t, std::int64_t> GrpoTrainer::Impl::share(std::int64_t count) const
{
    const std::int64_t W = comm->size(), r = comm->rank();
    return {r * count / W, (r + 1) * count / W};
}

void GrpoTrainer::Impl::checkDataParallel() const
{
    if (!distributed())
        return;
    const GrpoOptions &o = setup.options;
    const std::int64_t W = comm->size();
    if (spec.offline)
        throw Error(o.algorithm + " does not run data-parallel yet: start it as one process (without torchrun or srun)");
    if (o.promptsPerStep % W != 0)
        throw Error("prompts_per_step " + std::to_string(o.promptsPerStep) + " does not divide among " +
                    std::to_string(W) + " ranks: give a multiple of the world size");
    const std::int64_t rows = o.promptsPerStep / W * o.numGenerations;
    if (rows % o.miniBatchSize != 0)
        throw Error("each of the " + std::to_string(W) + " ranks trains " + std::to_string(rows) +
                    " completions per step (prompts_per_step / world size x num_generations), not a multiple of "
                    "mini_batch_size " + std::to_string(o.miniBatchSize) +
                    ": choose a mini_batch_size that divides it, so the ranks' micro-batches are the single-process ones");
}

bool GrpoTrainer::Impl::syncControls(std::int64_t step)
{
    if (!distributed())
        return false;
    // Rank 0 sends its controls; while it is paused it keeps sending, so the
    // others wait in short collectives rather than one that could time out.
    for (;;) {
        std::string text;
        if (comm->root()) {
            sink.onStepStart(step);   // the workspace's controls (a window's), pause included
            const ControlSnapshot snap = controls.snapshot();
            nlohmann::json j;
            j["weights"] = snap.weights;
            j["aggregation"] = snap.aggregation;
            j["bounds"] = snap.bounds;
            j["reward_model_version"] = snap.rewardModel ? snap.rewardModelVersion : rewardModelVersion;
            j["reward_model_path"] = snap.rewardModel ? snap.rewardModelPath : std::string();
            j["paused"] = controls.pauseRequested() && !controls.stopRequested();
            text = j.dump();
        }
        const nlohmann::json j = nlohmann::json::parse(comm->broadcast(text, "the step's controls"));
        if (!comm->root()) {
            controls.setWeights(j["weights"].get<std::map<std::string, double>>());
            controls.setAggregation(j["aggregation"].get<std::string>());
            controls.setBounds(j["bounds"].get<std::map<std::string, double>>());
            const auto version = j["reward_model_version"].get<std::int64_t>();
            const auto path = j["reward_model_path"].get<std::string>();
            if (version != rewardModelVersion && !path.empty() && controls.snapshot().rewardModelVersion != version) {
                CausalLM::LoadOptions lo;
                lo.device = setup.runtime.device;
                lo.dtype = setup.runtime.dtype;
                controls.publishRewardModel(
                    std::shared_ptr<RewardModel>(RewardModel::load(path, lo, policy.get(), setup.options.model)), version, path);
            }
        }
        if (!j["paused"].get<bool>())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return comm->any(controls.stopRequested(), "the agreement to start the next step");
}

GenerationBatch GrpoTrainer::Impl::gatherBatch(GenerationBatch local, const std::vector<std::int64_t> &prompts,
                                               const std::vector<std::vector<double>> &weights) const
{
    if (!distributed())
        return local;
    nlohmann::json mine;
    mine["generated"] = local.generatedTokens;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto &c : local.completions)
        rows.push_back({c.tokens, nlohmann::json::binary(std::vector<std::uint8_t>(c.text.begin(), c.text.end())),
                        c.finish, c.truncated, c.scores, c.gold, c.scoreStd, c.members, c.rewardScores});
    mine["rows"] = std::move(rows);
    const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(mine);
    GenerationBatch all;
    all.promptIndex = prompts;
    all.groupWeights = weights;
    all.G = local.G;
    for (const std::string &part : comm->allGather(std::string(bytes.begin(), bytes.end()), "the step's completions")) {
        const nlohmann::json j = nlohmann::json::from_cbor(part);
        all.generatedTokens += j["generated"].get<std::int64_t>();
        for (const auto &row : j["rows"]) {
            GeneratedCompletion c;
            const std::size_t g = all.completions.size() / static_cast<std::size_t>(all.G);
            c.prompt = &rollout->conditionedPromptIds(prompts[g], weights.empty() ? std::vector<double>{} : weights[g]);
            c.tokens = row[0].get<std::vector<std::int32_t>>();
            const auto &text = row[1].get_binary();
            c.text.assign(text.begin(), text.end());
            c.finish = row[2].get<std::string>();
            c.truncated = row[3].get<bool>();
            c.scores = row[4].get<std::vector<double>>();
            c.gold = row[5].get<std::vector<double>>();
            c.scoreStd = row[6].get<std::vector<double>>();
            c.members = row[7].get<std::vector<std::vector<double>>>();
            c.rewardScores = row[8].get<std::vector<double>>();
            all.completions.push_back(std::move(c));
        }
    }
    return all;
}

at::Tensor GrpoTrainer::Impl::sumOverRanks(at::Tensor local, const std::string &what) const
{
    if (!distributed())
        return local;
    std::vector<at::Tensor> t = {local.contiguous()};
    comm->allReduceSum(t, what);
    return t[0];
}

at::Tensor GrpoTrainer::Impl::wholeRows(const std::vector<PackedMicroBatch> &micro, at::Tensor PackedMicroBatch::*field,
                                        std::int64_t N) const
{
    at::Tensor local = gatherRows(micro, field);
    if (!distributed())
        return local;
    std::int64_t T = local.size(1);
    for (const auto &w : comm->allGather(std::to_string(T), "the widest completion"))
        T = std::max<std::int64_t>(T, std::stoll(w));
    at::Tensor whole = at::zeros({N, T}, local.options());
    whole.narrow(0, 0, local.size(0)).narrow(1, 0, local.size(1)).copy_(local);
    return sumOverRanks(whole, "the batch's per-token values");
}

bool GrpoTrainer::Impl::exactGradientSum() const
{
    std::int64_t n = 0;
    for (const auto &[name, p] : optimizer->params())
        n += p.numel();
    return n <= kExactGradientSumLimit;
}

void GrpoTrainer::Impl::accumulateGradients(std::vector<at::Tensor> &sum)
{
    at::NoGradGuard noGrad;
    const NamedTensors &params = optimizer->params();
    sum.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        at::Tensor p = params[i].second;
        if (!p.grad().defined())
            continue;
        if (sum[i].defined())
            sum[i].add_(p.grad().to(at::kDouble));
        else
            sum[i] = p.grad().to(at::kDouble);
        p.mutable_grad() = at::Tensor();
    }
}

void GrpoTrainer::Impl::allReduceGradients(std::vector<at::Tensor> &sum)
{
    const NamedTensors &params = optimizer->params();
    const bool exact = exactGradientSum();
    if (!distributed() && !exact)
        return;
    sum.resize(params.size());
    // A parameter no micro-batch of this rank reached has no gradient here but may elsewhere:
    // zeros take part, and a parameter no rank reached gets none back (AdamW skips it, as in one process).
    std::vector<double> reached;
    std::vector<at::Tensor> grads;
    for (std::size_t i = 0; i < params.size(); ++i) {
        at::Tensor p = params[i].second;
        at::Tensor &g = exact ? sum[i] : p.mutable_grad();
        reached.push_back(g.defined() ? 1.0 : 0.0);
        if (!g.defined())
            g = at::zeros_like(p, exact ? p.options().dtype(at::kDouble) : p.options());
        grads.push_back(g);
    }
    comm->allReduceSum(reached, "which parameters have gradients");
    comm->allReduceSum(grads, "the gradients");
    for (std::size_t i = 0; i < params.size(); ++i) {
        at::Tensor p = params[i].second;
        if (reached[i] == 0.0)
            p.mutable_grad() = at::Tensor();
        else if (exact)
            p.mutable_grad() = grads[i].to(p.scalar_type());
    }
    sum.clear();
}

void GrpoTrainer::Impl::reduceUpdate(const std::vector<UpdatePhase> &slots, UpdatePhase &u) const
{
    // The summed fields, in one table: every slot belongs to one rank, so the sum over ranks is exact.
    static constexpr double UpdatePhase::*kFields[] = {
        &UpdatePhase::lossSum,  &UpdatePhase::klSum,        &UpdatePhase::entropySum,   &UpdatePhase::clipLow,
        &UpdatePhase::clipHigh, &UpdatePhase::clipRegion,   &UpdatePhase::tokenWeight,  &UpdatePhase::metricWeight,
        &UpdatePhase::policyLossSum, &UpdatePhase::valueLossSum, &UpdatePhase::valueClip, &UpdatePhase::approxKl,
        &UpdatePhase::ratio};
    constexpr std::size_t F = std::size(kFields) + 1;
    std::vector<double> table(slots.size() * F, 0.0);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        for (std::size_t f = 0; f + 1 < F; ++f)
            table[i * F + f] = slots[i].*kFields[f];
        table[i * F + F - 1] = static_cast<double>(slots[i].microBatches);
    }
    comm->allReduceSum(table, "the step's metrics");
    for (std::size_t i = 0; i < slots.size(); ++i) {
        for (std::size_t f = 0; f + 1 < F; ++f)
            u.*kFields[f] += table[i * F + f];
        u.microBatches += static_cast<std::int64_t>(table[i * F + F - 1] + 0.5);
    }
}

void GrpoTrainer::Impl::broadcastState()
{
    if (!distributed())
        return;
    std::vector<at::Tensor> tensors;
    for (const auto &[name, p] : optimizer->params())
        tensors.push_back(p.detach());
    for (const auto &[name, t] : optimizer->stateDict())
        tensors.push_back(t);
    at::NoGradGuard noGrad;
    comm->broadcast(tensors, "the parameters and optimiser state from rank 0");
}

} // namespace awb
