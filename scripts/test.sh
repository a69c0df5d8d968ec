#!/usr/bin/env bash
# The README's second command: install what is missing, build, run every test.
# Extra arguments go to ctest (e.g. -LE slow to skip the slow ones locally).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AWB_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
export QT_QPA_PLATFORM=offscreen
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" "$@"
