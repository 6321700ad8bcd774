//go:build linux || freebsd || openbsd || netbsd || dragonfly

package sysproxy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Detect picks the settings store of the running desktop: KDE's when
// $XDG_CURRENT_DESKTOP names KDE and kwriteconfig6 or kwriteconfig5 is
// installed, otherwise GNOME's when gsettings knows org.gnome.system.proxy
// (GNOME, and the GTK-based desktops and apps that read it). It returns
// ErrNoDesktop when neither is there.
func Detect() (Backend, error) {
	if isKDE() {
		if b, err := newKDE(); err == nil {
			return b, nil
		}
	}
	if b, err := newGNOME(); err == nil {
		return b, nil
	}
	return nil, ErrNoDesktop
}

// isKDE reads $XDG_CURRENT_DESKTOP, a colon-separated list ("KDE").
func isKDE() bool {
	for d := range strings.SplitSeq(os.Getenv("XDG_CURRENT_DESKTOP"), ":") {
		if strings.EqualFold(d, "KDE") {
			return true
		}
	}
	return false
}

// backendNamed is the backend a state file names.
func backendNamed(name string) (Backend, error) {
	switch name {
	case "gnome":
		return newGNOME()
	case "kde":
		return newKDE()
	}
	return nil, fmt.Errorf("system proxy settings %q are not supported here", name)
}

// stateDir is $XDG_STATE_HOME/sockstray, or ~/.local/state/sockstray. A
// relative XDG_STATE_HOME is ignored, as the XDG spec says.
func stateDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "sockstray"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("neither $XDG_STATE_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "state", "sockstray"), nil
}
