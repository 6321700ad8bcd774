// Package sessionbus finds the desktop session's D-Bus bus without ever
// starting one: godbus would otherwise "autolaunch" a bus daemon that
// outlives the process and that no desktop service listens on.
package sessionbus

import (
	"os"
	"path/filepath"
	"strconv"
)

// Address is the session bus's address and true, or "" and false where
// there is none: DBUS_SESSION_BUS_ADDRESS when set (but not to
// "autolaunch:"), else the socket systemd's user session keeps in
// $XDG_RUNTIME_DIR (or /run/user/UID).
func Address() (string, bool) {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return a, true
	}
	dirs := []string{os.Getenv("XDG_RUNTIME_DIR"), "/run/user/" + strconv.Itoa(os.Getuid())}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		for _, name := range []string{"bus", "dbus-session"} {
			f := filepath.Join(dir, name)
			if fi, err := os.Stat(f); err == nil && fi.Mode()&os.ModeSocket != 0 {
				return "unix:path=" + f, true
			}
		}
	}
	return "", false
}
