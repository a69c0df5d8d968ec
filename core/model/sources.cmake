# core/model: causal LMs, LoRA, sampler.
target_sources(awb_core PRIVATE
    model/causal_lm.cpp
    model/causal_lm_io.cpp
    model/lora.cpp
    model/sampler.cpp
)
