#!/usr/bin/env bash
# Configures and builds into build/ (or $AWB_BUILD_DIR). Extra arguments go to cmake.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AWB_BUILD_DIR:-$root/build}"
jobs="${AWB_JOBS:-$(nproc)}"
cmake -S "$root" -B "$build" -G Ninja "$@"
cmake --build "$build" --parallel "$jobs"
