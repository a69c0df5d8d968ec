# core/reward: aspect schema, multi-aspect reward model.
target_sources(awb_core PRIVATE
    reward/aspect_schema.cpp
    reward/conservative_reward.cpp
    reward/reward_metrics.cpp
    reward/reward_model.cpp
    reward/reward_model_io.cpp
    reward/reward_data.cpp
    reward/reward_exchange.cpp
    reward/reward_from_data.cpp
    reward/reward_retrain.cpp
    reward/reward_trainer.cpp
)
