#!/usr/bin/env bash
# build-tar.sh FYNE BINARY OUT.tar.xz
# Wraps an already built binary into fyne's Linux tarball (a Makefile with
# install and user-install targets, the desktop entry and the icon) with
# `fyne package`, run from the repository root where FyneApp.toml is.
# The binary is built beforehand because fyne can only build a main package
# in the directory it packages, and ours is ./app. fyne package also bumps
# Build in FyneApp.toml; that file is restored afterwards.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 FYNE BINARY OUT.tar.xz" >&2; exit 2; }
fyne=$1 bin=$(realpath "$2") out=$3
cd "$(dirname "$0")/../.."

keep=$(mktemp)
cp FyneApp.toml "$keep"
trap 'cp "$keep" FyneApp.toml; rm -f "$keep"; rm -rf tmp-pkg' EXIT
rm -f Sockstray.tar.xz
"$fyne" package -os linux --executable "$bin"
mkdir -p "$(dirname "$out")"
mv Sockstray.tar.xz "$out"
echo "built $out"
