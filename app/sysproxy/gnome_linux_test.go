package sysproxy

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestDetectGNOME(t *testing.T) {
	gnomeSession(t)
	b, err := Detect()
	if err != nil || b.Name() != "gnome" {
		t.Fatalf("Detect = %v, %v; want gnome", b, err)
	}
	t.Setenv("PATH", winetest.TempDir(t))
	if _, err := Detect(); !errors.Is(err, ErrNoDesktop) || err.Error() != "no supported desktop proxy settings found (GNOME gsettings or KDE)" {
		t.Fatalf("Detect with nothing on PATH: %v", err)
	}
}

func TestGNOMEEnableDisableExact(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)

	m := newManager(t)
	if err := m.Enable("0.0.0.0:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ sub, key, want string }{
		{"", "mode", "'manual'"},
		{"http", "host", "'127.0.0.1'"}, {"http", "port", "1080"},
		{"https", "host", "'127.0.0.1'"}, {"https", "port", "1080"},
		{"socks", "host", "'127.0.0.1'"}, {"socks", "port", "1080"},
		{"http", "use-authentication", "false"},
		{"", "ignore-hosts", `['localhost', 'intranet.example', '*.corp', "it's", '127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '*.local']`},
	} {
		if got := gget(t, c.sub, c.key); got != c.want {
			t.Errorf("while enabled, %s %s = %s, want %s", c.sub, c.key, got, c.want)
		}
	}
	st, err := loadState(statePath(t))
	if err != nil || st == nil || st.PID != os.Getpid() || st.Backend != "gnome" || st.Proxies[0] != "127.0.0.1:1080" {
		t.Fatalf("state file: %+v, %v", st, err)
	}
	if fi, _ := os.Stat(statePath(t)); fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v", fi.Mode().Perm())
	}

	// A new port (another profile) keeps the settings saved first.
	if err := m.Enable("127.0.0.1:1081", ModeManual); err != nil {
		t.Fatal(err)
	}
	if got := gget(t, "socks", "port"); got != "1081" {
		t.Errorf("after the second Enable socks port = %s", got)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
	if _, err := os.Stat(statePath(t)); !os.IsNotExist(err) {
		t.Errorf("state file still there after Disable: %v", err)
	}
	if err := m.Disable(); err != nil {
		t.Errorf("second Disable: %v", err)
	}
}

// The defaults case: nothing set before means nothing set after, not the
// default values pinned in the user's database.
func TestGNOMERestoresUnsetKeys(t *testing.T) {
	gnomeSession(t)
	before := gnomeSnapshot(t)
	m := newManager(t)
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
}

// flaky writes part of the settings, then fails, as a crash mid-way would
// leave them. It checks that the state file is there before any write.
type flaky struct {
	Backend
	t     *testing.T
	fails int
}

func (f *flaky) Apply(s Settings) error {
	if st, err := loadState(statePath(f.t)); err != nil || st == nil {
		f.t.Errorf("Apply before the state file was written (%v)", err)
	}
	if f.fails == 0 {
		return f.Backend.Apply(s)
	}
	f.fails--
	gset(f.t, "http", "host", "'127.0.0.1'")
	gset(f.t, "", "mode", "'manual'")
	return errors.New("injected failure")
}

func TestGNOMEApplyFailsMidway(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)

	// The rollback works: settings and state file as before.
	m, err := New(Options{Backend: &flaky{Backend: gnome{}, t: t, fails: 1}, NoWatchdog: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Enable("127.0.0.1:1080", ModeManual); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("Enable: %v", err)
	}
	if after := gnomeSnapshot(t); after != before {
		t.Errorf("not rolled back:\n%s", after)
	}
	if _, err := os.Stat(statePath(t)); !os.IsNotExist(err) {
		t.Errorf("state file after a rollback: %v", err)
	}

	// The rollback fails too (a crash): the state file stays, and the
	// next start's RecoverStale restores from it.
	m, err = New(Options{Backend: &flaky{Backend: gnome{}, t: t, fails: 2}, NoWatchdog: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Enable("127.0.0.1:1080", ModeManual); err == nil {
		t.Fatal("Enable succeeded")
	}
	if gget(t, "", "mode") != "'manual'" {
		t.Fatal("the failure did not leave settings half written")
	}
	if _, err := os.Stat(statePath(t)); err != nil {
		t.Fatalf("no state file after a failed rollback: %v", err)
	}
	next, err := New(Options{NoWatchdog: true})
	if err != nil {
		t.Fatal(err)
	}
	if restored, err := next.RecoverStale(); !restored || err != nil {
		t.Fatalf("RecoverStale = %v, %v", restored, err)
	}
	wantRestored(t, before)
	if restored, err := next.RecoverStale(); restored || err != nil {
		t.Errorf("second RecoverStale = %v, %v", restored, err)
	}
}

// A change the user made while Sockstray had the proxy set is theirs.
func TestGNOMEKeepsForeignChange(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	m := newManager(t)
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	gset(t, "http", "host", "'other-proxy.example'")
	gset(t, "https", "host", "'other-proxy.example'")
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	if got := gget(t, "http", "host"); got != "'other-proxy.example'" {
		t.Errorf("the user's change was undone: http host %s", got)
	}
	if _, err := os.Stat(statePath(t)); !os.IsNotExist(err) {
		t.Errorf("state file after Disable: %v", err)
	}
}

// Settings that exec.Command sees are the temporary ones (a guard for the
// guard: a test must never write the developer's real dconf database).
func TestSessionIsPrivate(t *testing.T) {
	gnomeSession(t)
	out, err := exec.Command("sh", "-c", "echo $XDG_CONFIG_HOME $DBUS_SESSION_BUS_ADDRESS").Output()
	if err != nil || !strings.HasPrefix(string(out), os.TempDir()) {
		t.Fatalf("child environment %q, %v", out, err)
	}
}

// Disable still restores when the state file was deleted under it.
func TestGNOMEDisableWithoutStateFile(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	m := newManager(t)
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(statePath(t)); err != nil {
		t.Fatal(err)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
}

// TestGNOMEBypassList: the app's own list replaces the built-in one, after
// the user's entries, and Disable puts the user's list back exactly.
func TestGNOMEBypassList(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)

	m := newManager(t)
	m.SetBypass([]string{"*.corp.example", "10.0.0.0/8", "localhost"})
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	want := `['localhost', 'intranet.example', '*.corp', "it's", '*.corp.example', '10.0.0.0/8']`
	if got := gget(t, "", "ignore-hosts"); got != want {
		t.Errorf("ignore-hosts = %s, want %s", got, want)
	}
	// An empty list: only the user's own entries.
	m.SetBypass([]string{})
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	if got, want := gget(t, "", "ignore-hosts"), `['localhost', 'intranet.example', '*.corp', "it's"]`; got != want {
		t.Errorf("with no list of the app's, ignore-hosts = %s, want %s", got, want)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
}
