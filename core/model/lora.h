#pragma once
// LoRA adapters (Hu et al., 2021) in the PEFT layout, so adapters trained here
// load with `peft.PeftModel.from_pretrained` and the other way round.
// The adapters themselves live inside CausalLM's projections; this header has
// the options and the file format. See CausalLM::addLora and friends.

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

struct LoraOptions
{
    std::int64_t r = 16;          // rank
    double alpha = 32.0;          // lora_alpha; scaling = alpha / r (alpha / sqrt(r) with useRslora)
    double dropout = 0.05;        // lora_dropout on the adapter's input while training
    bool useRslora = false;       // use_rslora
    // Module names (the last component of the Hugging Face name): q_proj, k_proj,
    // v_proj, o_proj, gate_proj, up_proj, down_proj (Llama/Qwen2); c_attn,
    // attn.c_proj, c_fc, mlp.c_proj (GPT-2; "c_proj" means both).
    std::vector<std::string> targetModules = {"q_proj", "k_proj", "v_proj", "o_proj",
                                              "gate_proj", "up_proj", "down_proj"};
    std::string baseModelPath;    // base_model_name_or_path in adapter_config.json
    // A preference-conditioned ("lora" conditioning, Panacea-style) adapter has
    // K more inner dimensions than r: delta = scaling * B diag(1..1, s*w_1..s*w_K) A x,
    // where w is the row's aspect-weight vector (summing to 1) and s a learned
    // scale per adapter. 0: a plain LoRA adapter. Saved as awb_preference_rank.
    std::int64_t preferenceRank = 0;

    double scaling() const;
};

} // namespace awb
