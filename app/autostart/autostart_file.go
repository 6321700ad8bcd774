//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"os"
)

// Disable removes the entry (the XDG autostart file or the LaunchAgent).
// Removing one that is not there is no error.
func (e Entry) Disable() error {
	path, err := e.Path()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
