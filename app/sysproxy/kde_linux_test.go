package sysproxy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sockstray/sockstray/internal/winetest"
)

// KDE's tools are stand-ins here (shell scripts that keep one file per
// key): this checks the backend's logic and the D-Bus notice, and adds to
// the GNOME tests, which run the real tools.

const fakeKRead = `#!/bin/sh
key=; def=
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key=$2; shift 2;;
    --default) def=$2; shift 2;;
    --file|--group) shift 2;;
    *) shift;;
  esac
done
if [ -f "$FAKE_KDE_DIR/$key" ]; then cat "$FAKE_KDE_DIR/$key"; echo; else printf '%s\n' "$def"; fi
`

const fakeKWrite = `#!/bin/sh
key=; del=; val=
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key=$2; shift 2;;
    --delete) del=1; shift;;
    --file|--group|--type) shift 2;;
    --) val=$2; shift 2;;
    *) val=$1; shift;;
  esac
done
if [ -n "$del" ]; then rm -f "$FAKE_KDE_DIR/$key"; else printf '%s' "$val" >"$FAKE_KDE_DIR/$key"; fi
`

// fakeKDE puts kreadconfig5 and kwriteconfig5 stand-ins on PATH and says
// the desktop is KDE.
func fakeKDE(t *testing.T) string {
	t.Helper()
	session(t)
	bin, store := winetest.TempDir(t), winetest.TempDir(t)
	for name, script := range map[string]string{"kreadconfig5": fakeKRead, "kwriteconfig5": fakeKWrite} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_KDE_DIR", store)
	t.Setenv("XDG_CURRENT_DESKTOP", "KDE")
	t.Setenv("KDE_SESSION_VERSION", "5")
	return store
}

func kdeSeed(t *testing.T, store string) {
	for k, v := range map[string]string{
		"ProxyType":           "2",
		"Proxy Config Script": "http://wpad.example/proxy.pac",
		"httpProxy":           "http://corp-proxy.example 3128",
		"NoProxyFor":          "intranet.example,*.corp",
	} {
		if err := os.WriteFile(filepath.Join(store, k), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// kdeSnapshot is every key file and its content.
func kdeSnapshot(t *testing.T, store string) string {
	t.Helper()
	entries, err := os.ReadDir(store)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		v, _ := os.ReadFile(filepath.Join(store, e.Name()))
		b.WriteString(e.Name() + "=" + string(v) + "\n")
	}
	return b.String()
}

func kdeKey(t *testing.T, store, key string) string {
	b, _ := os.ReadFile(filepath.Join(store, key))
	return string(b)
}

// kioSignals receives the signals that tell KIO to read its settings again.
func kioSignals(t *testing.T) chan *dbus.Signal {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.kde.KIO.Scheduler"), dbus.WithMatchMember("reparseSlaveConfiguration")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 10)
	conn.Signal(signals)
	t.Cleanup(func() { conn.RemoveSignal(signals); conn.Close() })
	return signals
}

// waitKIO waits for one such signal.
func waitKIO(t *testing.T, signals chan *dbus.Signal) {
	t.Helper()
	select {
	case s := <-signals:
		if s.Path != "/KIO/Scheduler" || !slices.Equal(s.Body, []any{""}) {
			t.Errorf("signal %+v", s)
		}
	case <-time.After(3 * time.Second):
		t.Error("no reparseSlaveConfiguration signal on the session bus")
	}
}

func TestKDEEnableDisableExact(t *testing.T) {
	store := fakeKDE(t)
	kdeSeed(t, store)
	before := kdeSnapshot(t, store)

	signals := kioSignals(t)
	m := newManager(t)
	if m.Backend() != "kde" {
		t.Fatalf("backend %q, want kde", m.Backend())
	}
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"ProxyType":         "1",
		"httpProxy":         "http://127.0.0.1 1080",
		"httpsProxy":        "http://127.0.0.1 1080",
		"socksProxy":        "socks://127.0.0.1 1080",
		"NoProxyFor":        "intranet.example,*.corp,localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,*.local",
		"ReversedException": "false",
	} {
		if got := kdeKey(t, store, key); got != want {
			t.Errorf("while enabled, %s = %q, want %q", key, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(store, "Proxy Config Script")); !os.IsNotExist(err) {
		t.Error("PAC script still set while enabled")
	}
	waitKIO(t, signals)

	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	if after := kdeSnapshot(t, store); after != before {
		t.Errorf("not restored exactly:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestKDEWatchdogRestoresAfterKill9(t *testing.T) {
	store := fakeKDE(t)
	kdeSeed(t, store)
	before := kdeSnapshot(t, store)
	a := startApp(t, "127.0.0.1:1080", true)
	if kdeKey(t, store, "ProxyType") != "1" {
		t.Fatal("the app did not set the proxy")
	}
	a.kill9(t)
	if !eventually(5*time.Second, func() bool { return kdeSnapshot(t, store) == before }) {
		t.Fatalf("watchdog did not restore:\n%s\nwatchdog log: %s", kdeSnapshot(t, store), watchdogLog(t))
	}
}

// The automatic mode: ProxyType 2 and the PAC script, from the user's own
// PAC file and back, switching to manual and again while on.
func TestKDEPACModes(t *testing.T) {
	store := fakeKDE(t)
	kdeSeed(t, store)
	before := kdeSnapshot(t, store)
	signals := kioSignals(t)
	m := newManager(t)
	for _, step := range []struct {
		addr string
		mode Mode
		want map[string]string // "" for a key that must be absent
	}{
		{"127.0.0.1:1080", ModeAuto, map[string]string{"ProxyType": "2", "Proxy Config Script": "http://127.0.0.1:1080/proxy.pac",
			"httpProxy": "http://corp-proxy.example 3128", "socksProxy": "", "NoProxyFor": "intranet.example,*.corp"}},
		{"127.0.0.1:1081", ModeManual, map[string]string{"ProxyType": "1", "Proxy Config Script": "", "socksProxy": "socks://127.0.0.1 1081"}},
		{"127.0.0.1:1081", ModeAuto, map[string]string{"ProxyType": "2", "Proxy Config Script": "http://127.0.0.1:1081/proxy.pac",
			"httpProxy": "http://corp-proxy.example 3128", "socksProxy": "", "NoProxyFor": "intranet.example,*.corp"}},
	} {
		if err := m.Enable(step.addr, step.mode); err != nil {
			t.Fatal(err)
		}
		for key, want := range step.want {
			if got := kdeKey(t, store, key); got != want {
				t.Errorf("%s %s: %s = %q, want %q", step.mode, step.addr, key, got, want)
			}
		}
		waitKIO(t, signals)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	waitKIO(t, signals)
	if after := kdeSnapshot(t, store); after != before {
		t.Errorf("not restored exactly:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestKDEPACWatchdogRestoresAfterKill9(t *testing.T) {
	store := fakeKDE(t)
	before := kdeSnapshot(t, store) // nothing set: every key absent again after
	t.Setenv("TEST_MODE", string(ModeAuto))
	a := startApp(t, "127.0.0.1:1080", true)
	if kdeKey(t, store, "ProxyType") != "2" || kdeKey(t, store, "Proxy Config Script") != "http://127.0.0.1:1080/proxy.pac" {
		t.Fatalf("the app did not set the PAC file:\n%s", kdeSnapshot(t, store))
	}
	a.kill9(t)
	if !eventually(5*time.Second, func() bool { return kdeSnapshot(t, store) == before }) {
		t.Fatalf("watchdog did not restore:\n%s\nwatchdog log: %s", kdeSnapshot(t, store), watchdogLog(t))
	}
}
