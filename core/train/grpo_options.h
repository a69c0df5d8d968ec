#pragma once
// Every knob of a training run (GRPO, RLOO, PPO or DPO on one skeleton),
// with its default, in one place. The JSON config (`awb train --config`), the
// CLI flags and the GUI's run form are all generated from visitGrpoOptions(),
// so a knob added here appears everywhere. Names follow Hugging Face TRL's
// GRPOConfig / RLOOConfig where TRL has the knob, so researchers recognise
// them; knobs TRL does not have are marked "awb".
//
// `algorithm` picks the algorithm. Most knobs are shared (model, LoRA,
// optimiser, bookkeeping, sampling); a few belong to one algorithm only
// (optionAlgorithms()), and giving one of those to another algorithm is an
// error, never silently ignored. The struct keeps its historical name; it is
// the options of every online algorithm.
//
// Plain data; copy freely. No torch, no Qt.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace awb {

struct GrpoOptions
{
    // --- inputs ---
    std::string algorithm = "grpo";          // awb: grpo | rloo | ppo | dpo (knownAlgorithms())
    std::string model;                       // policy: Hugging Face model folder (config.json, safetensors, tokenizer.json)
    std::string rewardModel;                 // awb: reward-model folder; empty = the store's latest version
    std::string prompts;                     // awb: prompt file (JSONL, CSV, HH-RLHF; .gz allowed); empty = the store's prompts
    std::string promptField = "prompt";      // awb: JSONL key or CSV column holding the prompt
    bool useChatTemplate = true;             // awb: wrap prompts as a user turn in the policy's chat template

    // --- the step ---
    std::int64_t maxSteps = 100;             // max_steps
    std::int64_t promptsPerStep = 8;         // awb: B, distinct prompts per step (TRL: generation batch / num_generations)
    std::int64_t numGenerations = 8;         // num_generations: G completions per prompt
    std::int64_t maxPromptLength = 256;      // max_prompt_length: longer prompts keep their last tokens
    std::int64_t maxCompletionLength = 256;  // max_completion_length
    double temperature = 1.0;                // temperature (also divides the logits in the loss, as TRL does)
    double topP = 1.0;                       // top_p
    std::int64_t topK = 0;                   // top_k, 0 = off
    std::int64_t numIterations = 1;          // num_iterations: mu, optimiser steps on each generation batch
    std::int64_t miniBatchSize = 8;          // awb: completions per forward/backward micro-batch (memory only; gradients accumulate over the batch)
    bool sharePromptPrefix = true;           // awb: training passes run each prompt of a micro-batch once for all its completions
    bool maskTruncatedCompletions = false;   // mask_truncated_completions: completions without EOS count for nothing
    bool dynamicSampling = false;            // awb (DAPO): replace groups whose rewards are all equal by fresh prompts
    std::int64_t dynamicSamplingMaxRounds = 2; // awb: how many extra generation rounds dynamic sampling may spend

    // --- the objective ---
    double epsilon = 0.2;                    // epsilon: lower clip
    double epsilonHigh = -1.0;               // epsilon_high: upper clip; negative = same as epsilon (TRL's None)
    double beta = 0.04;                      // beta: KL coefficient (k3 estimator); 0 disables the reference model
    std::string lossType = "dapo";           // loss_type: grpo | bnpo | dr_grpo | dapo
    std::string scaleRewards = "group";      // scale_rewards: group | batch | none
    std::string multiObjectiveAggregation = "sum_then_normalize"; // multi_objective_aggregation: sum_then_normalize | normalize_then_sum
    std::map<std::string, double> aspectWeights; // reward_weights by aspect name; aspects not named weigh 1
    bool normalizeAdvantages = false;        // normalize_advantages (RLOO): whiten the leave-one-out advantages over the batch
    // awb (Safe RLHF): aspects held to a bound instead of weighted, e.g. {"safety": ">= 0.9"} (train/constraints.h);
    // the constrained aspect's weight is then its Lagrange multiplier. JSON "constraints", flag --constraints.
    std::map<std::string, std::string> constraints;
    double lambdaInit = 1.0;                 // lambda_init: each multiplier's starting value
    double lambdaLr = 1.0;                   // lambda_lr: step size of the multipliers' projected gradient ascent (on the demo 0.1 moves too slowly to hold safety >= 0.9 within 60 steps)
    double lambdaMax = 10.0;                 // lambda_max: cap on a multiplier; 0 = none
    std::int64_t lambdaUpdateDelaySteps = 0; // lambda_update_delay_steps: multipliers stay at lambda_init this many steps
    // awb (steerable run, train/conditioning.h): each prompt group trains with its own weight vector, shown to
    // the policy in a system line that comes on top of max_prompt_length; "none" keeps the run's weights. conditioning_vectors: fixed vectors ("corners", "uniform",
    // "a=1,b=2", ";"-separated) that take up to half of each step's groups; the others draw Dirichlet(alpha).
    std::string conditioning = "none";       // conditioning: none | prompt | lora (needs use_lora)
    double conditioningAlpha = 1.0;          // conditioning_alpha: Dirichlet concentration of the drawn vectors
    std::string conditioningVectors = "corners;uniform"; // conditioning_vectors: always-included vectors
    std::int64_t conditioningWarmupSteps = 20; // conditioning_warmup_steps: steps that sample without the line and train with it (the policy learns to read it)
    // awb (Coste et al. 2023, reward/conservative_reward.h): with an ensemble reward model, each aspect scores
    // mean - k * std across its members (reward_uncertainty_penalty k), or its worst member (reward_ensemble_aggregation
    // min). Stored scores and the curves keep the members' mean; only the rewards are conservative.
    double rewardUncertaintyPenalty = 0.0;   // reward_uncertainty_penalty: k; 0 = the mean
    std::string rewardEnsembleAggregation = "mean"; // reward_ensemble_aggregation: mean | min

    // --- PPO (TRL's PPOConfig names and defaults) ---
    std::string valueModelInit = "reward_model"; // awb: the value model's backbone: reward_model (TRL) | policy
    double klCoef = 0.05;                    // kl_coef: per-token KL penalty in the reward
    std::string klEstimator = "k1";          // kl_estimator: k1 | k3
    double missingEosPenalty = 0.0;          // missing_eos_penalty: subtracted from the score of a completion without EOS; 0 = off (TRL's None)
    bool whitenRewards = false;              // whiten_rewards
    double gamma = 1.0;                      // gamma: discount
    double lam = 0.95;                       // lam: GAE lambda
    double cliprange = 0.2;                  // cliprange: policy ratio clip
    double cliprangeValue = 0.2;             // cliprange_value: value clip around the rollout's values
    double vfCoef = 0.1;                     // vf_coef: value-loss weight
    std::int64_t numPpoEpochs = 4;           // num_ppo_epochs: passes over each rollout
    std::int64_t numMiniBatches = 1;         // num_mini_batches: optimiser steps per pass

    // --- DPO (TRL's DPOConfig names and defaults): offline, from preference pairs ---
    // A step takes prompts_per_step pairs; beta (0.1) and loss_type (sigmoid) are DPO's own defaults.
    std::string pairSource = "auto";         // awb: file | workspace | gold | auto (file when preference_file is set, else gold with a gold judge, else workspace)
    std::string preferenceFile;              // awb: {prompt, chosen, rejected} JSONL/CSV or HH-RLHF transcripts (.gz allowed)
    double pairMinMargin = 0.05;             // awb: workspace and gold pairs: the least difference of the order keys
    std::string modpoAspect;                 // awb: MODPO: the aspect the pairs supervise (the others are margins); empty = DPO
    double labelSmoothing = 0.0;             // label_smoothing: sigmoid (cDPO) and robust, in [0, 0.5)
    bool precomputeRefLogProbs = false;      // precompute_ref_log_probs: reference log-probs once, before training; no reference copy kept
    std::int64_t maxLength = 1024;           // max_length: prompt + completion tokens (completions cut at the end, TRL's keep_start)
    std::int64_t evalSteps = 5;              // eval_steps: completions of the held-out prompts, scored and stored, every N steps (and at steps 1 and max_steps)

    // --- the optimiser ---
    double learningRate = 1e-6;              // learning_rate (TRL's GRPO default)
    double adamBeta1 = 0.9;                  // adam_beta1
    double adamBeta2 = 0.999;                // adam_beta2
    double adamEpsilon = 1e-8;               // adam_epsilon
    double weightDecay = 0.0;                // weight_decay
    double maxGradNorm = 1.0;                // max_grad_norm; 0 = no clipping
    std::string lrSchedulerType = "cosine";  // lr_scheduler_type: constant | constant_with_warmup | linear | cosine
    double warmupRatio = 0.05;               // warmup_ratio of max_steps (optimiser steps = max_steps * num_iterations)

    // --- parameter-efficient training ---
    bool useLora = false;                    // awb: train LoRA adapters; the reference is the base with adapters off
    std::int64_t loraR = 16;                 // r
    double loraAlpha = 32.0;                 // lora_alpha
    double loraDropout = 0.05;               // lora_dropout
    std::string loraTargetModules = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"; // target_modules, comma-separated

    // --- bookkeeping ---
    std::uint64_t seed = 42;                 // seed: prompt order, sampling, dropout all derive from it and the step
    std::int64_t saveSteps = 20;             // save_steps: a checkpoint every N steps (and always at stop); 0 = only at stop
    std::int64_t saveTotalLimit = 2;         // save_total_limit: older checkpoints are deleted; 0 = keep all
    std::int64_t rewardBatchSize = 32;       // awb: completions per reward-model forward
    std::string runName;                     // awb: shown in the store and the GUI; empty = a name from the time

    // Derived: epsilon_high with the TRL default applied.
    double effectiveEpsilonHigh() const { return epsilonHigh < 0 ? epsilon : epsilonHigh; }
    std::vector<std::string> loraTargets() const;
};

// Describes one scalar knob to a visitor: JSON key (TRL name), a one-line help.
// The visitor is called as v(key, field&, help) for std::int64_t, std::uint64_t,
// double, bool and std::string fields, in declaration order. aspectWeights is
// not visited (it is a map; JSON "aspect_weights"), nor is constraints (JSON "constraints").
template <class Visitor>
void visitGrpoOptions(GrpoOptions &o, Visitor &&v)
{
    v("algorithm", o.algorithm, "Training algorithm: grpo, rloo, ppo or dpo");
    v("model", o.model, "Policy model folder (config.json, safetensors, tokenizer.json)");
    v("reward_model", o.rewardModel, "Reward-model folder; empty: the workspace's latest version");
    v("prompts", o.prompts, "Prompt file (JSONL, CSV or HH-RLHF, optionally .gz); empty: the workspace's prompts");
    v("prompt_field", o.promptField, "JSONL key or CSV column that holds the prompt");
    v("use_chat_template", o.useChatTemplate, "Wrap each prompt as a user turn in the policy's chat template");
    v("max_steps", o.maxSteps, "GRPO steps to run");
    v("prompts_per_step", o.promptsPerStep, "Distinct prompts per step (B)");
    v("num_generations", o.numGenerations, "Completions per prompt (G)");
    v("max_prompt_length", o.maxPromptLength, "Prompt tokens kept (the last ones)");
    v("max_completion_length", o.maxCompletionLength, "Tokens generated per completion at most");
    v("temperature", o.temperature, "Sampling temperature");
    v("top_p", o.topP, "Nucleus sampling mass");
    v("top_k", o.topK, "Keep the k most likely tokens; 0 keeps all");
    v("num_iterations", o.numIterations, "Optimiser steps per generation batch (mu)");
    v("mini_batch_size", o.miniBatchSize, "Completions per forward/backward pass (memory only)");
    v("share_prompt_prefix", o.sharePromptPrefix,
      "Reference and update passes run each prompt once for all its completions (same values, less compute)");
    v("mask_truncated_completions", o.maskTruncatedCompletions, "Give no weight to completions cut off before EOS");
    v("dynamic_sampling", o.dynamicSampling, "Replace groups whose rewards are all equal by fresh prompts");
    v("dynamic_sampling_max_rounds", o.dynamicSamplingMaxRounds, "Extra generation rounds dynamic sampling may spend");
    v("epsilon", o.epsilon, "Lower clipping range of the ratio");
    v("epsilon_high", o.epsilonHigh, "Upper clipping range; negative: same as epsilon");
    v("beta", o.beta, "KL coefficient to the reference model; 0: no reference");
    v("loss_type", o.lossType, "GRPO: grpo, bnpo, dr_grpo or dapo; DPO: sigmoid, robust, hinge or ipo");
    v("scale_rewards", o.scaleRewards, "group, batch or none");
    v("multi_objective_aggregation", o.multiObjectiveAggregation, "sum_then_normalize or normalize_then_sum");
    v("normalize_advantages", o.normalizeAdvantages, "Whiten the leave-one-out advantages over the batch");
    v("lambda_init", o.lambdaInit, "Starting Lagrange multiplier of each constraint");
    v("lambda_lr", o.lambdaLr, "Step size of the multipliers");
    v("lambda_max", o.lambdaMax, "Cap on a multiplier; 0: none");
    v("lambda_update_delay_steps", o.lambdaUpdateDelaySteps, "Steps before the multipliers move");
    v("conditioning", o.conditioning, "Steerable run: none, or prompt (each group's weights in a system line)");
    v("conditioning_alpha", o.conditioningAlpha, "Dirichlet concentration of a steerable run's drawn weights");
    v("conditioning_vectors", o.conditioningVectors,
      "Weight vectors always trained (corners, uniform or a=1,b=2; separated by ;)");
    v("conditioning_warmup_steps", o.conditioningWarmupSteps,
      "Steerable run: first steps sample without the weights line and train with it");
    v("reward_uncertainty_penalty", o.rewardUncertaintyPenalty,
      "Ensemble reward model: each aspect scores mean - k * std across members; 0: the mean");
    v("reward_ensemble_aggregation", o.rewardEnsembleAggregation,
      "Ensemble reward model: mean (minus the penalty) or min (the worst member)");
    v("value_model_init", o.valueModelInit, "Value model backbone: reward_model or policy");
    v("kl_coef", o.klCoef, "Per-token KL penalty in the PPO reward");
    v("kl_estimator", o.klEstimator, "k1 or k3");
    v("missing_eos_penalty", o.missingEosPenalty, "Score penalty for a completion without EOS; 0: off");
    v("whiten_rewards", o.whitenRewards, "Whiten the per-token rewards");
    v("gamma", o.gamma, "Discount factor");
    v("lam", o.lam, "GAE lambda");
    v("cliprange", o.cliprange, "PPO policy ratio clip");
    v("cliprange_value", o.cliprangeValue, "PPO value clip");
    v("vf_coef", o.vfCoef, "Weight of the value loss");
    v("num_ppo_epochs", o.numPpoEpochs, "Passes over each rollout");
    v("num_mini_batches", o.numMiniBatches, "Optimiser steps per pass");
    v("pair_source", o.pairSource, "Preference pairs: file, workspace, gold or auto");
    v("preference_file", o.preferenceFile, "Preference pairs file ({prompt, chosen, rejected} or HH-RLHF)");
    v("pair_min_margin", o.pairMinMargin, "Least score difference of a pair built from samples");
    v("modpo_aspect", o.modpoAspect, "MODPO: the aspect the pairs supervise; empty: DPO");
    v("label_smoothing", o.labelSmoothing, "Probability that a preference is flipped (sigmoid, robust)");
    v("precompute_ref_log_probs", o.precomputeRefLogProbs, "Reference log-probs once before training; no reference copy");
    v("max_length", o.maxLength, "Prompt plus completion tokens kept");
    v("eval_steps", o.evalSteps, "Evaluation generations every N steps");
    v("learning_rate", o.learningRate, "AdamW learning rate");
    v("adam_beta1", o.adamBeta1, "AdamW beta1");
    v("adam_beta2", o.adamBeta2, "AdamW beta2");
    v("adam_epsilon", o.adamEpsilon, "AdamW epsilon");
    v("weight_decay", o.weightDecay, "AdamW decoupled weight decay");
    v("max_grad_norm", o.maxGradNorm, "Gradient-norm clipping; 0: off");
    v("lr_scheduler_type", o.lrSchedulerType, "constant, constant_with_warmup, linear or cosine");
    v("warmup_ratio", o.warmupRatio, "Fraction of the optimiser steps spent warming up");
    v("use_lora", o.useLora, "Train LoRA adapters instead of all weights");
    v("lora_r", o.loraR, "LoRA rank");
    v("lora_alpha", o.loraAlpha, "LoRA alpha");
    v("lora_dropout", o.loraDropout, "LoRA dropout");
    v("lora_target_modules", o.loraTargetModules, "Comma-separated module names that get adapters");
    v("seed", o.seed, "Seed of prompt order, sampling and dropout");
    v("save_steps", o.saveSteps, "Checkpoint every N steps (and at stop); 0: only at stop");
    v("save_total_limit", o.saveTotalLimit, "Checkpoints kept; 0: all");
    v("reward_batch_size", o.rewardBatchSize, "Completions per reward-model forward pass");
    v("run_name", o.runName, "Name of the run in the workspace");
}

// The algorithms of the online skeleton, in the order the GUI lists them.
const std::vector<std::string> &knownAlgorithms();
// The algorithms a knob belongs to; empty when every algorithm uses it.
std::vector<std::string> optionAlgorithms(const std::string &key);
bool optionApplies(const std::string &key, const std::string &algorithm);
// The values a string knob may take (loss_type, scale_rewards, ...) under
// `algorithm` (loss_type differs for DPO); empty for free text.
std::vector<std::string> optionChoices(const std::string &key, const std::string &algorithm = "grpo");
// The defaults of one algorithm: TRL's where they differ (RLOO's beta is 0.05;
// DPO's beta 0.1 and loss_type sigmoid).
// Throws Error listing the known algorithms for an unknown name.
GrpoOptions defaultGrpoOptions(const std::string &algorithm);
// Switches `options` to `algorithm`: knobs still at the old algorithm's
// default take the new one's default; knobs set by hand keep their value.
void setAlgorithm(GrpoOptions &options, const std::string &algorithm);

// Checks ranges and choices; throws Error naming the field and the value.
void validateGrpoOptions(const GrpoOptions &options);

// Aspect weights as GRPO will use them: `weights` (aspect -> weight; an aspect
// it does not name weighs 1) must name only `aspects`, hold finite numbers
// and give at least one aspect a non-zero weight, else every reward is 0 and
// a step teaches nothing. Throws Error starting with `label`, naming the aspect.
void checkAspectWeights(const std::vector<std::string> &aspects, const std::map<std::string, double> &weights,
                        const std::string &label = "aspect weights");

// JSON with the TRL key names; only the knobs of options.algorithm are written.
// fromJson starts from `base` (normally the defaults; an "algorithm" key
// switches it with setAlgorithm first) and rejects unknown keys, wrong types
// and knobs of another algorithm, naming `label` (the file).
nlohmann::json grpoOptionsToJson(const GrpoOptions &options);
GrpoOptions grpoOptionsFromJson(const nlohmann::json &json, const std::string &label, GrpoOptions base = {});

} // namespace awb
