#!/usr/bin/env bash
# Fuzzes the parsers of user input under ASan + UBSan (libFuzzer, clang).
#
#   scripts/fuzz.sh [SECONDS] [TARGET]
#
# SECONDS per target (default 300); TARGET one of tests/fuzz/corpus/* (default:
# all of them in turn). Builds fuzz-build/ (AWB_FUZZ: awb_base with coverage and
# sanitizers; no LibTorch), then runs each target on one core from a working
# copy of its committed corpus (fuzz-build/corpus/<target>; what the fuzzer
# adds stays there) with its dictionary, a 10 s timeout per input and a 2 GB
# memory limit. Crashes, hangs and leaks land in fuzz-build/artifacts/<target>/:
# fix them and add each reproducer to tests/fuzz/corpus/<target>/, where the
# test suite replays it (core/fuzz_replay). Logs: fuzz-build/logs/<target>.log.
# The last lines summarise each run: executions, coverage edges, corpus size.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-300}"
build="$root/fuzz-build"
corpora="$root/tests/fuzz/corpus"
if [[ $# -ge 2 ]]; then
    [[ -d "$corpora/$2" ]] || { echo "fuzz.sh: no target $2 (one of: $(ls "$corpora" | tr '\n' ' '))" >&2; exit 2; }
    targets=("$2")
else
    mapfile -t targets < <(ls "$corpora")
fi

CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DAWB_FUZZ=ON -DAWB_BUILD_GUI=OFF -DAWB_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --parallel "${AWB_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
summary=()
for t in "${targets[@]}"; do
    work="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    mkdir -p "$work" "$artifacts" "$build/logs"
    cp -n "$corpora/$t"/* "$work"/ 2>/dev/null || true
    dict=()
    [[ -f "$root/tests/fuzz/dict/$t.dict" ]] && dict=("-dict=$root/tests/fuzz/dict/$t.dict")
    echo "== fuzz_$t for ${seconds}s"
    "$build/tests/fuzz/fuzz_$t" "$work" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" 2>&1 | tee "$build/logs/$t.log" \
        | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|ERROR|SUMMARY" || true
    last=$(grep -E "^#[0-9]+[[:space:]]" "$build/logs/$t.log" | tail -1 || true)
    runs=$(grep -oP "stat::number_of_executed_units: \K[0-9]+" "$build/logs/$t.log" || echo "?")
    cov=$(grep -oP "cov: \K[0-9]+" <<<"$last" || echo "?")
    corpus=$(grep -oP "corp: \K[0-9]+/[0-9]+[a-zA-Z]*" <<<"$last" || echo "?")
    found=$(ls "$artifacts" | wc -l)
    summary+=("$(printf '%-20s runs %-10s cov %-6s corpus %-12s artifacts %s' "$t" "$runs" "$cov" "$corpus" "$found")")
done
printf '%s\n' "${summary[@]}"
