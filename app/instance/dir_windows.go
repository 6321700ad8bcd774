package instance

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDir is where the lock and address file live: %LOCALAPPDATA%\Sockstray,
// which only the user can read.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir() // %LOCALAPPDATA%
	if err != nil {
		return "", fmt.Errorf("instance: %w", err)
	}
	dir := filepath.Join(base, "Sockstray")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("instance: %w", err)
	}
	return dir, nil
}
