#pragma once
// Test helpers shared by tst_options_form and tst_run_panel: a spec builder,
// the GRPO knobs as app/ passes them, child lookup, bitwise double equality.
#include "view_types.h"

#include <QWidget>

#include <cstring>

namespace awb::testing {

using Kind = view::OptionSpec::Kind;

inline view::OptionSpec spec(const char *key, Kind kind, const QVariant &value, const char *help = "",
                      const QStringList &choices = {})
{
    view::OptionSpec s;
    s.key = QString::fromLatin1(key);
    s.help = QString::fromLatin1(help);
    s.kind = kind;
    s.value = value;
    s.choices = choices;
    return s;
}

// The GRPO knobs as app/ passes them (core's visitGrpoOptions order), with a
// researcher's settings: 38 specs, 35 of them shown in the form.
inline QVector<view::OptionSpec> grpoSpecs()
{
    const auto L = [](qlonglong v) { return QVariant(v); };
    const auto S = [](const char *v) { return QVariant(QString::fromLatin1(v)); };
    return {
        spec("model", Kind::Path, S("/data/models/Qwen2.5-0.5B-Instruct"),
             "Policy model folder (config.json, safetensors, tokenizer.json)"),
        spec("reward_model", Kind::Path, S(""), "Reward-model folder; empty: the workspace's latest version"),
        spec("prompts", Kind::Path, S(""),
             "Prompt file (JSONL, CSV or HH-RLHF, optionally .gz); empty: the workspace's prompts"),
        spec("prompt_field", Kind::String, S("prompt"), "JSONL key or CSV column that holds the prompt"),
        spec("use_chat_template", Kind::Bool, true, "Wrap each prompt as a user turn in the policy's chat template"),
        spec("max_steps", Kind::Int, L(60), "GRPO steps to run"),
        spec("prompts_per_step", Kind::Int, L(8), "Distinct prompts per step (B)"),
        spec("num_generations", Kind::Int, L(8), "Completions per prompt (G)"),
        spec("max_prompt_length", Kind::Int, L(256), "Prompt tokens kept (the last ones)"),
        spec("max_completion_length", Kind::Int, L(48), "Tokens generated per completion at most"),
        spec("temperature", Kind::Double, 1.0, "Sampling temperature"),
        spec("top_p", Kind::Double, 1.0, "Nucleus sampling mass"),
        spec("top_k", Kind::Int, L(0), "Keep the k most likely tokens; 0 keeps all"),
        spec("num_iterations", Kind::Int, L(1), "Optimiser steps per generation batch (mu)"),
        spec("mini_batch_size", Kind::Int, L(8), "Completions per forward/backward pass (memory only)"),
        spec("mask_truncated_completions", Kind::Bool, false, "Give no weight to completions cut off before EOS"),
        spec("dynamic_sampling", Kind::Bool, false, "Replace groups whose rewards are all equal by fresh prompts"),
        spec("dynamic_sampling_max_rounds", Kind::Int, L(2), "Extra generation rounds dynamic sampling may spend"),
        spec("epsilon", Kind::Double, 0.2, "Lower clipping range of the ratio"),
        spec("epsilon_high", Kind::Double, 0.28, "Upper clipping range; negative: same as epsilon"),
        spec("beta", Kind::Double, 0.2, "KL coefficient to the reference model; 0: no reference"),
        spec("loss_type", Kind::Choice, S("dapo"), "grpo, bnpo, dr_grpo or dapo",
             {"grpo", "bnpo", "dr_grpo", "dapo"}),
        spec("scale_rewards", Kind::Choice, S("group"), "group, batch or none", {"group", "batch", "none"}),
        spec("multi_objective_aggregation", Kind::Choice, S("sum_then_normalize"),
             "sum_then_normalize or normalize_then_sum", {"sum_then_normalize", "normalize_then_sum"}),
        spec("learning_rate", Kind::Double, 5e-05, "AdamW learning rate"),
        spec("adam_beta1", Kind::Double, 0.9, "AdamW beta1"),
        spec("adam_beta2", Kind::Double, 0.999, "AdamW beta2"),
        spec("adam_epsilon", Kind::Double, 1e-08, "AdamW epsilon"),
        spec("weight_decay", Kind::Double, 0.0, "AdamW decoupled weight decay"),
        spec("max_grad_norm", Kind::Double, 1.0, "Gradient-norm clipping; 0: off"),
        spec("lr_scheduler_type", Kind::Choice, S("cosine"), "constant, constant_with_warmup, linear or cosine",
             {"constant", "constant_with_warmup", "linear", "cosine"}),
        spec("warmup_ratio", Kind::Double, 0.05, "Fraction of the optimiser steps spent warming up"),
        spec("use_lora", Kind::Bool, true, "Train LoRA adapters instead of all weights"),
        spec("lora_r", Kind::Int, L(16), "LoRA rank"),
        spec("lora_alpha", Kind::Double, 32.0, "LoRA alpha"),
        spec("lora_dropout", Kind::Double, 0.05, "LoRA dropout"),
        spec("lora_target_modules", Kind::String, S("q_proj,k_proj,v_proj,o_proj"),
             "Comma-separated module names that get adapters"),
        spec("seed", Kind::Int, L(42), "Seed of prompt order, sampling and dropout"),
        spec("save_steps", Kind::Int, L(20), "Checkpoint every N steps (and at stop); 0: only at stop"),
        spec("run_name", Kind::String, S("polite-safe-b02"), "Name of the run in the workspace"),
        spec("output_dir", Kind::Path, S("/data/runs"), "Checkpoint folder"),
    };
}

template <class T>
T *child(QWidget *w, const QString &name)
{
    T *c = w->findChild<T *>(name);
    if (!c)
        qWarning("no child %s", qPrintable(name));
    return c;
}

inline bool exactlyEqual(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

} // namespace awb::testing
