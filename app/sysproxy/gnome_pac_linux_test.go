package sysproxy

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// The automatic (PAC) mode against the real gsettings and dconf, as
// gnome_linux_test.go does for the manual mode.

const testPAC = "'http://127.0.0.1:1080/proxy.pac'"

// gwant checks keys of org.gnome.system.proxy: {sub, key, value}.
func gwant(t *testing.T, when string, keys [][3]string) {
	t.Helper()
	for _, k := range keys {
		if got := gget(t, k[0], k[1]); got != k[2] {
			t.Errorf("%s: %s %s = %s, want %s", when, k[0], k[1], got, k[2])
		}
	}
}

// The user had a PAC file of their own: only the URL changes, and theirs
// comes back.
func TestGNOMEPACEnableDisableExact(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	m := newManager(t)
	if err := m.Enable("0.0.0.0:1080", ModeAuto); err != nil {
		t.Fatal(err)
	}
	gwant(t, "while enabled", [][3]string{
		{"", "mode", "'auto'"}, {"", "autoconfig-url", testPAC},
		// The PAC file decides: the user's proxies and bypass list stay.
		{"http", "host", "'corp-proxy.example'"}, {"http", "port", "3128"}, {"http", "use-authentication", "true"},
		{"socks", "host", "''"}, {"", "ignore-hosts", `['localhost', 'intranet.example', '*.corp', "it's"]`},
	})
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
	if _, err := os.Stat(statePath(t)); !os.IsNotExist(err) {
		t.Errorf("state file still there after Disable: %v", err)
	}
}

// New rules on the same port change the URL: GNOME's programs (and
// libproxy's PAC runner) fetch a PAC file again only for a new URL. The
// user's own settings still come back whole.
func TestGNOMEPACVersionChangesURL(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	m := newManager(t)
	for _, v := range []string{"0a1b2c", "d3e4f5"} {
		m.SetPACVersion(v)
		if err := m.Enable("127.0.0.1:1080", ModeAuto); err != nil {
			t.Fatal(err)
		}
		gwant(t, "version "+v, [][3]string{{"", "mode", "'auto'"}, {"", "autoconfig-url", "'http://127.0.0.1:1080/proxy.pac?v=" + v + "'"}})
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
}

// Nothing set before: mode and URL are reset after, not pinned.
func TestGNOMEPACFromDefaults(t *testing.T) {
	gnomeSession(t)
	before := gnomeSnapshot(t)
	m := newManager(t)
	if err := m.Enable("[::1]:1080", ModeAuto); err != nil {
		t.Fatal(err)
	}
	gwant(t, "while enabled", [][3]string{{"", "mode", "'auto'"}, {"", "autoconfig-url", "'http://[::1]:1080/proxy.pac'"}})
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
}

// Switching modes (and ports) while on writes from the settings saved
// first each time, and Disable still restores them exactly.
func TestGNOMESwitchModesWhileOn(t *testing.T) {
	gnomeSession(t)
	gset(t, "", "mode", "'manual'")
	gset(t, "http", "host", "'corp-proxy.example'")
	gset(t, "http", "port", "3128")
	gset(t, "", "autoconfig-url", "'http://wpad.example/old.pac'") // kept for later by the user
	before := gnomeSnapshot(t)
	m := newManager(t)
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	gwant(t, "manual", [][3]string{{"", "mode", "'manual'"}, {"http", "host", "'127.0.0.1'"}, {"socks", "port", "1080"}, {"", "autoconfig-url", "''"}})
	if err := m.Enable("127.0.0.1:1081", ModeAuto); err != nil {
		t.Fatal(err)
	}
	gwant(t, "manual → PAC", [][3]string{
		{"", "mode", "'auto'"}, {"", "autoconfig-url", "'http://127.0.0.1:1081/proxy.pac'"},
		{"http", "host", "'corp-proxy.example'"}, {"http", "port", "3128"}, {"socks", "host", "''"}, {"socks", "port", "0"},
	})
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	gwant(t, "PAC → manual", [][3]string{{"", "mode", "'manual'"}, {"socks", "host", "'127.0.0.1'"}, {"", "autoconfig-url", "''"}})
	if err := m.Enable("127.0.0.1:1080", ModeAuto); err != nil {
		t.Fatal(err)
	}
	gwant(t, "manual → PAC again", [][3]string{{"", "mode", "'auto'"}, {"", "autoconfig-url", testPAC}})
	if st, err := loadState(statePath(t)); err != nil || st == nil || st.Saved.Mode != ModeManual || st.Saved.AutoConfigURL != "http://wpad.example/old.pac" {
		t.Fatalf("the saved settings changed: %+v, %v", st, err)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, before)
}

// A PAC file the user chose while Sockstray's was set is theirs.
func TestGNOMEPACKeepsForeignChange(t *testing.T) {
	gnomeSession(t)
	m := newManager(t)
	if err := m.Enable("127.0.0.1:1080", ModeAuto); err != nil {
		t.Fatal(err)
	}
	gset(t, "", "autoconfig-url", "'http://wpad.example/new.pac'")
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	gwant(t, "after Disable", [][3]string{{"", "mode", "'auto'"}, {"", "autoconfig-url", "'http://wpad.example/new.pac'"}})
}

func TestGNOMEPACWatchdogRestoresAfterKill9(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	t.Setenv("TEST_MODE", string(ModeAuto))
	a := startApp(t, "127.0.0.1:1080", true)
	gwant(t, "app running", [][3]string{{"", "mode", "'auto'"}, {"", "autoconfig-url", testPAC}})
	a.kill9(t)
	if !eventually(5*time.Second, func() bool { return gnomeSnapshot(t) == before }) {
		t.Fatalf("watchdog did not restore within 5s:\n%s\nwatchdog log: %s", gnomeSnapshot(t), watchdogLog(t))
	}
	if !eventually(3*time.Second, func() bool { _, err := os.Stat(statePath(t)); return os.IsNotExist(err) }) {
		t.Error("state file still there")
	}
}

// killSession kills the app and its watchdog, as a killed session does.
func killSession(t *testing.T, a *app) {
	t.Helper()
	if err := syscall.Kill(a.wdPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !eventually(3*time.Second, func() bool { return !alive(a.wdPID, "") }) {
		t.Fatal("watchdog survived SIGKILL")
	}
	a.kill9(t)
	if gget(t, "", "autoconfig-url") != testPAC {
		t.Fatal("settings changed without app and watchdog")
	}
}

func TestGNOMEPACRecoverStale(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	t.Setenv("TEST_MODE", string(ModeAuto))
	killSession(t, startApp(t, "127.0.0.1:1080", true))
	m := newManager(t)
	if restored, err := m.RecoverStale(); !restored || err != nil {
		t.Fatalf("RecoverStale = %v, %v", restored, err)
	}
	wantRestored(t, before)
}

func TestGNOMEPACLoginCheckRestores(t *testing.T) {
	gnomeSession(t)
	gset(t, "", "mode", "'none'")
	before := gnomeSnapshot(t)
	t.Setenv("TEST_MODE", string(ModeAuto))
	a := startApp(t, "127.0.0.1:1080", true)
	argv := loginExec(t)
	killSession(t, a)
	if out := runAtLogin(t, argv); out != "system proxy settings restored\n" {
		t.Errorf("output %q", out)
	}
	wantRestored(t, before)
	if loginExec(t) != nil {
		t.Error("the login check is still there after its restore")
	}
}
