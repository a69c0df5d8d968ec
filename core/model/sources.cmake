# core/model: causal LMs, LoRA, sampler, and the fp32 CPU kernels of the inference path.
target_sources(awb_core PRIVATE
    model/causal_lm.cpp
    model/causal_lm_fast.cpp
    model/causal_lm_io.cpp
    model/kernels.cpp
    model/kernels_avx2.cpp
    model/kernels_avx512.cpp
    model/kernels_scalar.cpp
    model/lora.cpp
    model/sampler.cpp
    model/stored_ops.cpp
    model/weight_arena.cpp
)
