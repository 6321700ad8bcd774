#!/usr/bin/env bash
# The Windows installer, run as a user would, under Wine in a fresh prefix:
#   scripts/smoke-windows.sh dist/sockstray-VERSION-windows-amd64-setup.exe VERSION
# silent install; `sockstray.exe version`; `serve` relaying a curl
# --socks5-hostname download byte-exact from a loopback server; the window
# rendered under Xvfb (the screenshot is not blank); "Use as system proxy"
# clicked, the WinINet values set, the app killed with kill -9 and its
# watchdog restoring them; silent uninstall that leaves no file and no
# registry key behind, per user and per machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
setup="$(realpath "${1:?usage: smoke-windows.sh SETUP.exe VERSION}")" version="${2:?}"
cd "$root"
. scripts/wine-env.sh
work="$root/dist/winsmoke"
rm -rf "$work"
mkdir -p "$work/www"
scripts/wine-prefix.sh "$work/prefix" >/dev/null
export WINEPREFIX="$work/prefix"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$WINESERVER" -k 2>/dev/null || true
}
trap cleanup EXIT
step() { echo "== smoke-windows: $*"; }
fail() { echo "smoke-windows: FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Wine names the Windows user after the Unix one.
user=$(id -un)
install_dir="$WINEPREFIX/drive_c/users/$user/AppData/Local/Programs/Sockstray"
shortcut_dir="$WINEPREFIX/drive_c/users/$user/AppData/Roaming/Microsoft/Windows/Start Menu/Programs"
exe="C:\\users\\$user\\AppData\\Local\\Programs\\Sockstray\\sockstray.exe"
# Registry files, to compare before and after (Wine writes them on exit).
"$WINESERVER" -w
cp "$WINEPREFIX/user.reg" "$work/user.before"
cp "$WINEPREFIX/system.reg" "$work/system.before"

step "silent install"
"$WINE" "$setup" /S /StartAtLogin
"$WINESERVER" -w
[ -f "$install_dir/sockstray.exe" ] || fail "no $install_dir/sockstray.exe"
[ -f "$shortcut_dir/Sockstray.lnk" ] || fail "no Start-menu shortcut"
grep -q 'Uninstall\\\\Sockstray\]' "$WINEPREFIX/user.reg" || fail "no uninstall key in HKCU"
grep -q '^"Sockstray"="\\"C:' "$WINEPREFIX/user.reg" || fail "no Run value for /StartAtLogin"

step "sockstray.exe version"
got=$("$WINE" "$exe" version)
case "$got" in "sockstray $version "*) echo "   $got" ;; *) fail "version printed '$got', want sockstray $version" ;; esac

step "serve relays curl --socks5-hostname byte-exact"
web_port=$(free_port)
head -c 3000000 /dev/urandom >"$work/www/blob.bin"
# Both loopbacks: under Wine, localhost may resolve to ::1 first.
python3 -m http.server "$web_port" --bind :: --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)
# Port 0: Wine binds without SO_REUSEADDR, so a port picked here could clash
# with a TIME_WAIT connection on a busy machine; serve says which it took.
: >"$work/serve.log" # there before the background start opens it
"$WINE" "$exe" serve --listen 127.0.0.1:0 >>"$work/serve.log" 2>&1 &
serve_pid=$!
pids+=($serve_pid)
proxy_port=""
for _ in $(seq 150); do
  proxy_port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log" || true)
  [ -n "$proxy_port" ] && (echo >"/dev/tcp/127.0.0.1/$web_port") 2>/dev/null && break
  sleep 0.2
done
[ -n "$proxy_port" ] || { cat "$work/serve.log"; fail "serve did not start"; }
curl -sS --fail --max-time 60 --socks5-hostname "127.0.0.1:$proxy_port" \
  "http://localhost:$web_port/blob.bin" -o "$work/got.bin" || { cat "$work/serve.log"; fail "curl through serve"; }
cmp "$work/www/blob.bin" "$work/got.bin" || fail "relayed bytes differ"
echo "   3000000 bytes relayed byte-exact"
# Under Wine a GUI-subsystem program started from a shell has no Windows
# console, so no Ctrl+C reaches it: end it as a crash would.
kill -9 "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
"$WINESERVER" -k
"$WINESERVER" -w

step "the window renders under Xvfb"
display=:$((100 + RANDOM % 400))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
sleep 1
DISPLAY=$display LANG=en_US.UTF-8 "$WINE" "$exe" >"$work/gui.log" 2>&1 &
gui_pid=$!
pids+=($gui_pid)
DISPLAY=$display timeout 90 xdotool search --sync --onlyvisible --name '^Sockstray' >/dev/null ||
  { cat "$work/gui.log"; fail "no Sockstray window within 90 s"; }
sleep 5
DISPLAY=$display import -window root "$work/window.png"
colors=$(convert "$work/window.png" -format '%k' info:)
echo "   screenshot $work/window.png: $colors colours"
[ "$colors" -gt 50 ] || fail "the screenshot is blank ($colors colours)"

step '"Use as system proxy" writes Internet Settings; kill -9 and the watchdog restores them'
inet='HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
proxy_values() { "$WINE" reg query "$inet" 2>/dev/null | grep -E '^ +Proxy(Enable|Server)' || true; }
before=$(proxy_values)
# Clicks at the controls' places in the window (no window manager: it
# sits where it opened): "Proxy on", the Settings button, then "Use as
# system proxy", the first line of the Settings dialog (which is centred:
# a setting added to it moves that line up; the screenshot shows where).
click() { DISPLAY=$display xdotool mousemove "$1" "$2" click 1; sleep "$3"; }
click 22 44 2
click 941 44 3
click 350 137 3
DISPLAY=$display import -window root "$work/sysproxy.png"
on=$(proxy_values)
echo "$on" | grep -Eq 'ProxyEnable +REG_DWORD +0x1' && echo "$on" | grep -q 'socks=127.0.0.1:1080' ||
  fail "the system proxy was not set (screenshot $work/sysproxy.png): $on"
echo "   set: $(echo "$on" | tr -s ' ' | tr '\n' ' ')"
kill -9 "$gui_pid" # the Wine loader is the Windows process itself
for _ in $(seq 40); do [ "$(proxy_values)" = "$before" ] && break; sleep 0.25; done
[ "$(proxy_values)" = "$before" ] || fail "not restored 10 s after kill -9: $(proxy_values)"
echo "   restored by the watchdog after kill -9"
"$WINESERVER" -k
"$WINESERVER" -w

step "silent uninstall"
"$WINE" "$install_dir/uninstall.exe" /S /CurrentUser
# The uninstaller runs from a temporary copy: wait for it to end.
"$WINESERVER" -w
[ ! -e "$install_dir" ] || fail "left behind: $(find "$install_dir")"
[ ! -e "$shortcut_dir/Sockstray.lnk" ] || fail "left the Start-menu shortcut"
# No key or value that mentions Sockstray, in either hive, that was not
# there before the install (the app's own data in AppData stays, by design).
for hive in user system; do
  if grep -i 'sockstray' "$WINEPREFIX/$hive.reg" | grep -v -F -x -f <(grep -i sockstray "$work/$hive.before" || true) >"$work/$hive.left"; then
    cat "$work/$hive.left"
    fail "registry entries left in $hive.reg"
  fi
done
step "per-machine: silent install and uninstall with /AllUsers"
machine_dir="$WINEPREFIX/drive_c/Program Files/Sockstray"
"$WINE" "$setup" /S /AllUsers
"$WINESERVER" -w
[ -f "$machine_dir/sockstray.exe" ] || fail "no $machine_dir/sockstray.exe"
grep -q 'Uninstall\\\\Sockstray\]' "$WINEPREFIX/system.reg" || fail "no uninstall key in HKLM"
"$WINE" 'C:\Program Files\Sockstray\uninstall.exe' /S /AllUsers
"$WINESERVER" -w
[ ! -e "$machine_dir" ] || fail "left behind: $(find "$machine_dir")"
! grep -qi 'Uninstall\\\\Sockstray\]' "$WINEPREFIX/system.reg" || fail "left the HKLM uninstall key"
echo "smoke-windows: all passed"
