//go:build !darwin && !windows

package autostart

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Path is where the entry lives, to show to the user:
// $XDG_CONFIG_HOME/autostart/ID.desktop.
func (e Entry) Path() (string, error) {
	dir, err := os.UserConfigDir() // $XDG_CONFIG_HOME or ~/.config
	if err != nil {
		return "", fmt.Errorf("autostart: %w", err)
	}
	return filepath.Join(dir, "autostart", e.ID+".desktop"), nil
}

// Enable makes the session start exe with args at login, replacing an entry
// written before (for example one naming an older path).
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
	return writeAtomic(path, desktopEntry(e, exe, args))
}

// Enabled reports whether the entry is there and not switched off: a
// session settings tool may keep the file with Hidden=true or
// X-GNOME-Autostart-enabled=false instead of deleting it.
func (e Entry) Enabled() (bool, error) {
	path, err := e.Path()
	if err != nil {
		return false, err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("autostart: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, _ := strings.Cut(sc.Text(), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if (key == "Hidden" && value == "true") || (key == "X-GNOME-Autostart-enabled" && value == "false") {
			return false, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("autostart: %w", err)
	}
	return true, nil
}

// writeAtomic writes data to path through a temporary file and a rename, so
// the session never reads half an entry.
func writeAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sockstray-*.tmp")
	if err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	_, werr := tmp.WriteString(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("autostart: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
