package logfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDir is where the log lives: %LOCALAPPDATA%\Sockstray\logs.
func DefaultDir() (string, error) {
	dir, err := os.UserCacheDir() // %LOCALAPPDATA%
	if err != nil {
		return "", fmt.Errorf("log directory: %w", err)
	}
	return filepath.Join(dir, "Sockstray", "logs"), nil
}
