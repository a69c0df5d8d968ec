# core/model: causal LMs, LoRA, sampler.
target_sources(awb_core PRIVATE
)
