#!/usr/bin/env bash
# Installs what building, packaging and testing the Windows app from Linux
# needs, only what is missing: the mingw-w64 C compiler (cgo, windres),
# NSIS for the installer, Wine to run the tests and the installer.
set -euo pipefail
exec "$(dirname "$0")/deps.sh" gcc-mingw-w64-x86-64 nsis wine64 wine \
  python3 curl xvfb xdotool imagemagick # the installer smoke test
