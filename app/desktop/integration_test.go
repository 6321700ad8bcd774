package desktop_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sockstray/sockstray/app/desktop"
	"github.com/sockstray/sockstray/app/desktop/desktoptest"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

// recordingProxy stands in for the OS setting, which app/sysproxy's own
// tests drive for real (gsettings in a D-Bus session).
type recordingProxy struct {
	mu    sync.Mutex
	on    bool
	addrs []string
}

func (r *recordingProxy) Enable(a string, _ sysproxy.Mode) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on, r.addrs = true, append(r.addrs, a)
	return nil
}

func (r *recordingProxy) Disable() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return nil
}

func (r *recordingProxy) Enabled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.on
}

func TestSystemProxyFollowsTheProxy(t *testing.T) {
	sp := &recordingProxy{}
	c := desktoptest.NewWith(t, desktop.Options{SystemProxy: sp})
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	if !c.State().Running {
		t.Fatal("turning the system proxy on did not start the proxy")
	}
	if !c.SystemProxyOn() || len(sp.addrs) != 1 || sp.addrs[0] != c.State().Addr {
		t.Fatalf("system proxy %v set to %v, want %s", sp.on, sp.addrs, c.State().Addr)
	}
	// Stopping the proxy must not leave the system pointing at nothing.
	if err := c.SetProxy(false); err != nil {
		t.Fatal(err)
	}
	if c.SystemProxyOn() {
		t.Fatal("system proxy still set after the proxy stopped")
	}
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(0, 0); err != nil {
		t.Fatal(err)
	}
	if sp.Enabled() {
		t.Fatal("system proxy still set after quit")
	}
}

func TestSystemProxyUnavailable(t *testing.T) {
	c := desktoptest.New(t)
	if err := c.SetSystemProxy(true); !errors.Is(err, desktop.ErrNoSystemProxy) {
		t.Fatalf("SetSystemProxy without a backend = %v", err)
	}
	if c.State().Running {
		t.Error("the proxy started although the system proxy could not be set")
	}
}

func TestStartAtLoginWritesAndRemovesTheEntry(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	exe, _ := filepath.Abs(os.Args[0])
	c := desktoptest.NewWith(t, desktop.Options{LoginItem: desktop.Autostart{Exe: exe}})
	entry := filepath.Join(cfg, "autostart", "io.github.sockstray.Sockstray.desktop")
	if err := c.SetStartAtLogin(true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(data), exe) {
		t.Fatalf("autostart entry: %v\n%s", err, data)
	}
	if !c.StartAtLogin() {
		t.Error("StartAtLogin false after enabling")
	}
	if err := c.SetStartAtLogin(false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Fatalf("autostart entry still there: %v", err)
	}
	if c.StartAtLogin() {
		t.Error("StartAtLogin true after disabling")
	}
}

func TestSystemProxyRefusedForProfilesWithPassword(t *testing.T) {
	desktoptest.NeedKeychain(t)
	sp := &recordingProxy{}
	c := desktoptest.NewWith(t, desktop.Options{SystemProxy: sp})
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	// Switching to a profile with a password puts the user's settings back.
	p := desktoptest.AddProfile(t, c, "Locked")
	p.Username = "someone"
	if err := c.SaveProfile("Locked", p, desktop.Secrets{Local: "pw-123456"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UseProfile("Locked"); err != nil {
		t.Fatal(err)
	}
	if sp.Enabled() {
		t.Fatal("system proxy still points at a profile that needs a password")
	}
	if err := c.SetSystemProxy(true); !errors.Is(err, desktop.ErrSystemProxyNeedsAuth) {
		t.Fatalf("SetSystemProxy on a profile with a password = %v", err)
	}
	// And a profile without one follows the new address.
	other := desktoptest.AddProfile(t, c, "Open")
	if err := c.UseProfile("Open"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	if want := desktoptest.Addr(other.Port); sp.addrs[len(sp.addrs)-1] != want {
		t.Fatalf("system proxy set to %v, want %s", sp.addrs, want)
	}
	// Switching while it is on moves the system setting along.
	if err := c.UseProfile(profiles.BuiltinName); err != nil {
		t.Fatal(err)
	}
	if got, want := sp.addrs[len(sp.addrs)-1], c.State().Addr; !sp.Enabled() || got != want {
		t.Fatalf("after switching: system proxy on=%v at %s, want %s", sp.Enabled(), got, want)
	}
}
