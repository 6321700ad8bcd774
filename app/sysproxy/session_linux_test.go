package sysproxy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/sockstray/sockstray/internal/testnet"

	"github.com/sockstray/sockstray/internal/winetest"
)

// The tests run the real gsettings and dconf against a private D-Bus
// session bus and a temporary XDG_CONFIG_HOME, so the developer's own
// settings are never touched: dconf-service, which does the writing, is
// started by that bus and inherits its environment.

const missingTools = "install gsettings-desktop-schemas dconf-gsettings-backend dconf-cli libglib2.0-bin dbus-daemon (scripts/deps.sh), or set SOCKSTRAY_NO_SYSPROXY_TESTS=1 to skip the system proxy tests"

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

// session gives the test fresh XDG directories and a private session bus.
// It fails the test when the tools are missing, so that a machine without
// them cannot pass by skipping.
func session(t *testing.T, tools ...string) {
	t.Helper()
	if os.Getenv("SOCKSTRAY_NO_SYSPROXY_TESTS") == "1" {
		t.Skip("SOCKSTRAY_NO_SYSPROXY_TESTS=1")
	}
	for _, tool := range append([]string{"dbus-daemon"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: %s", tool, missingTools)
		}
	}
	dir := winetest.TempDir(t)
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"} {
		p := filepath.Join(dir, strings.ToLower(v))
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv(v, p)
	}
	t.Setenv("GSETTINGS_BACKEND", "dconf")
	t.Setenv("XDG_CURRENT_DESKTOP", "GNOME")

	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	// The bus's activated services (dconf-service) write into the test's
	// folders: they go with it, before those folders are removed.
	t.Cleanup(func() { testnet.KillTree(bus.Process.Pid); bus.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
}

// gnomeSession is session with gsettings and dconf, and checks that writes
// land in the temporary dconf database.
func gnomeSession(t *testing.T) {
	t.Helper()
	session(t, "gsettings", "dconf")
	if out, err := exec.Command("gsettings", "list-keys", gnomeSchema).CombinedOutput(); err != nil {
		t.Fatalf("gsettings does not know %s (%s): %s", gnomeSchema, out, missingTools)
	}
	gset(t, "", "use-same-proxy", "true")
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dconf", "user")); err != nil {
		t.Fatalf("gsettings did not write to the test's dconf database (is dconf-gsettings-backend installed?): %v", err)
	}
	exec.Command("gsettings", "reset", gnomeSchema, "use-same-proxy").Run()
}

// gset sets a key of org.gnome.system.proxy (sub "" or "http", ...).
func gset(t *testing.T, sub, key, value string) {
	t.Helper()
	schema := gnomeSchema
	if sub != "" {
		schema += "." + sub
	}
	if out, err := exec.Command("gsettings", "set", schema, key, value).CombinedOutput(); err != nil {
		t.Fatalf("gsettings set %s %s %s: %v %s", schema, key, value, err, out)
	}
}

// gget reads a key of org.gnome.system.proxy.
func gget(t *testing.T, sub, key string) string {
	t.Helper()
	schema := gnomeSchema
	if sub != "" {
		schema += "." + sub
	}
	out, err := exec.Command("gsettings", "get", schema, key).Output()
	if err != nil {
		t.Fatalf("gsettings get %s %s: %v", schema, key, err)
	}
	return strings.TrimSpace(string(out))
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
