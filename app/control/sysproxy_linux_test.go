package control_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/internal/gnometest"
	"github.com/sockstray/sockstray/profiles"
)

// TestSystemProxyComesBackAfterRestart runs the real controller on the
// real system proxy switch (GNOME's settings in a private session): "Use
// as system proxy" left on comes back on once the proxy listens after a
// restart, left off stays off, and the bypass list of the settings is the
// one the system gets, at once while on.
func TestSystemProxyComesBackAfterRestart(t *testing.T) {
	gnometest.GNOME(t)
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings.toml")
	store := &profiles.Store{Dir: filepath.Join(dir, "profiles"), Keychain: &profiles.Keychain{Service: controltest.Service}}
	direct := profiles.Builtin()
	direct.Port = controltest.FreePort(t)
	if err := store.Create(direct); err != nil {
		t.Fatal(err)
	}
	start := func() *control.Controller {
		t.Helper()
		m, err := sysproxy.New(sysproxy.Options{NoWatchdog: true})
		if err != nil {
			t.Fatal(err)
		}
		c, err := control.Open(control.Options{Store: store, SettingsPath: settings, SystemProxy: m})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(0, 0) })
		c.Restore() // what the app does once its window is up
		return c
	}
	pointsAtUs := func(when string, want bool) {
		t.Helper()
		mode, port := gnometest.Get(t, "", "mode"), gnometest.Get(t, "socks", "port")
		if got := mode == "'manual'" && port == strconv.Itoa(direct.Port); got != want {
			t.Errorf("%s: system proxy mode %s, socks port %s; pointing at the proxy: %v, want %v", when, mode, port, got, want)
		}
	}

	c := start()
	pointsAtUs("first start", false)
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	pointsAtUs("turned on", true)
	if err := c.SetSystemProxyBypass([]string{"*.corp.example", "192.168.0.0/16"}); err != nil {
		t.Fatal(err)
	}
	// GNOME's own list (its defaults here) first, then the settings'.
	const bypass = "['localhost', '127.0.0.0/8', '::1', '*.corp.example', '192.168.0.0/16']"
	if got := gnometest.Get(t, "", "ignore-hosts"); got != bypass {
		t.Errorf("bypass list while on: %s, want %s", got, bypass)
	}
	if err := c.SetSystemProxyBypass([]string{"a.example, b.example"}); err == nil {
		t.Error("a bypass entry with a comma was accepted")
	}
	if err := c.Close(0, 0); err != nil {
		t.Fatal(err)
	}
	pointsAtUs("after quitting", false)

	c = start()
	if !c.State().Running || !c.SystemProxyOn() {
		t.Fatalf("after a restart: running %v, system proxy on %v; want both", c.State().Running, c.SystemProxyOn())
	}
	pointsAtUs("after a restart", true)
	if got := gnometest.Get(t, "", "ignore-hosts"); got != bypass {
		t.Errorf("bypass list after a restart: %s, want %s", got, bypass)
	}

	// Turned off by the user, it stays off at the next start, while the
	// proxy still comes on.
	if err := c.SetSystemProxy(false); err != nil {
		t.Fatal(err)
	}
	c.Close(0, 0)
	c = start()
	if !c.State().Running || c.SystemProxyOn() {
		t.Fatalf("after turning it off and a restart: running %v, system proxy on %v; want running only", c.State().Running, c.SystemProxyOn())
	}
	pointsAtUs("after turning it off and a restart", false)
}
