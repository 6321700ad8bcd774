package sysproxy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// The KDE tests' stand-in tools (kde_linux_test.go) keep their store in
// $FAKE_KDE_DIR, which the real kreadconfig and kwriteconfig do not use:
// in this test binary only, the watchdog may inherit it.
func init() { watchdogNames = append(watchdogNames, "FAKE_KDE_DIR") }

// throwaway is a password for one test run, never written anywhere.
func throwaway(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	rand.Read(b)
	return "wd-secret-" + hex.EncodeToString(b)
}

// TestWatchdogEnvironment starts the real watchdog the way the crash tests
// do, from an app whose environment holds passwords, reads the watchdog's
// /proc/PID/environ and then kills the app: no secret and nothing off the
// allowlist reached the watchdog, and its restore still works.
func TestWatchdogEnvironment(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	secrets := map[string]string{
		"SOCKSTRAY_PASSWORD":            throwaway(t),
		"SOCKSTRAY_UPSTREAM_PASSWORD":   throwaway(t),
		"SOCKSTRAY_UPSTREAM_PASSWORD_2": throwaway(t),
		"XDG_SESSION_PASSWORD":          throwaway(t), // an allowed prefix, a secret's name
		"GITHUB_TOKEN":                  throwaway(t),
		"UNRELATED_SETTING":             throwaway(t), // not secret-looking, just not needed
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	a := startApp(t, "127.0.0.1:1080", true)

	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", a.wdPID))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, kv := range bytes.Split(bytes.TrimRight(raw, "\x00"), []byte{0}) {
		name, _, _ := strings.Cut(string(kv), "=")
		names[name] = true
		if name != roleEnv && !slices.ContainsFunc(watchdogNames, func(n string) bool {
			return name == n || strings.HasSuffix(n, "_") && strings.HasPrefix(name, n)
		}) {
			t.Errorf("the watchdog has %s, which is not on the allowlist", name)
		}
	}
	for k, v := range secrets {
		if names[k] || bytes.Contains(raw, []byte(v)) {
			t.Errorf("the watchdog's environment holds %s", k)
		}
	}
	for _, need := range []string{"PATH", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "GSETTINGS_BACKEND", roleEnv} {
		if !names[need] {
			t.Errorf("the watchdog lacks %s", need)
		}
	}

	a.kill9(t)
	if !eventually(5*time.Second, func() bool { return gnomeSnapshot(t) == before }) {
		t.Fatalf("watchdog did not restore within 5s:\n%s\nwatchdog log: %s", gnomeSnapshot(t), watchdogLog(t))
	}
}

func TestWatchdogEnvKeepsWhatTheCommandSets(t *testing.T) {
	t.Setenv("SOCKSTRAY_PASSWORD", "inherited")
	t.Setenv("UNRELATED_SETTING", "inherited")
	t.Setenv("HOME", "/home/someone")
	env := append(os.Environ(), "ROLE=watchdog", "UNRELATED_SETTING=set by the command", "MY_TOKEN=set by the command", "Path=C:\\Windows")
	got := watchdogEnv(env)
	for _, want := range []string{"HOME=/home/someone", "ROLE=watchdog", "UNRELATED_SETTING=set by the command", "Path=C:\\Windows"} {
		if !slices.Contains(got, want) {
			t.Errorf("watchdogEnv dropped %s", want)
		}
	}
	for _, kv := range got {
		if strings.HasPrefix(kv, "SOCKSTRAY_PASSWORD=") || kv == "UNRELATED_SETTING=inherited" || strings.HasPrefix(kv, "MY_TOKEN=") {
			t.Errorf("watchdogEnv kept %s", kv)
		}
	}
}
