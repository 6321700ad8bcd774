#!/usr/bin/env bash
# Runs the Go tests of the packages with Windows behaviour under Wine:
#   scripts/test-windows.sh PKG...
# Cross-compiles each package's test binary (GOOS=windows go test -c) and
# runs it in a fresh Wine prefix (scripts/wine-prefix.sh), from the
# package's directory as go test would. Fails if any test fails. Known Wine
# gaps are skipped by the tests themselves, by name, only under Wine
# (internal/winetest).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/wine-env.sh
work="${WINTEST_DIR:-$root/dist/wintest}"
rm -rf "$work"
mkdir -p "$work/bin"
scripts/wine-prefix.sh "$work/prefix"
export WINEPREFIX="$work/prefix"
export SOCKSTRAY_UNDER_WINE=1 # internal/winetest checks its detection against it
trap '"$WINESERVER" -k 2>/dev/null || true' EXIT

pkgs=$(go list "$@")
# None of these packages needs cgo (Fyne's do, and stay out of this list).
export GOOS=windows GOARCH=amd64 CGO_ENABLED=0
for pkg in $pkgs; do
  name=${pkg#github.com/sockstray/sockstray/}
  echo "== build $name"
  go test -c -o "$work/bin/${name//\//_}.test.exe" "$pkg"
done
unset GOOS GOARCH CGO_ENABLED

failed=()
for pkg in $pkgs; do
  name=${pkg#github.com/sockstray/sockstray/}
  exe="$work/bin/${name//\//_}.test.exe"
  [ -f "$exe" ] || { echo "== $name: no tests"; continue; }
  echo "== wine $name"
  # The "wine32 is missing" notice of each start is not a test's output.
  if (cd "$name" && "$WINE" "$exe" -test.count=1 -test.timeout=10m -test.v 2>&1) |
      grep -v -e '^it looks like wine32 is missing' -e '^multiarch needs' -e '^as root, please' -e '^    apt-get install wine32' -e '^    dpkg --add-architecture' \
      > "$work/${name//\//_}.log"; ! grep -q '^FAIL' "$work/${name//\//_}.log" && grep -q '^PASS$' "$work/${name//\//_}.log"; then
    # Every skip, with the line before it that says why.
    grep -B1 -E '^ *--- SKIP' "$work/${name//\//_}.log" | grep -v '^--$' | sed 's/^/   /' || true
    echo "   ok $name"
  else
    grep -E -B2 -A15 '^ *--- FAIL|^panic|^FAIL' "$work/${name//\//_}.log" | sed 's/^/   /' | tail -60 || tail -30 "$work/${name//\//_}.log"
    echo "   FAIL $name (log: $work/${name//\//_}.log)"
    failed+=("$name")
  fi
done
"$WINESERVER" -w
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-windows: FAIL: ${failed[*]}"
  exit 1
fi
echo "test-windows: all passed under $("$WINE" --version)"
