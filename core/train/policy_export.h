#pragma once
// Exporting a GRPO run's trained policy from one of its checkpoints
// (grpo_checkpoint.h) as something Hugging Face tools load directly:
//
//   Merged   a full model folder: config.json + model.safetensors (sharded
//            above maxShardBytes) + the tokenizer files. A LoRA run's adapters
//            are folded into the base weights (W + scaling B A), so
//            AutoModelForCausalLM.from_pretrained(folder) needs nothing else.
//   Adapters a LoRA run's adapters alone, in PEFT's layout: adapter_config.json
//            (base_model_name_or_path = the absolute base-model folder the run
//            trained on) + adapter_model.safetensors + the tokenizer files.
//            Only for runs trained with use_lora.
//
// A merged folder is written in fp32 (the precision training keeps) unless
// `dtype` asks for "bfloat16" or "float16" (half the size; the merge itself is
// done in fp32 first). Adapters are always written in fp32.
// The export folder appears whole or not at all (AtomicFolder); a folder that
// exists and is not empty is refused before anything is written.
// Any thread; reads only the checkpoint and the base model. Core-only header (no torch).

#include "util/runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace awb {

// What a checkpoint-<n> folder holds, from its trainer_state.json.
struct CheckpointSummary
{
    std::string path;
    std::int64_t step = 0;
    bool lora = false;
    std::string baseModel;   // the run's "model" option: the policy it started from
};

// Throws FormatError naming trainer_state.json when it is not a GRPO checkpoint.
CheckpointSummary describeCheckpoint(const std::string &checkpoint);
// The readable checkpoints under a run's checkpoint folder, oldest first.
std::vector<CheckpointSummary> runCheckpoints(const std::string &dir);

// The checkpoint's trained policy for inference: the base model with the
// checkpoint's adapters (a LoRA run) or the checkpoint's full weights. Throws
// Error naming the file when the checkpoint or its base model cannot be read.
// The checkpoint of a workspace's run at `step` (-1: the newest). Throws
// IoError naming the folder when the run has none, or none at that step
// (listing those kept).
std::string findRunCheckpoint(const std::string &db, std::int64_t run, std::int64_t step = -1);

// A LoRA run's base keeps its stored dtype as the runtime says (loadOptionsFor).
class CausalLM;
std::unique_ptr<CausalLM> loadCheckpointPolicy(const CheckpointSummary &checkpoint, const Runtime &runtime);

enum class PolicyExportLayout { Merged, Adapters };

struct PolicyExportResult
{
    std::string path;           // the folder written
    std::string layout;         // "merged" or "adapters"
    std::string dtype;          // of the weights written
    std::int64_t step = 0;
    std::int64_t tensors = 0;   // tensors written
    std::uint64_t bytes = 0;    // size of the safetensors written
};

// The dtypes a merged export can be written in: "float32", "bfloat16", "float16".
std::vector<std::string> policyExportDtypes();

// Throws Error naming the file when the checkpoint or its base model cannot be
// read, Adapters is asked of a full fine-tuning checkpoint (or in another
// dtype than float32), the dtype is unknown, or the target folder is not new
// or empty. A run with conditioning "lora" is exported at one weight vector:
// `weights` ("a=1,b=2", the run's aspects; empty: uniform), plain adapters of
// rank r + K or a merged folder; `weights` for any other run is an Error.
PolicyExportResult exportPolicy(const std::string &checkpoint, const std::string &outDir, PolicyExportLayout layout,
                                std::uint64_t maxShardBytes = 0, const std::string &dtype = "float32",
                                const std::string &weights = {});

} // namespace awb
