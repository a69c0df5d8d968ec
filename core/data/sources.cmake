# core/data: prompt sets and the demo corpus.
target_sources(awb_core PRIVATE
)
