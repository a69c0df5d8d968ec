# core/reward: aspect schema, multi-aspect reward model.
target_sources(awb_core PRIVATE
)
