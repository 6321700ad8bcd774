package sysproxy

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
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
	cmd.Env = watchdogEnv(cmd.Environ())
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start system proxy watchdog: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	m.wd, m.wdDone = cmd, done
	return nil
}

// watchdogNames are the environment variables the watchdog may inherit:
// what it and the settings tools it runs need to find the user's session
// and files (gsettings and dconf: the session bus, XDG folders, GSETTINGS_*,
// GIO_*, DCONF_PROFILE; kreadconfig/kwriteconfig: XDG folders and HOME;
// notifyKIO: the session bus; networksetup: PATH; Windows: its folders),
// and nothing else. It runs detached for as long as the proxy is on, so it
// must not carry the app's passwords ($SOCKSTRAY_PASSWORD…) or anyone
// else's secrets in its /proc/PID/environ. Names ending in "_" are
// prefixes. Windows ignores the case of names, so matching does too.
var watchdogNames = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LANGUAGE", "LC_",
	"XDG_", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "DESKTOP_SESSION",
	"GSETTINGS_", "GIO_", "DCONF_PROFILE", "KDE_",
	"SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "USERPROFILE", "USERNAME", "APPDATA", "LOCALAPPDATA",
	"PROGRAMDATA", "TEMP", "TMP", "COMSPEC", "PATHEXT",
}

// secretWords mark a variable as a secret's, never passed on whatever its
// prefix.
var secretWords = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL"}

// watchdogEnv cuts env down to the watchdogNames this process has. A
// variable that an Options.Watchdog command set itself (one this process
// does not have with that value) stays: that is its caller's choice. A
// name that looks like a secret's never stays.
func watchdogEnv(env []string) []string {
	inherited := map[string]bool{}
	for _, kv := range os.Environ() {
		inherited[kv] = true
	}
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		name = strings.ToUpper(name)
		secret := slices.ContainsFunc(secretWords, func(w string) bool { return strings.Contains(name, w) })
		needed := slices.ContainsFunc(watchdogNames, func(n string) bool {
			return name == n || strings.HasSuffix(n, "_") && strings.HasPrefix(name, n)
		})
		if !secret && (needed || !inherited[kv]) {
			out = append(out, kv)
		}
	}
	return out
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
