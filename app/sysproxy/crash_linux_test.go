package sysproxy

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/winetest"
)

// app is the test binary run as a stand-in for Sockstray (see testApp).
type app struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	wdPID int
}

// startApp runs the stand-in app and waits until it has set the proxy.
func startApp(t *testing.T, proxy string, watchdog bool) *app {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleEnv+"=app", "TEST_PROXY="+proxy)
	if !watchdog {
		cmd.Env = append(cmd.Env, "TEST_NO_WATCHDOG=1")
	}
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
	a := &app{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
		if a.wdPID > 0 && alive(a.wdPID, "") {
			syscall.Kill(a.wdPID, syscall.SIGKILL)
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 2 || f[0] != "enabled" {
		t.Fatalf("app: %q, %v", line, err)
	}
	a.wdPID, _ = strconv.Atoi(f[1])
	if watchdog && a.wdPID <= 0 {
		t.Fatal("app started no watchdog")
	}
	return a
}

// kill9 kills the app with SIGKILL and collects it, so that it is gone and
// not a zombie.
func (a *app) kill9(t *testing.T) {
	t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.cmd.Wait()
}

func watchdogLog(t *testing.T) string {
	b, _ := os.ReadFile(os.Getenv("XDG_STATE_HOME") + "/watchdog.log")
	return string(b)
}

func TestWatchdogRestoresAfterKill9(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	a := startApp(t, "127.0.0.1:1080", true)
	if gget(t, "", "mode") != "'manual'" || gget(t, "socks", "port") != "1080" {
		t.Fatal("the app did not set the proxy")
	}
	// A second app may neither take over nor restore while the first runs.
	other, err := New(Options{NoWatchdog: true})
	if err != nil {
		t.Fatal(err)
	}
	if restored, err := other.RecoverStale(); restored || err != nil {
		t.Fatalf("RecoverStale with the owner alive = %v, %v", restored, err)
	}
	if err := other.Enable("127.0.0.1:1090", ModeManual); !errors.Is(err, ErrBusy) {
		t.Fatalf("Enable with the owner alive: %v", err)
	}

	a.kill9(t)
	start := time.Now()
	if !eventually(5*time.Second, func() bool { return gnomeSnapshot(t) == before }) {
		t.Fatalf("watchdog did not restore within 5s:\n%s\nwatchdog log: %s", gnomeSnapshot(t), watchdogLog(t))
	}
	t.Logf("watchdog restored %v after kill -9", time.Since(start).Round(time.Millisecond))
	if !eventually(3*time.Second, func() bool { _, err := os.Stat(statePath(t)); return os.IsNotExist(err) }) {
		t.Error("state file still there")
	}
	if !eventually(3*time.Second, func() bool { return loginExec(t) == nil }) {
		t.Error("the login check is still there after the watchdog's restore")
	}
	if !eventually(3*time.Second, func() bool { return !alive(a.wdPID, "") }) {
		t.Error("watchdog still running after its restore")
	}
}

func TestRecoverStaleAfterKill9(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	a := startApp(t, "127.0.0.1:1080", true)
	// The watchdog dies too (say, the whole session was killed).
	if err := syscall.Kill(a.wdPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !eventually(3*time.Second, func() bool { return !alive(a.wdPID, "") }) {
		t.Fatal("watchdog survived SIGKILL")
	}
	a.kill9(t)
	if gget(t, "", "mode") != "'manual'" {
		t.Fatal("settings changed without app and watchdog")
	}
	m := newManager(t)
	if restored, err := m.RecoverStale(); !restored || err != nil {
		t.Fatalf("RecoverStale = %v, %v", restored, err)
	}
	wantRestored(t, before)
	if _, err := os.Stat(statePath(t)); !os.IsNotExist(err) {
		t.Errorf("state file after RecoverStale: %v", err)
	}
}

func TestRecoverStaleWithoutWatchdog(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	a := startApp(t, "127.0.0.1:1080", false)
	a.kill9(t)
	m := newManager(t)
	if restored, err := m.RecoverStale(); !restored || err != nil {
		t.Fatalf("RecoverStale = %v, %v", restored, err)
	}
	wantRestored(t, before)
}

func TestWatchdogEndsWithDisable(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	a := startApp(t, "127.0.0.1:1080", true)
	a.stdin.Close() // the app disables and exits
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("app: %v", err)
	}
	if alive(a.wdPID, "") {
		t.Error("watchdog outlived Disable")
	}
	wantRestored(t, before)
}

func TestWatchdogExitsWhenStateGoes(t *testing.T) {
	gnomeSession(t)
	a := startApp(t, "127.0.0.1:1080", true)
	if err := os.Remove(statePath(t)); err != nil {
		t.Fatal(err)
	}
	if !eventually(3*time.Second, func() bool { return !alive(a.wdPID, "") }) {
		t.Fatal("watchdog still running with its state file gone")
	}
	if gget(t, "", "mode") != "'manual'" {
		t.Error("watchdog restored although its app still runs")
	}
}

func TestRunWatchdogUsage(t *testing.T) {
	var sb strings.Builder
	if code := RunWatchdog([]string{"--pid", "0"}, &sb); code != 2 || !strings.Contains(sb.String(), "usage") {
		t.Errorf("code %d, %q", code, sb.String())
	}
	// No state file: nothing to guard.
	if code := RunWatchdog([]string{"--pid", "1", "--state", winetest.TempDir(t) + "/none.json"}, &sb); code != 0 {
		t.Errorf("code %d without a state file", code)
	}
}
