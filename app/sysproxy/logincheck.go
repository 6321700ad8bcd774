package sysproxy

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sockstray/sockstray/app/autostart"
)

// RestoreCommand is the hidden subcommand that the login check runs:
// `sockstray sysproxy-restore --if-stale` (RunRestore).
const RestoreCommand = "sysproxy-restore"

// LoginCheck is the login item that exists while the system proxy points
// at Sockstray. The watchdog cannot help when the whole session is killed
// (a logout, pkill): at the next login this entry puts the user's settings
// back even if Sockstray itself is never started again. It is not the
// user's "Start at login" entry (autostart.App) and never touches it.
var LoginCheck = autostart.Entry{
	ID:      autostart.ID + ".ProxyCheck",
	Name:    "Sockstray system proxy check",
	Comment: "Restore the system proxy settings if Sockstray left them pointing at itself",
}

// installLoginCheck writes the login check, running this executable.
func installLoginCheck() error {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err == nil {
		err = LoginCheck.Enable(exe, RestoreCommand, "--if-stale")
	}
	if err != nil {
		return fmt.Errorf("install the login-time check of the system proxy: %w", err)
	}
	return nil
}

// removeLoginCheck removes the login check: with the state file gone there
// is nothing left for it to restore.
func removeLoginCheck() error {
	if err := LoginCheck.Disable(); err != nil {
		return fmt.Errorf("remove the login-time check of the system proxy: %w", err)
	}
	return nil
}

// RunRestore is `sysproxy-restore --if-stale`: if the state file says the
// system proxy still points at a Sockstray that no longer runs, it puts the
// saved settings back (unless someone else changed them since), as the
// next start of the app would. With the state file gone, it removes the
// login check that ran it. It returns the exit code.
func RunRestore(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(RestoreCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	ifStale := fs.Bool("if-stale", false, "restore only settings that a Sockstray no longer running left")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !*ifStale || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: sockstray sysproxy-restore --if-stale")
		return 2
	}
	restored, err := restoreStale()
	if err != nil {
		fmt.Fprintln(stderr, "sockstray sysproxy-restore:", err)
		return 1
	}
	if restored {
		fmt.Fprintln(stdout, "system proxy settings restored")
	}
	return 0
}

// restoreStale is RecoverStale with the backend the state file names: at
// login, the desktop may not be detected as it was when the proxy was set.
func restoreStale() (bool, error) {
	path, err := StatePath()
	if err != nil {
		return false, err
	}
	st, err := loadState(path)
	if err != nil {
		return false, err
	}
	if st == nil {
		return false, removeLoginCheck()
	}
	b, err := backendNamed(st.Backend)
	if err != nil {
		return false, err
	}
	m, err := New(Options{Backend: b, StatePath: path, NoWatchdog: true})
	if err != nil {
		return false, err
	}
	return m.RecoverStale()
}
