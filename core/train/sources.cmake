# core/train: the training skeleton (rollout, step report, checkpoints), the algorithms
# (GRPO, RLOO, PPO, DPO) as tables of advantage estimators and losses, optimiser, trainer.
target_sources(awb_core PRIVATE
    train/adamw.cpp
    train/advantages.cpp
    train/grpo_loss.cpp
    train/algorithms.cpp
    train/rollout.cpp
    train/value_model.cpp
    train/lr_schedule.cpp
    train/grpo_batch.cpp
    train/grpo_checkpoint.cpp
    train/policy_export.cpp
    train/grpo_options.cpp
    train/grpo_trainer.cpp
    train/grpo_trainer_update.cpp
    train/grpo_trainer_dist.cpp
    train/dpo_loss.cpp
    train/dpo_trainer_step.cpp
    train/preference_pairs.cpp
    train/constraints.cpp
    train/conditioning.cpp
    train/steering.cpp
    train/training_controls.cpp
    train/lm_trainer.cpp
    train/grpo_session.cpp
    train/workspace_controls.cpp
    train/labelling_sampler.cpp
    train/prompt_budget.cpp
    train/active_learning.cpp
)
