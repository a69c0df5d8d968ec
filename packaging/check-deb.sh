#!/usr/bin/env bash
# Builds the .deb from a built tree into OUT_DIR and checks what it holds:
# both binaries (stripped), every file of the demo, the desktop entry, the
# icons, the AppStream metainfo, the man pages, the Debian docs, and the
# Depends line. Validates the desktop entry and the metainfo when
# desktop-file-validate and appstreamcli are installed, and fails on lintian
# errors when lintian is. Run by ctest (packaging/deb).
#
#   packaging/check-deb.sh BUILD_DIR OUT_DIR DEMO_SOURCE_DIR
set -euo pipefail
build="$1" out="$2" demo="$3"
id=org.alignmentworkbench.AlignmentWorkbench

rm -rf "$out"
mkdir -p "$out"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1; then
  cat "$out/cpack.log"
  exit 1
fi
debs=("$out"/alignment-workbench_*.deb)
deb="${debs[0]}"
[ -f "$deb" ] || { echo "no .deb in $out"; cat "$out/cpack.log"; exit 1; }
rm -rf "$out/_CPack_Packages"
echo "package: $deb ($(du -h "$deb" | cut -f1))"

fail=0
problem() { echo "FAIL: $*"; fail=1; }

contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
need() { grep -qxF "./usr/$1" <<<"$contents" || problem "missing /usr/$1"; }
need bin/awb
need bin/alignment-workbench
need share/applications/$id.desktop
need share/metainfo/$id.metainfo.xml
need share/mime/packages/$id.xml
need share/icons/hicolor/scalable/apps/alignment-workbench.svg
for s in 16 22 24 32 48 64 128 256; do
  need share/icons/hicolor/${s}x${s}/apps/alignment-workbench.png
done
need share/man/man1/awb.1.gz
need share/man/man1/alignment-workbench.1.gz
need share/doc/alignment-workbench/copyright
need share/doc/alignment-workbench/changelog.Debian.gz
ndemo=0
while IFS= read -r f; do
  need "share/alignment-workbench/demo/${f#"$demo"/}"
  ndemo=$((ndemo + 1))
done < <(find "$demo" -type f)
[ "$ndemo" -gt 0 ] || problem "no demo files in $demo"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for p in libopenblas0-pthread qt6-qpa-plugins libqt6widgets6 libsqlite3-0; do
  grep -qE "(^|, )$p( |,|$)" <<<"$depends" || problem "Depends lacks $p"
done

root="$out/root"
dpkg-deb -x "$deb" "$root"
for b in awb alignment-workbench; do
  file -b "$root/usr/bin/$b" | grep -q ', stripped' || problem "/usr/bin/$b is not stripped"
done
zcat "$root/usr/share/man/man1/awb.1.gz" | grep -q '^\.TH AWB 1' || problem "awb.1 has no .TH"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$root/usr/share/applications/$id.desktop" || problem "desktop-file-validate"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$root/usr/share/metainfo/$id.metainfo.xml" || problem "appstreamcli validate"
fi
# The workspace type: the desktop entry opens what the MIME file declares,
# and a MIME database built from the packaged file maps *.awb to it.
mime="$(sed -n 's/.*<mime-type type="\([^"]*\)".*/\1/p' "$root/usr/share/mime/packages/$id.xml")"
grep -qx "MimeType=$mime;" "$root/usr/share/applications/$id.desktop" || problem "desktop MimeType is not $mime"
grep -q '^Exec=alignment-workbench %f$' "$root/usr/share/applications/$id.desktop" || problem "desktop Exec takes no %f"
if command -v update-mime-database >/dev/null; then
  mkdir -p "$out/mime/packages"
  cp "$root/usr/share/mime/packages/$id.xml" "$out/mime/packages/"
  update-mime-database "$out/mime" || problem "update-mime-database rejects $id.xml"
  grep -q "^50:$mime:\*\.awb$" "$out/mime/globs2" || problem "*.awb is not mapped to $mime"
fi
rm -rf "$root"

if command -v lintian >/dev/null; then
  # Errors fail the test; warnings are printed for whoever reads the log.
  lintian --fail-on error "$deb" || problem "lintian reports errors"
fi

[ "$fail" -eq 0 ] && echo "package checks passed"
exit "$fail"
