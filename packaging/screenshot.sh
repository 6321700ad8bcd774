#!/usr/bin/env bash
# Takes packaging/screenshot.png, the window the README and the AppStream
# metainfo show: a fresh configuration, the proxy on, and a few downloads
# from a local web server running through it. Everything stays on loopback.
#
#   make build && scripts/with-session.sh packaging/screenshot.sh [BINARY]
#
# Needs an X display (with-session.sh starts Xvfb), xdotool, ImageMagick's
# import, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-bin/sockstray}")
out=packaging/screenshot.png
[ -n "${DISPLAY:-}" ] || { echo "screenshot.sh: no DISPLAY; run it under scripts/with-session.sh" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
proxy_port=$(free_port)
web_port=$(free_port)

# A profile named Home on a free port, active and on at start.
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state XDG_CACHE_HOME=$work/cache
mkdir -p "$XDG_CONFIG_HOME/sockstray/profiles"
printf 'version = 1\nhost = "127.0.0.1"\nport = %d\n' "$proxy_port" >"$XDG_CONFIG_HOME/sockstray/profiles/Home.toml"
printf 'version = 1\nactive_profile = "Home"\nproxy_on_at_start = true\n\n[window]\nwidth = 1000\nheight = 680\n' \
  >"$XDG_CONFIG_HOME/sockstray/settings.toml"
chmod -R go= "$XDG_CONFIG_HOME"

mkdir -p "$work/www"
head -c 40000000 /dev/zero >"$work/www/big.bin"
python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)

"$bin" >"$work/app.log" 2>&1 &
pids+=($!)
wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^Sockstray' | head -1)
for _ in $(seq 50); do
  (echo >"/dev/tcp/127.0.0.1/$proxy_port") 2>/dev/null && break
  sleep 0.2
done

# Slow downloads keep connections open for the Connections panel and draw
# the Throughput graph.
for rate in 900k 600k 300k; do
  curl -s -o /dev/null --limit-rate "$rate" --socks5-hostname "127.0.0.1:$proxy_port" \
    "http://127.0.0.1:$web_port/big.bin" &
  pids+=($!)
  sleep 1
done
# Under Xvfb no tray host runs, so the window shows a banner saying so:
# close it, and open the Connections tab. Positions are the window's
# layout at 1000x680; check the picture after a layout change.
sleep 2
xdotool mousemove --window "$wid" 977 62 click 1
sleep 0.5
xdotool mousemove --window "$wid" 128 62 click 1
xdotool mousemove --window "$wid" 600 660
sleep 5
import -window "$wid" "$out"
echo "took $out"
