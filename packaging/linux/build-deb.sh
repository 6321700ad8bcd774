#!/usr/bin/env bash
# build-deb.sh BINARY VERSION REVISION OUT.deb
# Builds the .deb from a staging tree: the binary, the desktop entry, the
# AppStream metainfo and the hicolor icons. Library dependencies come from
# dpkg-shlibdeps on the binary, plus the X libraries GLFW opens at run time
# (dlopen, so no tool sees them).
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 BINARY VERSION REVISION OUT.deb" >&2; exit 2; }
bin=$1 version=$2 revision=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
id=io.github.sockstray.Sockstray
arch=$(dpkg --print-architecture)
# No project mail address exists yet: set DEB_MAINTAINER="Name <mail>" for a release.
maintainer=${DEB_MAINTAINER:-"Sockstray developers <https://github.com/sockstray/sockstray/issues>"}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg

install -Dm0755 "$bin" "$pkg/usr/bin/sockstray"
install -Dm0644 "$here/$id.desktop" "$pkg/usr/share/applications/$id.desktop"
install -Dm0644 "$here/$id.metainfo.xml" "$pkg/usr/share/metainfo/$id.metainfo.xml"
for png in "$here"/icons/hicolor/*/apps/"$id".png; do
  rel=${png#"$here/icons/"}
  install -Dm0644 "$png" "$pkg/usr/share/icons/$rel"
done
install -Dm0644 "$root/assets/icon.svg" "$pkg/usr/share/icons/hicolor/scalable/apps/$id.svg"
install -Dm0644 "$root/README.md" "$pkg/usr/share/doc/sockstray/README.md"

# dpkg-shlibdeps wants a source package around the binary it reads.
mkdir -p "$stage/src/debian"
printf 'Source: sockstray\n\nPackage: sockstray\nArchitecture: any\n' >"$stage/src/debian/control"
shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O "$pkg/usr/bin/sockstray" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
dlopened="libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"

mkdir -p "$pkg/DEBIAN"
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: sockstray
Version: $version-$revision
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $shlibs, $dlopened
Recommends: gnome-keyring | keepassxc, fonts-noto-cjk | fonts-wqy-microhei
Suggests: gnome-shell-extension-appindicator
Section: net
Priority: optional
Homepage: https://github.com/sockstray/sockstray
Description: SOCKS5 proxy in the tray with live connections
 Sockstray runs a SOCKS5 proxy (RFC 1928 and 1929) on the desktop. A tray
 icon turns it on and off; a window edits profiles and shows every
 connection and the traffic live. It chains through upstream SOCKS5
 servers, keeps their passwords in the Secret Service keychain, and shares
 the proxy on the LAN behind a password or an allowlist.
 .
 The same engine runs headless: sockstray serve.
CONTROL

mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
echo "built $out"
