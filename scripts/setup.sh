#!/usr/bin/env bash
# Installs every Debian 12 package that the build, the app and the tests need.
# Idempotent: when everything is present it does nothing (no apt-get at all).
# Uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang
  # core: LibTorch (CPU), a threaded BLAS for it, SQLite, JSON, regex, CLI parsing, benchmarks
  libtorch-dev libopenblas0-pthread libsqlite3-dev nlohmann-json3-dev libpcre2-dev libicu-dev
  libcli11-dev libbenchmark-dev zlib1g-dev
  # scale-out: Gloo's headers for LibTorch's c10d process groups, torchrun (python3-torch)
  libgloo-dev python3-torch
  # GUI: Qt 6 widgets, tools and translations, QCustomPlot's Qt 6 build
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  libqcustomplot-dev
  # Qt's own translations (qtbase_de.qm, qtbase_zh_CN.qm) and CJK glyphs for the Chinese UI
  qt6-translations-l10n fonts-noto-cjk
  # running the GUI without a display, and screenshots of it
  xvfb xauth imagemagick
  # packaging: PNG icons from the SVG, the .deb (dpkg-shlibdeps, file) and its checks
  librsvg2-bin dpkg-dev file appstream desktop-file-utils lintian
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing+=("$p")
  fi
done

# The tokenizer tests compare with a reference that runs on node (tests/tokenizer,
# installed from npm by the ctest fixture). Machines of this kind come with node,
# often not from Debian, so Debian's nodejs and npm are added only when missing.
if ! command -v node >/dev/null; then
  missing+=(nodejs npm)
elif ! command -v npm >/dev/null; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
