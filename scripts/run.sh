#!/usr/bin/env bash
# The README's first command: install what is missing, build, launch the GUI.
# Without a display (a server, CI) the window opens inside a virtual X server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
app="${AWB_BUILD_DIR:-$root/build}/app/alignment-workbench"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting inside xvfb-run (pass --screenshot FILE to see it)" >&2
  exec xvfb-run -a -s "-screen 0 1920x1200x24" "$app" "$@"
fi
exec "$app" "$@"
