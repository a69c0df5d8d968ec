#!/usr/bin/env bash
# Builds the Debian package: the build (scripts/build.sh, extra arguments go to
# cmake), then `cpack -G DEB` in build/ (or $AWB_BUILD_DIR), then lintian on the
# .deb when lintian is installed. Prints the package's path last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AWB_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" "$@"
(cd "$build" && cpack -G DEB)
deb="$(ls -t "$build"/alignment-workbench_*.deb | head -n 1)"
if command -v lintian >/dev/null; then
  lintian "$deb" || true
fi
echo "$deb"
