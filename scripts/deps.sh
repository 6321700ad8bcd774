#!/usr/bin/env bash
# Installs the system packages Sockstray's build and tests need, only those
# that are missing. Debian and Ubuntu use apt-get; elsewhere it says what to
# install by hand. With arguments it installs those packages instead (the
# packaging's own tools: packaging/deps-package.sh).
set -euo pipefail

# Fyne's cgo build (see shared PLATFORM.md), real SOCKS clients and servers
# for the tests, a real browser (headless Chromium) as a client, and a D-Bus
# session, keychain and X server for the GUI and keychain tests, and a real
# tray host (xfce4-panel) for the tray test.
packages=(
  gcc libc6-dev pkg-config
  libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
  curl ncat proxychains4 microsocks dante-server
  tinyproxy stunnel4 nodejs openssh-server openssh-client chromium
  dbus gnome-keyring libsecret-tools xvfb xauth xdotool imagemagick xfce4-panel
  iproute2 procps desktop-file-utils
  gsettings-desktop-schemas dconf-gsettings-backend dconf-service dconf-cli libglib2.0-bin
)
[ $# -gt 0 ] && packages=("$@")

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed. Install Go 1.26 or newer from your package manager or go.dev/dl, then run make again." >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: this is not a Debian or Ubuntu system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "deps: need root to install: ${missing[*]} (run: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# Installing dante-server tries to start danted (and openssh-server sshd);
# tests start their own.
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
