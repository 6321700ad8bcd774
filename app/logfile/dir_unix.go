//go:build !darwin && !windows

package logfile

import (
	"errors"
	"os"
	"path/filepath"
)

// DefaultDir is where the log lives: $XDG_STATE_HOME/sockstray, by default
// ~/.local/state/sockstray (the XDG Base Directory spec puts logs in the
// state directory). A relative XDG_STATE_HOME is ignored, as the spec says.
func DefaultDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "sockstray"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("log directory: neither $XDG_STATE_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "state", "sockstray"), nil
}
