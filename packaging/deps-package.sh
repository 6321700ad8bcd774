#!/usr/bin/env bash
# Installs the system packages that make package and make package-test need
# besides the build's own, only those that are missing (scripts/deps.sh
# does the installing).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/deps.sh \
  dpkg-dev           `# dpkg-shlibdeps: the .deb's library dependencies` \
  xz-utils           `# the .tar.xz` \
  desktop-file-utils `# desktop-file-validate` \
  appstream          `# appstreamcli validate`
