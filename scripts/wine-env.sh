# Sourced by the Windows scripts: the Wine commands (Debian 12 installs them
# as wine-stable, wineboot-stable...; other systems as wine, wineboot...),
# quiet Wine logs, and a check that a prefix is 64-bit only.
pick() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return; }; done
  echo "wine: none of $* found (run scripts/deps-windows.sh)" >&2; exit 1; }
# Debian's 64-bit loader itself, when there: the wine-stable wrapper only
# adds a "wine32 is missing" notice to every start.
if [ -z "${WINE:-}" ] && [ -x /usr/lib/wine/wine64 ]; then WINE=/usr/lib/wine/wine64; fi
WINE="${WINE:-$(pick wine64 wine wine-stable)}"
WINEBOOT="${WINEBOOT:-$(pick wineboot wineboot-stable)}"
WINESERVER="${WINESERVER:-$(pick wineserver wineserver-stable)}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEARCH=win64
# No Mono or Gecko prompts (nothing here needs them), and no desktop menu
# entries written outside the prefix (winemenubuilder) for the shortcuts an
# installer makes.
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
