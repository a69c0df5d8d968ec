#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) and fuzzes the safetensors
# header parser for $1 seconds (default 300), starting from a small seed corpus.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-300}"
build="$root/fuzz-build"
CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DAWB_FUZZ=ON -DAWB_BUILD_GUI=OFF -DAWB_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_safetensors_header
corpus="$build/corpus"
mkdir -p "$corpus"
seed() { printf '%s' "$2" > "$corpus/$1"; }
# 8-byte length prefixes written with printf escapes, then JSON, then data.
printf '\x08\x00\x00\x00\x00\x00\x00\x00{}      ' > "$corpus/empty"
printf '\x40\x00\x00\x00\x00\x00\x00\x00{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}%024d' 0 > "$corpus/one"
printf '\x60\x00\x00\x00\x00\x00\x00\x00{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}%8s' '' > "$corpus/meta"
"$build/tests/fuzz/fuzz_safetensors_header" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
  -dict=<(printf '"dtype"\n"shape"\n"data_offsets"\n"__metadata__"\n"F32"\n"BF16"\n"I64"\n"BOOL"\n"{"\n"}"\n"["\n"]"\n') \
  "$corpus"
