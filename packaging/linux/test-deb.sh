#!/usr/bin/env bash
# test-deb.sh PACKAGE.deb
# Validates the desktop entry and the metainfo, then installs the .deb as a
# user would (dpkg -i, apt-get install -f for its dependencies), runs the
# installed binary, removes the package and checks that its files are gone.
# Refuses to touch a sockstray package that was installed before it ran.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PACKAGE.deb" >&2; exit 2; }
deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
id=io.github.sockstray.Sockstray
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "desktop-file-validate, appstreamcli validate"
out=$(desktop-file-validate "$here/$id.desktop" 2>&1) || fail "desktop-file-validate: $out"
[ -z "$out" ] || fail "desktop-file-validate: $out"
appstreamcli validate --no-net "$here/$id.metainfo.xml" || fail "appstreamcli validate"

if dpkg-query -W -f='${Status}' sockstray 2>/dev/null | grep -q "ok installed"; then
  fail "a sockstray package is installed already; this test would replace and remove it. Remove it first: sudo dpkg -r sockstray"
fi

step "contents of $(basename "$deb")"
contents=$(dpkg-deb --contents "$deb")
files=$(echo "$contents" | awk '$1 !~ /^d/ {print $NF}' | sed 's|^\./|/|')
for f in /usr/bin/sockstray /usr/share/applications/$id.desktop /usr/share/metainfo/$id.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/$id.svg /usr/share/icons/hicolor/{16x16,24x24,32x32,48x48,64x64,128x128,256x256,512x512}/apps/$id.png; do
  echo "$files" | grep -qx "$f" || fail "$f missing from the package"
done
echo "$contents" | awk '$1 !~ /^d/ && $2 != "root/root" {bad=1; print} END {exit bad}' || fail "files not owned by root"
dpkg-deb --field "$deb" Depends | tr ',' '\n' | sed 's/^ *//'

removed=0
cleanup() {
  [ "$removed" -eq 1 ] && return
  $sudo dpkg -r sockstray >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "dpkg -i"
if ! $sudo dpkg -i "$deb"; then
  step "apt-get install -f (dependencies)"
  $sudo apt-get install -f -y -q
fi
dpkg-query -W -f='${Status}\n' sockstray | grep -q "install ok installed" || fail "sockstray is not installed after dpkg -i and apt-get install -f"

step "run /usr/bin/sockstray version"
version=$(/usr/bin/sockstray version) || fail "/usr/bin/sockstray version exited $?"
echo "$version"
want=$(dpkg-deb --field "$deb" Version)
[[ "$version" == "sockstray ${want%-*}"* ]] || fail "version says \"$version\", package is $want"
for f in $files; do
  [ -e "$f" ] || fail "$f not installed"
done

step "dpkg -r"
$sudo dpkg -r sockstray
removed=1
for f in $files; do
  [ ! -e "$f" ] || fail "$f left after dpkg -r"
done
if dpkg-query -W -f='${Status}' sockstray 2>/dev/null | grep -q "ok installed"; then
  fail "sockstray still installed after dpkg -r"
fi
echo "package-test: $(basename "$deb") validates, installs, runs and uninstalls cleanly"
