//go:build linux

// Package gnometest gives a test a desktop session of its own: fresh XDG
// folders and a private D-Bus session bus, so the real gsettings and dconf
// write into the test's folders and never the developer's settings
// (dconf-service, which does the writing, is started by that bus and
// inherits its environment).
package gnometest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/testnet"
)

// MissingTools says what to install for these sessions.
const MissingTools = "install gsettings-desktop-schemas dconf-gsettings-backend dconf-cli libglib2.0-bin dbus-daemon (scripts/deps.sh), or set SOCKSTRAY_NO_SYSPROXY_TESTS=1 to skip the system proxy tests"

// Schema is GNOME's proxy settings schema.
const Schema = "org.gnome.system.proxy"

// Session gives the test fresh XDG folders and a private session bus. It
// fails the test when the tools are missing, so that a machine without
// them cannot pass by skipping.
func Session(t *testing.T, tools ...string) {
	t.Helper()
	if os.Getenv("SOCKSTRAY_NO_SYSPROXY_TESTS") == "1" {
		t.Skip("SOCKSTRAY_NO_SYSPROXY_TESTS=1")
	}
	for _, tool := range append([]string{"dbus-daemon"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: %s", tool, MissingTools)
		}
	}
	dir := t.TempDir()
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

// GNOME is Session with gsettings and dconf, checked to write into the
// test's own dconf database.
func GNOME(t *testing.T) {
	t.Helper()
	Session(t, "gsettings", "dconf")
	if out, err := exec.Command("gsettings", "list-keys", Schema).CombinedOutput(); err != nil {
		t.Fatalf("gsettings does not know %s (%s): %s", Schema, out, MissingTools)
	}
	Set(t, "", "use-same-proxy", "true")
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dconf", "user")); err != nil {
		t.Fatalf("gsettings did not write to the test's dconf database (is dconf-gsettings-backend installed?): %v", err)
	}
	exec.Command("gsettings", "reset", Schema, "use-same-proxy").Run()
}

// Set sets a key of the proxy schema (sub "" or "http", ...).
func Set(t *testing.T, sub, key, value string) {
	t.Helper()
	if out, err := exec.Command("gsettings", "set", schema(sub), key, value).CombinedOutput(); err != nil {
		t.Fatalf("gsettings set %s %s %s: %v %s", schema(sub), key, value, err, out)
	}
}

// Get reads a key of the proxy schema.
func Get(t *testing.T, sub, key string) string {
	t.Helper()
	out, err := exec.Command("gsettings", "get", schema(sub), key).Output()
	if err != nil {
		t.Fatalf("gsettings get %s %s: %v", schema(sub), key, err)
	}
	return strings.TrimSpace(string(out))
}

func schema(sub string) string {
	if sub == "" {
		return Schema
	}
	return Schema + "." + sub
}
