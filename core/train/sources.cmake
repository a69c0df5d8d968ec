# core/train: GRPO: advantages, losses, optimiser, trainer.
target_sources(awb_core PRIVATE
    train/adamw.cpp
    train/advantages.cpp
    train/grpo_loss.cpp
    train/lr_schedule.cpp
)
