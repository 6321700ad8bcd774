package sysproxy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/windows/registry"

	"github.com/sockstray/sockstray/internal/winetest"
)

// The tests run against the real Internet Settings key of the user running
// them (make test-windows runs them in a fresh Wine prefix) and put every
// value back as it was.

func TestMain(m *testing.M) {
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

// winSession gives the test its own state directory (LocalAppData, where
// stateDir is) and seeds Internet Settings with a user's own proxy, to be
// restored exactly: a DWORD, a string, and two values that are not there.
// It returns the seeded values' snapshot; the user's real values come back
// at cleanup.
func winSession(t *testing.T) []RawValue {
	t.Helper()
	dir := winetest.TempDir(t)
	t.Setenv("LOCALAPPDATA", dir)
	t.Setenv("XDG_STATE_HOME", dir) // the test watchdog's log
	real, err := wininet{}.raw()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { restoreRaw(t, real) })
	restoreRaw(t, []RawValue{
		{Key: "ProxyEnable", Value: encodeRegRaw(registry.DWORD, []byte{0, 0, 0, 0})},
		{Key: "ProxyServer", Value: encodeRegRaw(registry.SZ, utf16z("corp-proxy:3128"))},
		{Key: "ProxyOverride", Unset: true},
		{Key: "AutoConfigURL", Unset: true},
	})
	before, err := wininet{}.raw()
	if err != nil {
		t.Fatal(err)
	}
	return before
}

func restoreRaw(t *testing.T, raw []RawValue) {
	t.Helper()
	k, err := registry.OpenKey(registry.CURRENT_USER, inetSettings, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for _, v := range raw {
		if err := setRegRaw(k, v); err != nil {
			t.Fatalf("restore %s: %v", v.Key, err)
		}
	}
}

func utf16z(s string) []byte {
	var b []byte
	for _, r := range s + "\x00" {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func regString(t *testing.T, name string) string {
	t.Helper()
	k, err := registry.OpenKey(registry.CURRENT_USER, inetSettings, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if s, _, err := k.GetStringValue(name); err == nil {
		return s
	}
	n, _, err := k.GetIntegerValue(name)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return strconv.FormatUint(n, 10)
}

func wantRaw(t *testing.T, before []RawValue) {
	t.Helper()
	after, err := wininet{}.raw()
	if err != nil {
		t.Fatal(err)
	}
	if !rawEqual(before, after) {
		t.Errorf("not restored exactly:\nbefore %v\nafter  %v", before, after)
	}
}

func rawEqual(a, b []RawValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Enable writes the registry values WinINet reads; Disable puts back the
// user's own, types and all.
func TestWinINetSetAndRestore(t *testing.T) {
	before := winSession(t)
	m, err := New(Options{NoWatchdog: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.Backend() != "wininet" {
		t.Fatalf("backend %q", m.Backend())
	}
	if err := m.Enable("127.0.0.1:1080", ModeManual); err != nil {
		t.Fatal(err)
	}
	if got := regString(t, "ProxyEnable"); got != "1" {
		t.Errorf("ProxyEnable = %s, want 1", got)
	}
	if got := regString(t, "ProxyServer"); !strings.Contains(got, "127.0.0.1:1080") {
		t.Errorf("ProxyServer = %q, want Sockstray's address", got)
	}
	if err := m.Disable(); err != nil {
		t.Fatal(err)
	}
	wantRaw(t, before)
	path, err := StatePath()
	if err != nil || !strings.HasPrefix(path, os.Getenv("LOCALAPPDATA")) {
		t.Fatalf("StatePath = %q, %v: not in the test's LocalAppData", path, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("state file after Disable: %v", err)
	}
}

// The app is killed outright (TerminateProcess, Windows' kill -9): its
// watchdog puts the user's settings back.
func TestWinINetWatchdogRestoresAfterKill(t *testing.T) {
	before := winSession(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleEnv+"=app", "TEST_PROXY=127.0.0.1:1080")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if f := strings.Fields(line); err != nil || len(f) != 2 || f[0] != "enabled" || f[1] == "0" {
		t.Fatalf("app: %q, %v", line, err)
	}
	if got := regString(t, "ProxyEnable"); got != "1" {
		t.Fatalf("ProxyEnable = %s after the app set it", got)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	start := time.Now()
	if !eventually(10*time.Second, func() bool {
		after, err := wininet{}.raw()
		return err == nil && rawEqual(before, after)
	}) {
		log, _ := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "watchdog.log"))
		t.Fatalf("the watchdog did not restore within 10 s (ProxyEnable %s); its log:\n%s", regString(t, "ProxyEnable"), log)
	}
	t.Logf("watchdog restored %v after the kill", time.Since(start).Round(time.Millisecond))
}
