package control_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

// recordingProxy stands in for the OS setting, which app/sysproxy's own
// tests drive for real (gsettings in a D-Bus session).
type recordingProxy struct {
	mu    sync.Mutex
	on    bool
	addrs []string
	modes []sysproxy.Mode
	pac   string // the PAC version set last
}

func (r *recordingProxy) Enable(a string, m sysproxy.Mode) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on, r.addrs, r.modes = true, append(r.addrs, a), append(r.modes, m)
	return nil
}

// last is the address and mode of the last Enable, and how many there were.
func (r *recordingProxy) last() (string, sysproxy.Mode, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.addrs) == 0 {
		return "", "", 0
	}
	return r.addrs[len(r.addrs)-1], r.modes[len(r.modes)-1], len(r.addrs)
}

func (r *recordingProxy) SetPACVersion(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pac = v
}

func (r *recordingProxy) pacVersion() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pac
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
	c := controltest.NewWith(t, control.Options{SystemProxy: sp})
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
	c := controltest.New(t)
	if err := c.SetSystemProxy(true); !errors.Is(err, control.ErrNoSystemProxy) {
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
	c := controltest.NewWith(t, control.Options{LoginItem: control.Autostart{Exe: exe}})
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
	controltest.NeedKeychain(t)
	sp := &recordingProxy{}
	c := controltest.NewWith(t, control.Options{SystemProxy: sp})
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	// Switching to a profile with a password puts the user's settings back.
	p := controltest.AddProfile(t, c, "Locked")
	p.Username = "someone"
	if err := c.SaveProfile("Locked", p, control.Secrets{Local: "pw-123456"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UseProfile("Locked"); err != nil {
		t.Fatal(err)
	}
	if sp.Enabled() {
		t.Fatal("system proxy still points at a profile that needs a password")
	}
	if err := c.SetSystemProxy(true); !errors.Is(err, control.ErrSystemProxyNeedsAuth) {
		t.Fatalf("SetSystemProxy on a profile with a password = %v", err)
	}
	// And a profile without one follows the new address.
	other := controltest.AddProfile(t, c, "Open")
	if err := c.UseProfile("Open"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	if want := controltest.Addr(other.Port); sp.addrs[len(sp.addrs)-1] != want {
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

func TestSystemProxyModeHonoured(t *testing.T) {
	sp := &recordingProxy{}
	c := controltest.NewWith(t, control.Options{SystemProxy: sp})
	if got := c.SystemProxyMode(); got != profiles.SystemProxyManual {
		t.Fatalf("default mode %q", got)
	}
	// Chosen while off: saved, nothing set yet.
	if err := c.SetSystemProxyMode(profiles.SystemProxyPAC); err != nil {
		t.Fatal(err)
	}
	if _, _, n := sp.last(); n != 0 || c.Settings().SystemProxyMode != profiles.SystemProxyPAC {
		t.Fatalf("after choosing PAC while off: %d Enable calls, settings %+v", n, c.Settings())
	}
	check := func(when, wantAddr string, wantMode sysproxy.Mode) {
		t.Helper()
		if addr, mode, _ := sp.last(); !sp.Enabled() || addr != wantAddr || mode != wantMode {
			t.Fatalf("%s: system proxy on=%v at %s in mode %q, want %s in %q", when, sp.Enabled(), addr, mode, wantAddr, wantMode)
		}
	}
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	check("turned on", c.State().Addr, sysproxy.ModeAuto)

	// A profile switch keeps the mode.
	other := controltest.AddProfile(t, c, "Other")
	if err := c.UseProfile("Other"); err != nil {
		t.Fatal(err)
	}
	check("after a profile switch", controltest.Addr(other.Port), sysproxy.ModeAuto)

	// A new mode applies at once while on.
	if err := c.SetSystemProxyMode(profiles.SystemProxyManual); err != nil {
		t.Fatal(err)
	}
	check("switched to manual", controltest.Addr(other.Port), sysproxy.ModeManual)
	if err := c.SetSystemProxyMode(profiles.SystemProxyPAC); err != nil {
		t.Fatal(err)
	}
	check("switched back to PAC", controltest.Addr(other.Port), sysproxy.ModeAuto)

	// An unknown mode changes nothing.
	_, _, before := sp.last()
	if err := c.SetSystemProxyMode("auto"); err == nil || !strings.Contains(err.Error(), `"auto"`) {
		t.Fatalf("SetSystemProxyMode(auto) = %v", err)
	}
	if _, _, n := sp.last(); n != before || c.SystemProxyMode() != profiles.SystemProxyPAC {
		t.Fatalf("an unknown mode changed something: %d calls, mode %q", n, c.SystemProxyMode())
	}
}

// New rules on the same port give the PAC file a new version, and the
// system proxy is set again with it: desktops fetch a PAC file again only
// when its URL changes. An act that leaves the rules alone sets nothing.
func TestSystemProxyPACFollowsRules(t *testing.T) {
	sp := &recordingProxy{}
	c := controltest.NewWith(t, control.Options{SystemProxy: sp})
	if err := c.SetSystemProxyMode(profiles.SystemProxyPAC); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	addr, _, calls := sp.last()
	first := sp.pacVersion()
	if first == "" {
		t.Fatal("the PAC mode set no PAC version")
	}

	if err := c.SetSystemProxyBypass([]string{"*.lan"}); err != nil { // sets it again, rules unchanged
		t.Fatal(err)
	}
	if _, _, n := sp.last(); n != calls+1 || sp.pacVersion() != first {
		t.Fatalf("after a bypass change: %d calls (want %d), version %q (want %q)", n, calls+1, sp.pacVersion(), first)
	}
	calls++

	p, err := c.Store().Load(c.State().Profile)
	if err != nil {
		t.Fatal(err)
	}
	p.Rules = append(p.Rules, "DOMAIN-SUFFIX,example.org,block")
	if err := c.SaveProfile(p.Name, p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	got, mode, n := sp.last()
	if n != calls+1 || got != addr || mode != sysproxy.ModeAuto || sp.pacVersion() == first || sp.pacVersion() == "" {
		t.Fatalf("after new rules: %d calls (want %d) at %s in %q, version %q (was %q)", n, calls+1, got, mode, sp.pacVersion(), first)
	}

	if err := c.SetSystemProxyMode(profiles.SystemProxyManual); err != nil {
		t.Fatal(err)
	}
	if sp.pacVersion() != "" {
		t.Errorf("manual mode kept PAC version %q", sp.pacVersion())
	}
}

// The mode saved in settings.toml is the one the next start uses.
func TestSystemProxyModeFromSettingsFile(t *testing.T) {
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings.toml")
	if err := (profiles.Settings{SystemProxyMode: profiles.SystemProxyPAC}).Save(settings); err != nil {
		t.Fatal(err)
	}
	store := &profiles.Store{Dir: filepath.Join(dir, "profiles"), Keychain: &profiles.Keychain{Service: controltest.Service}}
	direct := profiles.Builtin()
	direct.Port = controltest.FreePort(t)
	if err := store.Create(direct); err != nil {
		t.Fatal(err)
	}
	sp := &recordingProxy{}
	c, err := control.Open(control.Options{Store: store, SettingsPath: settings, SystemProxy: sp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(0, 0) })
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	if addr, mode, _ := sp.last(); addr != controltest.Addr(direct.Port) || mode != sysproxy.ModeAuto {
		t.Fatalf("system proxy set at %s in mode %q, want %s in auto", addr, mode, controltest.Addr(direct.Port))
	}
	if err := c.Close(0, 0); err != nil {
		t.Fatal(err)
	}
	if s, err := profiles.LoadSettings(settings); err != nil || s.SystemProxyMode != profiles.SystemProxyPAC {
		t.Fatalf("after quitting, settings %+v, %v: the mode was lost", s, err)
	}
}
