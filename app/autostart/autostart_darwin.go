package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Path is where the entry lives, to show to the user:
// ~/Library/LaunchAgents/ID.plist.
func (e Entry) Path() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("autostart: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", e.ID+".plist"), nil
}

// Enable makes launchd start exe with args at the next login, replacing an
// agent written before. It does not load the agent now: that would start a
// second copy of the running app.
func (e Entry) Enable(exe string, args ...string) error {
	if !filepath.IsAbs(exe) {
		return ErrRelative
	}
	if err := checkArgs(exe, args); err != nil {
		return err
	}
	path, err := e.Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(launchAgent(e, exe, args)), 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Enabled reports whether the LaunchAgent is there.
func (e Entry) Enabled() (bool, error) {
	path, err := e.Path()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("autostart: %w", err)
}
