#include "train/grpo_options.h"

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

void requireChoice(const char *key, const std::string &value, std::initializer_list<const char *> choices)
{
    std::string list;
    for (const char *c : choices) {
        if (value == c)
            return;
        list += list.empty() ? "" : ", ";
        list += c;
    }
    throw Error(std::string(key) + ": \"" + value + "\" is not one of " + list);
}

void requireAtLeast(const char *key, double value, double minimum)
{
    if (!(value >= minimum))
        throw Error(std::string(key) + ": " + show(value) + " must be at least " + show(minimum));
}

struct ToJson
{
    nlohmann::json &out;
    template <class T>
    void operator()(const char *key, const T &field, const char *) { out[key] = field; }
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
    requireAtLeast("max_steps", static_cast<double>(o.maxSteps), 1);
    requireAtLeast("prompts_per_step", static_cast<double>(o.promptsPerStep), 1);
    requireAtLeast("num_generations", static_cast<double>(o.numGenerations), 2);   // a group of one has no relative advantage
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
    requireChoice("loss_type", o.lossType, {"grpo", "bnpo", "dr_grpo", "dapo"});
    requireChoice("scale_rewards", o.scaleRewards, {"group", "batch", "none"});
    requireChoice("multi_objective_aggregation", o.multiObjectiveAggregation, {"sum_then_normalize", "normalize_then_sum"});
    requireChoice("lr_scheduler_type", o.lrSchedulerType, {"constant", "constant_with_warmup", "linear", "cosine"});
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
    visitGrpoOptions(copy, ToJson{out});
    out["aspect_weights"] = options.aspectWeights;
    return out;
}

GrpoOptions grpoOptionsFromJson(const nlohmann::json &json, const std::string &label, GrpoOptions base)
{
    if (!json.is_object())
        throw FormatError(label + ": a GRPO config must be a JSON object");
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
    for (const auto &[key, value] : json.items()) {
        (void)value;
        if (!seen.count(key) && !json.at(key).is_null()) {
            // A typo in a config must not silently run with the default.
            GrpoOptions probe;
            bool known = key == "aspect_weights";
            visitGrpoOptions(probe, [&](const char *k, auto &, const char *) { known = known || key == k; });
            if (!known)
                throw FormatError(label + ": unknown field \"" + key + "\"");
        }
    }
    return base;
}

} // namespace awb
