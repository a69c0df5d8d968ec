# core/train: GRPO: advantages, losses, optimiser, trainer.
target_sources(awb_core PRIVATE
)
