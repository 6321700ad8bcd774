package sysproxy

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The parts of the tests that play Sockstray in a child process, on every
// platform that has a system proxy backend.

// roleEnv makes the test binary play another program: "app" (Enable, then
// wait for stdin to close, then Disable) or "watchdog" (RunWatchdog).
const roleEnv = "SOCKSTRAY_SYSPROXY_TEST_ROLE"

// testApp is a stand-in for Sockstray: it enables the system proxy at
// $TEST_PROXY in mode $TEST_MODE (manual when unset), says "enabled
// WATCHDOG-PID" on stdout and disables it when stdin closes.
func testApp() int {
	mode := Mode(os.Getenv("TEST_MODE"))
	if mode == "" {
		mode = ModeManual
	}
	m, err := New(Options{NoWatchdog: os.Getenv("TEST_NO_WATCHDOG") == "1", Watchdog: testWatchdog})
	if err == nil {
		err = m.Enable(os.Getenv("TEST_PROXY"), mode)
	}
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	pid := 0
	if m.wd != nil {
		pid = m.wd.Process.Pid
	}
	fmt.Println("enabled", pid)
	io.Copy(io.Discard, os.Stdin)
	if err := m.Disable(); err != nil {
		fmt.Fprintln(os.Stderr, "disable:", err)
		return 1
	}
	return 0
}

// testWatchdog runs the watchdog from the test binary, its stderr to a log
// in the state directory for a failing test to show.
func testWatchdog(args []string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), roleEnv+"=watchdog")
	if f, err := os.OpenFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "watchdog.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		cmd.Stderr = f // the child has its own copy once started
	}
	return cmd
}

// eventually polls cond for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
