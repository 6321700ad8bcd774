#!/usr/bin/env bash
# Runs a command inside its own desktop-like session: a private D-Bus
# session bus, an unlocked gnome-keyring (Secret Service) with a fresh
# keyring, and an Xvfb display. Nothing outlives the command.
#
#   scripts/with-session.sh go test ./...
set -euo pipefail

if [ -z "${SOCKSTRAY_IN_SESSION:-}" ]; then
  export SOCKSTRAY_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

# A fresh keyring directory each run: an old login keyring with another
# password cannot be unlocked without a display. Only XDG_DATA_HOME moves,
# so HOME (and with it Go's build cache) stays put.
session_dir=$(mktemp -d)
xvfb_pid=""
keyring_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null || true
  rm -rf "$session_dir"
}
trap cleanup EXIT

export XDG_DATA_HOME="$session_dir/data"
mkdir -p "$XDG_DATA_HOME"
eval "$(printf 'sockstray-test' | gnome-keyring-daemon --unlock --components=secrets)"
keyring_pid=${GNOME_KEYRING_PID:-}
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true

# The first free display from :90 up.
display=90
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$session_dir/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
export DISPLAY=":$display"
export LANG=en_US.UTF-8

"$@"
