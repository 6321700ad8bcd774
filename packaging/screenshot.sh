#!/usr/bin/env bash
# Takes the screenshots the README and the AppStream metainfo show, from
# one run of the app on a fresh configuration with real traffic:
#
#   packaging/screenshot.png        Connections: live downloads by curl and
#                                   wget, with the program of each
#   packaging/screenshot-usage.png  Usage: what those downloads moved, by
#                                   host, client and program (history on)
#   packaging/screenshot-lan.png    LAN sharing: shared for 1 hour, with
#                                   its countdown
#
#   make build && scripts/with-session.sh packaging/screenshot.sh [BINARY]
#
# Every client and server is on loopback (127.0.0.1-3); nothing is dialed
# elsewhere. Only the LAN share listens on this host's other addresses,
# for the last few seconds, and lets in no client but loopback and a
# private /24; its tab shows this host's LAN addresses (192.0.2.2, a
# documentation address, in the sandbox the committed pictures come from).
#
# The window is driven by name, not by position: tabs through the FIFO of
# $SOCKSTRAY_UI_CONTROL (app/uicontrol.go), and the share and the quit
# through the tray's menu, called on D-Bus (com.canonical.dbusmenu) as a
# tray host would. Only the "no tray host" banner (Xvfb has no tray host)
# is closed with a click at its place.
#
# Needs an X display and a D-Bus session (with-session.sh starts both),
# xdotool, ImageMagick (import, convert), busctl, curl, wget and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-bin/sockstray}")
[ -n "${DISPLAY:-}" ] || { echo "screenshot.sh: no DISPLAY; run it under scripts/with-session.sh" >&2; exit 1; }
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || { echo "screenshot.sh: no D-Bus session; run it under scripts/with-session.sh" >&2; exit 1; }

work=$(mktemp -d)
pids=()
app=""
cleanup() {
  for p in "${pids[@]}" $app; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
proxy_port=$(free_port)
web_port=$(free_port)

# A profile named Home on a free port, active and on at start, with the
# usage history on, in English (the tray menu is called by its labels).
# Its allowlist (this computer and a home network) is what lets it be
# shared on the LAN without a password.
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state XDG_CACHE_HOME=$work/cache
mkdir -p "$XDG_CONFIG_HOME/sockstray/profiles"
printf 'version = 2\nhost = "127.0.0.1"\nport = %d\nallow = ["127.0.0.1", "192.168.1.0/24"]\n' "$proxy_port" \
  >"$XDG_CONFIG_HOME/sockstray/profiles/Home.toml"
printf 'version = 1\nactive_profile = "Home"\nproxy_on_at_start = true\nlanguage = "en"\n\n[window]\nwidth = 1100\nheight = 680\n\n[usage]\nhistory = true\n' \
  >"$XDG_CONFIG_HOME/sockstray/settings.toml"
chmod -R go= "$XDG_CONFIG_HOME"

# One web server answering on three loopback addresses, so the usage
# history has more than one host.
mkdir -p "$work/www"
head -c 60000000 /dev/zero >"$work/www/big.bin"
head -c 3000000 /dev/zero >"$work/www/small.bin"
python3 - "$web_port" "$work/www" >/dev/null 2>&1 <<'EOF' &
import functools, http.server, sys, threading
port, root = int(sys.argv[1]), sys.argv[2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
servers = [http.server.ThreadingHTTPServer((f"127.0.0.{i}", port), handler) for i in (1, 2, 3)]
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
servers[0].serve_forever()
EOF
pids+=($!)

ui=$work/ui
mkfifo "$ui"
SOCKSTRAY_UI_CONTROL=$ui "$bin" >"$work/app.log" 2>&1 &
app=$!
exec 3<>"$ui" # read and write: never blocks, whether the app reads yet or not
show() { echo "show $1" >&3; }

wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^Sockstray' | head -1)
for _ in $(seq 50); do
  (echo >"/dev/tcp/127.0.0.1/$proxy_port") 2>/dev/null && break
  sleep 0.2
done

# menu LABEL...: clicks the tray menu item at that path (each label a
# submenu's item), through the menu the app exports on D-Bus.
tray=org.kde.StatusNotifierItem-$app-1
menu() {
  local id
  id=$(busctl --user --json=short -- call "$tray" /StatusNotifierMenu com.canonical.dbusmenu GetLayout iias 0 -1 0 |
    python3 -c '
import json, sys
node = json.load(sys.stdin)["data"][1]
for label in sys.argv[1:]:
    node = next(c["data"] for c in node[2] if c["data"][1].get("label", {}).get("data") == label)
print(node[0])' "$@")
  busctl --user -- call "$tray" /StatusNotifierMenu com.canonical.dbusmenu Event isvu "$id" clicked s "" 0 >/dev/null
}

# Slow downloads keep connections open for the Connections tab and the
# Throughput graph; short ones end before the picture. Their programs
# (curl through SOCKS5; wget and a Python reader through the HTTP proxy
# on the same port) show in the Program column and the usage history.
get() { # RATE HOST FILE
  curl -s -o /dev/null --limit-rate "$1" --socks5-hostname "127.0.0.1:$proxy_port" "http://$2:$web_port/$3" &
  pids+=($!)
}
get 1M 127.0.0.2 small.bin
get 900k 127.0.0.1 big.bin
sleep 1
get 600k 127.0.0.2 big.bin
http_proxy=http://127.0.0.1:$proxy_port wget -q -O /dev/null --limit-rate 400k "http://127.0.0.3:$web_port/big.bin" &
pids+=($!)
# 16 KiB every 50 ms: about 330 KB/s.
python3 - "http://127.0.0.1:$proxy_port" "http://127.0.0.1:$web_port/big.bin" <<'PY' &
import sys, time, urllib.request
proxy, url = sys.argv[1], sys.argv[2]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
with opener.open(url) as r:
    while r.read(16384):
        time.sleep(0.05)
PY
pids+=($!)
sleep 1
get 300k 127.0.0.3 big.bin
get 1M 127.0.0.3 small.bin

# Under Xvfb no tray host runs, so the window shows a banner saying so:
# close it with its button, at the right end of the banner in a
# 1100x680 window (check the pictures after a layout change).
sleep 2
xdotool mousemove --window "$wid" 1077 62 click 1
show Connections
xdotool mousemove --window "$wid" 600 660
sleep 12
import -window "$wid" packaging/screenshot.png

# The Usage tab reads the history when shown, after writing what the
# recorder counted so far: the bytes of the downloads above.
sleep 4
show Usage
sleep 3
import -window "$wid" packaging/screenshot-usage.png

# Share on the LAN for 1 hour, as the tray's menu does.
menu "Share on LAN for" "for 1 hour"
show "LAN sharing"
sleep 3
import -window "$wid" packaging/screenshot-lan.png

menu Quit
for _ in $(seq 50); do kill -0 "$app" 2>/dev/null || break; sleep 0.2; done
# 256 colours are plenty for the flat theme: a third of the size.
for f in packaging/screenshot.png packaging/screenshot-usage.png packaging/screenshot-lan.png; do
  convert "$f" -strip -define png:compression-level=9 "PNG8:$f"
  echo "took $f ($(stat -c %s "$f") bytes)"
done
