package sysproxy

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/sockstray/sockstray/internal/gnometest"
)

// The tests run the real gsettings and dconf against a private D-Bus
// session bus and a temporary XDG_CONFIG_HOME, so the developer's own
// settings are never touched: dconf-service, which does the writing, is
// started by that bus and inherits its environment.

func TestMain(m *testing.M) {
	// The login check runs the executable, this test binary in the tests,
	// as `sysproxy-restore --if-stale`: play that part.
	if len(os.Args) > 1 && os.Args[1] == RestoreCommand {
		os.Exit(RunRestore(os.Args[2:], os.Stdout, os.Stderr))
	}
	switch os.Getenv(roleEnv) {
	case "app":
		os.Exit(testApp())
	case "watchdog":
		os.Exit(RunWatchdog(os.Args[1:], os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

// session gives the test fresh XDG directories and a private session bus
// (gnometest.Session).
func session(t *testing.T, tools ...string) {
	t.Helper()
	gnometest.Session(t, tools...)
}

// gnomeSession is session with gsettings and dconf, and checks that writes
// land in the temporary dconf database.
func gnomeSession(t *testing.T) {
	t.Helper()
	gnometest.GNOME(t)
}

// gset sets a key of org.gnome.system.proxy (sub "" or "http", ...).
func gset(t *testing.T, sub, key, value string) {
	t.Helper()
	gnometest.Set(t, sub, key, value)
}

// gget reads a key of org.gnome.system.proxy.
func gget(t *testing.T, sub, key string) string {
	t.Helper()
	return gnometest.Get(t, sub, key)
}

// gnomeSnapshot is everything that could differ after a restore: the
// user's dconf keys exactly as stored, and every key's effective value.
func gnomeSnapshot(t *testing.T) string {
	t.Helper()
	dump, err := exec.Command("dconf", "dump", "/system/proxy/").Output()
	if err != nil {
		t.Fatalf("dconf dump: %v", err)
	}
	all, err := exec.Command("gsettings", "list-recursively", gnomeSchema).Output()
	if err != nil {
		t.Fatalf("gsettings list-recursively: %v", err)
	}
	return string(dump) + "\n--\n" + string(all)
}

// seedGNOME sets unusual prior settings: a PAC file, a custom bypass list,
// an authenticated HTTP proxy kept for later, and one key explicitly set
// to its default value.
func seedGNOME(t *testing.T) {
	t.Helper()
	gset(t, "", "mode", "'auto'")
	gset(t, "", "autoconfig-url", "'http://wpad.example/proxy.pac'")
	gset(t, "", "ignore-hosts", `['localhost', 'intranet.example', '*.corp', "it's"]`)
	gset(t, "http", "host", "'corp-proxy.example'")
	gset(t, "http", "port", "3128")
	gset(t, "http", "use-authentication", "true")
	gset(t, "http", "authentication-user", "'alice'")
	gset(t, "socks", "port", "0") // the default, but set: must stay set
}

func statePath(t *testing.T) string {
	return filepath.Join(os.Getenv("XDG_STATE_HOME"), "sockstray", "sysproxy.json")
}

// newManager is a Manager without a watchdog, for tests that drive it in
// this process.
func newManager(t *testing.T) *Manager {
	t.Helper()
	m, err := New(Options{NoWatchdog: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wantRestored checks that the GNOME settings are as before, exactly.
func wantRestored(t *testing.T, before string) {
	t.Helper()
	if after := gnomeSnapshot(t); after != before {
		t.Errorf("not restored exactly:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
