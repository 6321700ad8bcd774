package sysproxy

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// WatchdogCommand is the hidden subcommand that runs RunWatchdog.
const WatchdogCommand = "sysproxy-watchdog"

// watchdogPoll is how often the watchdog checks that the state file is
// still there (and, without a pidfd, that the app still runs).
const watchdogPoll = 500 * time.Millisecond

// startWatchdog starts the watchdog unless one runs already. m.mu is held.
func (m *Manager) startWatchdog() error {
	if m.opts.NoWatchdog {
		return nil
	}
	if m.wd != nil {
		select {
		case <-m.wdDone:
		default:
			return nil
		}
	}
	args := []string{"--pid", strconv.Itoa(os.Getpid()), "--state", m.path}
	var cmd *exec.Cmd
	if m.opts.Watchdog != nil {
		cmd = m.opts.Watchdog(args)
	} else {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("start system proxy watchdog: %w", err)
		}
		cmd = exec.Command(exe, append([]string{WatchdogCommand}, args...)...)
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start system proxy watchdog: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	m.wd, m.wdDone = cmd, done
	return nil
}

// stopWatchdog ends the watchdog and waits for it. It is safe to kill: it
// only acts once the app is gone, and the app is here. m.mu is held.
func (m *Manager) stopWatchdog() {
	if m.wd == nil {
		return
	}
	m.wd.Process.Kill()
	<-m.wdDone
	m.wd, m.wdDone = nil, nil
}

// RunWatchdog is the watchdog process: `sysproxy-watchdog --pid N --state
// FILE`. It waits for process N to end; then, if the state file is still
// N's, it restores the saved settings (unless someone else has changed
// them since) and removes the file. It exits by itself as soon as the state
// file is gone or belongs to another process, so none outlives its purpose.
// It returns the exit code.
func RunWatchdog(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet(WatchdogCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	pid := fs.Int("pid", 0, "the app's process ID")
	path := fs.String("state", "", "the system proxy state file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pid <= 0 || *path == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: sockstray sysproxy-watchdog --pid N --state FILE")
		return 2
	}
	st, err := loadState(*path)
	if err != nil {
		fmt.Fprintln(stderr, "sockstray sysproxy-watchdog:", err)
		return 1
	}
	if st == nil || st.PID != *pid {
		return 0
	}
	w := watchProc(*pid, st.Start)
	defer w.close()
	for !w.wait(watchdogPoll) {
		if st, err := loadState(*path); err != nil || st == nil || st.PID != *pid {
			return 0
		}
	}
	// The desktop's settings service may be going away too (a logout):
	// try a few times, then leave the state file to the next start.
	for try := 0; ; try++ {
		err := restoreAfter(*pid, *path)
		if err == nil {
			return 0
		}
		if try == 2 {
			fmt.Fprintln(stderr, "sockstray sysproxy-watchdog:", err)
			return 1
		}
		time.Sleep(time.Second)
	}
}

// restoreAfter restores the settings process pid saved in the state file at
// path, if the file is still its.
func restoreAfter(pid int, path string) error {
	unlock, err := lockState(path)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadState(path)
	if err != nil || st == nil || st.PID != pid {
		return err
	}
	b, err := backendNamed(st.Backend)
	if err != nil {
		return err
	}
	m := &Manager{backend: b, path: path}
	_, err = m.restore(st)
	return err
}
