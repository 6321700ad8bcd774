#!/usr/bin/env bash
# Renders the app icon's PNGs from assets/icon.svg and assets/icon-small.svg
# (16-32 px). Run it after changing either SVG and commit the PNGs: building
# a package must not need the renderer. Needs rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rsvg-convert >/dev/null || { echo "icons.sh: install rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }

id=io.github.sockstray.Sockstray
render() { # size svg out
  mkdir -p "$(dirname "$3")"
  rsvg-convert -w "$1" -h "$1" "$2" -o "$3"
}
for size in 16 24 32 48 64 128 256 512; do
  src=assets/icon.svg
  [ "$size" -le 32 ] && src=assets/icon-small.svg
  render "$size" "$src" "packaging/linux/icons/hicolor/${size}x${size}/apps/$id.png"
done
# What FyneApp.toml names: the window icon, and the source of the .icns and
# .ico that fyne package makes for macOS and Windows.
render 512 assets/icon.svg assets/icon.png
# macOS draws no frame around app icons: the rounded square must fill 824 of
# 1024 px itself (Apple's grid), so fyne package gets this one raw.
mkdir -p packaging/macos
rsvg-convert -w 942 -h 942 --page-width 1024 --page-height 1024 --left 41 --top 41 assets/icon.svg -o packaging/macos/icon.png
