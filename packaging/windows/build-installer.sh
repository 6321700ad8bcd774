#!/usr/bin/env bash
# Builds the Windows installer from Linux with Debian's NSIS:
#   packaging/windows/build-installer.sh VERSION BUILD sockstray.exe OUT-setup.exe
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${1:?usage: build-installer.sh VERSION BUILD EXE OUT}" build="${2:?}" exe="${3:?}" out="${4:?}"
abs() { case "$1" in /*) echo "$1" ;; *) echo "$root/$1" ;; esac; }
exe="$(abs "$exe")" out="$(abs "$out")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/packaging/windows/sockstray.nsi" "$work/"
convert "$root/assets/icon.png" -background none -define icon:auto-resize=256,64,48,32,16 "$work/sockstray.ico"
mkdir -p "$(dirname "$out")"
# VIProductVersion wants four numbers: the version without a suffix, and the build.
makensis -V2 -DVERSION="$version" -DVIVERSION="${version%%-*}.$build" -DEXE="$exe" -DOUTFILE="$out" "$work/sockstray.nsi" >/dev/null
echo "built $out"
