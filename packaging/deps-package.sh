#!/usr/bin/env bash
# Installs the system packages that make package and make package-test need
# besides the build's own (scripts/deps.sh), only those that are missing.
set -euo pipefail

packages=(
  dpkg-dev            # dpkg-shlibdeps: the .deb's library dependencies
  xz-utils            # the .tar.xz
  desktop-file-utils  # desktop-file-validate
  appstream           # appstreamcli validate
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "deps-package: packages are built on Debian or Ubuntu; this system has no apt-get" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps-package: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "deps-package: need root to install: ${missing[*]} (run: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
