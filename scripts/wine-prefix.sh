#!/usr/bin/env bash
# Makes a fresh 64-bit Wine prefix for running Sockstray's Windows builds
# and tests:  scripts/wine-prefix.sh DIR
# It installs the test fixture that Go 1.24+ programs need under Wine 8
# (a bcryptprimitives.dll with ProcessPrng, packaging/windows/winetest/),
# into this prefix only; it is never part of the installer.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:?usage: wine-prefix.sh DIR}"
. "$root/scripts/wine-env.sh"

rm -rf "$prefix"
mkdir -p "$prefix"
export WINEPREFIX="$(cd "$prefix" && pwd)"
"$WINEBOOT" -i >/dev/null 2>&1
"$WINESERVER" -w

x86_64-w64-mingw32-gcc -O2 -shared -Wl,--kill-at -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$root/packaging/windows/winetest/bcryptprimitives.c" -lbcrypt
echo "wine-prefix: $WINEPREFIX ready ($("$WINE" --version))"
