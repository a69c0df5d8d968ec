#include "train/grpo_options.h"

#include "reward/conservative_reward.h"
#include "train/conditioning.h"
#include "train/constraints.h"
#include "train/dpo_loss.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace awb {

namespace {

template <class T>
std::string show(const T &value)
{
    std::ostringstream s;
    s << value;
    return s.str();
}

std::string joined(const std::vector<std::string> &items)
{
    std::string list;
    for (const auto &c : items)
        list += (list.empty() ? "" : ", ") + c;
    return list;
}

void requireChoice(const char *key, const std::string &value, const std::string &algorithm = "grpo")
{
    const auto choices = optionChoices(key, algorithm);
    if (std::find(choices.begin(), choices.end(), value) == choices.end())
        throw Error(std::string(key) + ": \"" + value + "\" is not one of " + joined(choices));
}

// Knobs that belong to some algorithms only; every other knob is shared.
const std::map<std::string, std::vector<std::string>> &algorithmOnlyKnobs()
{
    static const std::map<std::string, std::vector<std::string>> knobs = {
        {"loss_type", {"grpo", "dpo"}},
        {"scale_rewards", {"grpo"}},
        {"multi_objective_aggregation", {"grpo"}},
        {"dynamic_sampling", {"grpo"}},
        {"dynamic_sampling_max_rounds", {"grpo"}},
        {"normalize_advantages", {"rloo"}},
        {"beta", {"grpo", "rloo", "dpo"}},
        {"mask_truncated_completions", {"grpo", "rloo", "ppo"}},
        {"epsilon", {"grpo", "rloo"}},
        {"epsilon_high", {"grpo", "rloo"}},
        {"num_iterations", {"grpo", "rloo"}},
        {"value_model_init", {"ppo"}},
        {"kl_coef", {"ppo"}},
        {"kl_estimator", {"ppo"}},
        {"missing_eos_penalty", {"ppo"}},
        {"whiten_rewards", {"ppo"}},
        {"gamma", {"ppo"}},
        {"lam", {"ppo"}},
        {"cliprange", {"ppo"}},
        {"cliprange_value", {"ppo"}},
        {"vf_coef", {"ppo"}},
        {"num_ppo_epochs", {"ppo"}},
        {"num_mini_batches", {"ppo"}},
        {"constraints", {"grpo", "rloo", "ppo"}},
        {"lambda_init", {"grpo", "rloo", "ppo"}},
        {"lambda_lr", {"grpo", "rloo", "ppo"}},
        {"lambda_max", {"grpo", "rloo", "ppo"}},
        {"lambda_update_delay_steps", {"grpo", "rloo", "ppo"}},
        {"conditioning", {"grpo", "rloo", "ppo"}},
        {"conditioning_alpha", {"grpo", "rloo", "ppo"}},
        {"conditioning_vectors", {"grpo", "rloo", "ppo"}},
        {"conditioning_warmup_steps", {"grpo", "rloo", "ppo"}},
        {"reward_uncertainty_penalty", {"grpo", "rloo", "ppo"}},
        {"reward_ensemble_aggregation", {"grpo", "rloo", "ppo"}},
        {"pair_source", {"dpo"}},
        {"preference_file", {"dpo"}},
        {"pair_min_margin", {"dpo"}},
        {"modpo_aspect", {"dpo"}},
        {"label_smoothing", {"dpo"}},
        {"precompute_ref_log_probs", {"dpo"}},
        {"max_length", {"dpo"}},
        {"eval_steps", {"dpo"}},
    };
    return knobs;
}

void requireAtLeast(const char *key, double value, double minimum)
{
    if (!(value >= minimum))
        throw Error(std::string(key) + ": " + show(value) + " must be at least " + show(minimum));
}

void validateEnsembleRewardOptions(const GrpoOptions &o)
{
    requireChoice("reward_ensemble_aggregation", o.rewardEnsembleAggregation);
    if (!(o.rewardUncertaintyPenalty >= 0) || !std::isfinite(o.rewardUncertaintyPenalty))
        throw Error("reward_uncertainty_penalty: " + show(o.rewardUncertaintyPenalty) + " must be a number of at least 0");
    if (o.rewardUncertaintyPenalty > 0 && o.rewardEnsembleAggregation == "min")
        throw Error("reward_uncertainty_penalty: " + show(o.rewardUncertaintyPenalty) + " applies to "
                    "reward_ensemble_aggregation mean; min already takes the worst member: set one of the two");
}

struct ToJson
{
    nlohmann::json &out;
    const std::string &algorithm;
    template <class T>
    void operator()(const char *key, const T &field, const char *)
    {
        if (optionApplies(key, algorithm))
            out[key] = field;
    }
};

struct FromJson
{
    const nlohmann::json &in;
    const std::string &label;
    std::set<std::string> &seen;

    template <class T>
    void operator()(const char *key, T &field, const char *)
    {
        const auto it = in.find(key);
        if (it == in.end() || it->is_null())
            return;
        seen.insert(key);
        bool ok = false;
        if constexpr (std::is_same_v<T, bool>)
            ok = it->is_boolean();
        else if constexpr (std::is_same_v<T, std::string>)
            ok = it->is_string();
        else if constexpr (std::is_same_v<T, double>)
            ok = it->is_number();
        else if constexpr (std::is_same_v<T, std::uint64_t>)
            ok = it->is_number_unsigned() || (it->is_number_integer() && it->template get<std::int64_t>() >= 0);
        else
            ok = it->is_number_integer();
        if (!ok)
            throw FormatError(label + ": field \"" + key + "\" has the wrong type (" + it->type_name() + ")");
        field = it->template get<T>();
    }
};

} // namespace

const std::vector<std::string> &knownAlgorithms()
{
    static const std::vector<std::string> names = {"grpo", "rloo", "ppo", "dpo"};
    return names;
}

std::vector<std::string> optionAlgorithms(const std::string &key)
{
    const auto &knobs = algorithmOnlyKnobs();
    const auto it = knobs.find(key);
    return it == knobs.end() ? std::vector<std::string>{} : it->second;
}

bool optionApplies(const std::string &key, const std::string &algorithm)
{
    const auto only = optionAlgorithms(key);
    return only.empty() || std::find(only.begin(), only.end(), algorithm) != only.end();
}

std::vector<std::string> optionChoices(const std::string &key, const std::string &algorithm)
{
    if (key == "loss_type" && algorithm == "dpo")
        return dpoLossNames();
    static const std::map<std::string, std::vector<std::string>> choices = {
        {"algorithm", knownAlgorithms()},
        {"loss_type", {"grpo", "bnpo", "dr_grpo", "dapo"}},
        {"scale_rewards", {"group", "batch", "none"}},
        {"multi_objective_aggregation", {"sum_then_normalize", "normalize_then_sum"}},
        {"lr_scheduler_type", {"constant", "constant_with_warmup", "linear", "cosine"}},
        {"value_model_init", {"reward_model", "policy"}},
        {"kl_estimator", {"k1", "k3"}},
        {"pair_source", {"auto", "file", "workspace", "gold"}},
        {"conditioning", {"none", "prompt", "lora"}},
        {"reward_ensemble_aggregation", ensembleAggregationNames()},
    };
    const auto it = choices.find(key);
    return it == choices.end() ? std::vector<std::string>{} : it->second;
}

GrpoOptions defaultGrpoOptions(const std::string &algorithm)
{
    requireChoice("algorithm", algorithm);
    GrpoOptions o;
    o.algorithm = algorithm;
    if (algorithm == "rloo")
        o.beta = 0.05;   // RLOOConfig.beta: the KL penalty is part of the sequence reward
    if (algorithm == "dpo") {
        o.beta = 0.1;    // DPOConfig
        o.lossType = "sigmoid";
    }
    return o;
}

void setAlgorithm(GrpoOptions &options, const std::string &algorithm)
{
    const GrpoOptions from = defaultGrpoOptions(options.algorithm);
    const GrpoOptions to = defaultGrpoOptions(algorithm);
    if (options.beta == from.beta)
        options.beta = to.beta;
    // loss_type's values differ between GRPO and DPO: one the new algorithm does not know becomes its default.
    const auto choices = optionChoices("loss_type", algorithm);
    if (options.lossType == from.lossType || std::find(choices.begin(), choices.end(), options.lossType) == choices.end())
        options.lossType = to.lossType;
    options.algorithm = algorithm;
}

std::vector<std::string> GrpoOptions::loraTargets() const
{
    std::vector<std::string> out;
    std::stringstream in(loraTargetModules);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos)
            out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

void validateGrpoOptions(const GrpoOptions &o)
{
    requireChoice("algorithm", o.algorithm);
    requireAtLeast("max_steps", static_cast<double>(o.maxSteps), 1);
    requireAtLeast("prompts_per_step", static_cast<double>(o.promptsPerStep), 1);
    // A group of one has no relative advantage; PPO's value model is its baseline, so one completion per prompt will do.
    requireAtLeast("num_generations", static_cast<double>(o.numGenerations), o.algorithm == "ppo" ? 1 : 2);
    requireAtLeast("max_prompt_length", static_cast<double>(o.maxPromptLength), 1);
    requireAtLeast("max_completion_length", static_cast<double>(o.maxCompletionLength), 1);
    if (!(o.temperature > 0))
        throw Error("temperature: " + show(o.temperature) + " must be greater than 0");
    if (!(o.topP > 0 && o.topP <= 1))
        throw Error("top_p: " + show(o.topP) + " must be in (0, 1]");
    requireAtLeast("top_k", static_cast<double>(o.topK), 0);
    requireAtLeast("num_iterations", static_cast<double>(o.numIterations), 1);
    requireAtLeast("mini_batch_size", static_cast<double>(o.miniBatchSize), 1);
    requireAtLeast("dynamic_sampling_max_rounds", static_cast<double>(o.dynamicSamplingMaxRounds), 0);
    requireAtLeast("epsilon", o.epsilon, 0);
    requireAtLeast("beta", o.beta, 0);
    requireChoice("loss_type", o.lossType, o.algorithm);
    requireChoice("scale_rewards", o.scaleRewards);
    requireChoice("multi_objective_aggregation", o.multiObjectiveAggregation);
    requireChoice("lr_scheduler_type", o.lrSchedulerType);
    requireChoice("value_model_init", o.valueModelInit);
    requireChoice("kl_estimator", o.klEstimator);
    requireAtLeast("kl_coef", o.klCoef, 0);
    requireAtLeast("missing_eos_penalty", o.missingEosPenalty, 0);
    if (!(o.gamma >= 0 && o.gamma <= 1) || !(o.lam >= 0 && o.lam <= 1))
        throw Error("gamma/lam: must be in [0, 1]");
    requireAtLeast("cliprange", o.cliprange, 0);
    requireAtLeast("cliprange_value", o.cliprangeValue, 0);
    requireAtLeast("vf_coef", o.vfCoef, 0);
    requireAtLeast("num_ppo_epochs", static_cast<double>(o.numPpoEpochs), 1);
    requireAtLeast("num_mini_batches", static_cast<double>(o.numMiniBatches), 1);
    requireChoice("pair_source", o.pairSource);
    requireAtLeast("pair_min_margin", o.pairMinMargin, 0);
    if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 0.5))
        throw Error("label_smoothing: " + show(o.labelSmoothing) + " must be in [0, 0.5)");
    requireAtLeast("max_length", static_cast<double>(o.maxLength), 2);
    requireAtLeast("eval_steps", static_cast<double>(o.evalSteps), 1);
    if (o.algorithm == "dpo" && !(o.beta > 0))
        throw Error("beta: " + show(o.beta) + " must be greater than 0 for DPO");
    if (o.algorithm == "dpo" && o.pairSource == "file" && o.preferenceFile.empty())
        throw Error("pair_source file: no preference_file given");
    if (!(o.learningRate >= 0))
        throw Error("learning_rate: " + show(o.learningRate) + " must not be negative");
    if (!(o.adamBeta1 >= 0 && o.adamBeta1 < 1) || !(o.adamBeta2 >= 0 && o.adamBeta2 < 1))
        throw Error("adam_beta1/adam_beta2 must be in [0, 1)");
    requireAtLeast("adam_epsilon", o.adamEpsilon, 0);
    requireAtLeast("weight_decay", o.weightDecay, 0);
    requireAtLeast("max_grad_norm", o.maxGradNorm, 0);
    if (!(o.warmupRatio >= 0 && o.warmupRatio <= 1))
        throw Error("warmup_ratio: " + show(o.warmupRatio) + " must be in [0, 1]");
    requireAtLeast("lora_r", static_cast<double>(o.loraR), 1);
    if (!(o.loraDropout >= 0 && o.loraDropout < 1))
        throw Error("lora_dropout: " + show(o.loraDropout) + " must be in [0, 1)");
    if (o.useLora && o.loraTargets().empty())
        throw Error("lora_target_modules: no module named");
    requireAtLeast("save_steps", static_cast<double>(o.saveSteps), 0);
    requireAtLeast("save_total_limit", static_cast<double>(o.saveTotalLimit), 0);
    requireAtLeast("reward_batch_size", static_cast<double>(o.rewardBatchSize), 1);
    for (const auto &[name, w] : o.aspectWeights)
        if (!std::isfinite(w))
            throw Error("aspect_weights: the weight of \"" + name + "\" is not a finite number");
    if (!o.constraints.empty() && o.algorithm == "dpo")
        throw Error("constraints: DPO has no reward to constrain; use grpo, rloo or ppo");
    parseConstraints(o.constraints, "constraints");
    requireAtLeast("lambda_init", o.lambdaInit, 0);
    requireAtLeast("lambda_lr", o.lambdaLr, 0);
    requireAtLeast("lambda_max", o.lambdaMax, 0);
    requireAtLeast("lambda_update_delay_steps", static_cast<double>(o.lambdaUpdateDelaySteps), 0);
    validateEnsembleRewardOptions(o);
    if (parseConditioning(o.conditioning) == Conditioning::Lora && !o.useLora)
        throw Error("conditioning: \"lora\" steers the LoRA adapters, so it needs use_lora (--use-lora); the run "
                    "trains all weights");
    if (parseConditioning(o.conditioning) != Conditioning::None) {
        if (!(o.conditioningAlpha > 0) || !std::isfinite(o.conditioningAlpha))
            throw Error("conditioning_alpha: " + show(o.conditioningAlpha) + " must be greater than 0");
        requireAtLeast("conditioning_warmup_steps", static_cast<double>(o.conditioningWarmupSteps), 0);
        if (!o.constraints.empty())
            throw Error("conditioning: a steerable run draws every aspect's weight per group, so it cannot also hold "
                        "an aspect to a constraint; drop constraints or set conditioning to none");
    }
}

void checkAspectWeights(const std::vector<std::string> &aspects, const std::map<std::string, double> &weights,
                        const std::string &label)
{
    std::string known;
    for (const auto &a : aspects)
        known += (known.empty() ? "" : ", ") + a;
    bool anyNonZero = false;
    for (const auto &a : aspects) {
        const auto it = weights.find(a);
        const double w = it == weights.end() ? 1.0 : it->second;
        anyNonZero = anyNonZero || w != 0.0;
    }
    for (const auto &[name, w] : weights) {
        if (std::find(aspects.begin(), aspects.end(), name) == aspects.end())
            throw Error(label + ": the reward model has no aspect \"" + name + "\" (its aspects: " + known + ")");
        if (!std::isfinite(w))
            throw Error(label + ": the weight of \"" + name + "\" is not a finite number");
    }
    if (!anyNonZero)
        throw Error(label + ": all are 0 (" + known + "), so every reward and advantage is 0 and GRPO learns "
                    "nothing; give at least one aspect a non-zero weight");
}

nlohmann::json grpoOptionsToJson(const GrpoOptions &options)
{
    nlohmann::json out = nlohmann::json::object();
    GrpoOptions copy = options;
    visitGrpoOptions(copy, ToJson{out, options.algorithm});
    out["aspect_weights"] = options.aspectWeights;
    if (!options.constraints.empty())
        out["constraints"] = options.constraints;
    return out;
}

GrpoOptions grpoOptionsFromJson(const nlohmann::json &json, const std::string &label, GrpoOptions base)
{
    if (!json.is_object())
        throw FormatError(label + ": a GRPO config must be a JSON object");
    if (const auto it = json.find("algorithm"); it != json.end() && it->is_string()) {
        try {
            setAlgorithm(base, it->get<std::string>());
        } catch (const Error &e) {
            throw FormatError(label + ": " + e.what());
        }
    }
    std::set<std::string> seen;
    visitGrpoOptions(base, FromJson{json, label, seen});
    if (const auto it = json.find("aspect_weights"); it != json.end() && !it->is_null()) {
        if (!it->is_object())
            throw FormatError(label + ": field \"aspect_weights\" must be an object of aspect name -> weight");
        base.aspectWeights.clear();
        for (const auto &[name, w] : it->items()) {
            if (!w.is_number())
                throw FormatError(label + ": aspect_weights.\"" + name + "\" must be a number");
            base.aspectWeights[name] = w.get<double>();
        }
        seen.insert("aspect_weights");
    }
    if (const auto it = json.find("constraints"); it != json.end() && !it->is_null()) {
        if (!it->is_object())
            throw FormatError(label + ": field \"constraints\" must be an object of aspect name -> \">= BOUND\" or \"<= BOUND\"");
        base.constraints.clear();
        for (const auto &[name, c] : it->items()) {
            if (!c.is_string())
                throw FormatError(label + ": constraints.\"" + name + "\" must be a string such as \">= 0.9\"");
            base.constraints[name] = c.get<std::string>();
        }
        seen.insert("constraints");
    }
    for (const auto &[key, value] : json.items()) {
        (void)value;
        if (!seen.count(key) && !json.at(key).is_null()) {
            // A typo in a config must not silently run with the default.
            GrpoOptions probe;
            bool known = key == "aspect_weights" || key == "constraints";
            visitGrpoOptions(probe, [&](const char *k, auto &, const char *) { known = known || key == k; });
            if (!known)
                throw FormatError(label + ": unknown field \"" + key + "\"");
        }
    }
    for (const auto &key : seen)
        if (!optionApplies(key, base.algorithm))
            throw FormatError(label + ": \"" + key + "\" is an option of " + joined(optionAlgorithms(key)) +
                              ", not of the algorithm \"" + base.algorithm + "\"; leave it out or change algorithm");
    return base;
}

} // namespace awb
