#!/usr/bin/env bash
# Cross-builds the Windows app from Linux:
#   packaging/windows/build-exe.sh VERSION BUILD OUT.exe
# cgo through mingw-w64 (Fyne needs it), the version stamped with -X (go
# build, not `fyne package -os windows`, which rebuilds without GOFLAGS'
# -ldflags), the GUI subsystem (-H=windowsgui: no console window from the
# Start menu; subcommands attach to their parent's console, app/console_windows.go),
# and the icon and version resources compiled by mingw's windres into a
# .syso that go build links in.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${1:?usage: build-exe.sh VERSION BUILD OUT.exe}" build="${2:?}" out="${3:?}"
cd "$root"
case "$out" in /*) ;; *) out="$root/$out" ;; esac
mkdir -p "$(dirname "$out")"
work="$(mktemp -d)"
syso="$root/app/zz_resources_windows_amd64.syso"
trap 'rm -rf "$work" "$syso"' EXIT

# FILEVERSION wants four numbers: 1.2.3 and the build number.
IFS=. read -r major minor patch <<<"${version%%-*}"
commas="${major:-0},${minor:-0},${patch:-0},$build"
convert assets/icon.png -background none -define icon:auto-resize=256,64,48,32,24,16 "$work/sockstray.ico"
sed -e "s/@VERSION@/$version/g" -e "s/@VERSION_COMMAS@/$commas/g" \
  packaging/windows/sockstray.rc.in >"$work/sockstray.rc"
x86_64-w64-mingw32-windres -I "$work" -O coff -o "$syso" "$work/sockstray.rc"

CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
  go build -ldflags "-s -w -H=windowsgui -X main.version=$version" -o "$out" ./app
echo "built $out ($version, build $build)"
