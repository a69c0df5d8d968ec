# core/reward: aspect schema, multi-aspect reward model. The schema and the
# readers of users' reward-model data have no LibTorch (awb_base).
target_sources(awb_base PRIVATE
    reward/aspect_schema.cpp
    reward/reward_data.cpp
    reward/reward_records.cpp
)
target_sources(awb_core PRIVATE
    reward/conservative_reward.cpp
    reward/reward_metrics.cpp
    reward/reward_model.cpp
    reward/reward_model_io.cpp
    reward/reward_exchange.cpp
    reward/reward_from_data.cpp
    reward/reward_retrain.cpp
    reward/reward_trainer.cpp
)
