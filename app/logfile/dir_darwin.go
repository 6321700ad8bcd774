package logfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDir is where the log lives: ~/Library/Logs/Sockstray, where
// Console.app looks.
func DefaultDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("log directory: %w", err)
	}
	return filepath.Join(home, "Library", "Logs", "Sockstray"), nil
}
