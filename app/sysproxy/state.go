package sysproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sockstray/sockstray/internal/filelock"
)

// stateVersion is the state file's format; a newer one is left alone.
const stateVersion = 1

// state is the state file: what the settings were before Sockstray changed
// them, and who changed them. It exists exactly while the system proxy may
// point at Sockstray.
type state struct {
	Version int       `json:"version"`
	PID     int       `json:"pid"`             // the app that set the proxy
	Start   string    `json:"start,omitempty"` // its start time, so a reused PID is not taken for it
	Backend string    `json:"backend"`
	Proxies []string  `json:"proxies"` // every address it set, newest last
	Saved   Settings  `json:"saved"`
	Time    time.Time `json:"time"`
}

// StatePath is where the state file lives by default: on Linux and the
// BSDs $XDG_STATE_HOME/sockstray/sysproxy.json (~/.local/state when unset),
// on macOS ~/Library/Application Support/Sockstray, on Windows
// %LOCALAPPDATA%\Sockstray.
func StatePath() (string, error) {
	dir, err := stateDir()
	if err != nil {
		return "", fmt.Errorf("system proxy state directory: %w", err)
	}
	return filepath.Join(dir, "sysproxy.json"), nil
}

// loadState reads the state file; a missing file is (nil, nil).
func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read system proxy state: %w", err)
	}
	st := new(state)
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("read system proxy state %s: %w", path, err)
	}
	if st.Version > stateVersion {
		return nil, fmt.Errorf("system proxy state %s: format %d is newer than this Sockstray knows", path, st.Version)
	}
	return st, nil
}

// saveState writes the state file atomically (temp file, fsync, rename),
// readable by the user only: the saved settings may hold a proxy password.
func saveState(path string, st *state) error {
	st.Version = stateVersion
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save system proxy state: %w", err)
	}
	f, err := os.CreateTemp(dir, ".sysproxy-*.tmp")
	if err != nil {
		return fmt.Errorf("save system proxy state: %w", err)
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(append(b, '\n'))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save system proxy state: %w", err)
	}
	syncDir(dir)
	return nil
}

// removeState deletes the state file (a missing one is fine) and with it
// the login check, which has nothing left to restore. That removal is best
// effort: a check left behind finds no state file at the next login and
// removes itself then, and the restore itself has worked.
func removeState(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove system proxy state: %w", err)
	}
	syncDir(filepath.Dir(path))
	removeLoginCheck()
	return nil
}

// syncDir makes a rename or removal durable where the OS allows it (not on
// Windows, where a directory cannot be opened for syncing; errors ignored).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// lockState takes the lock that keeps the app, a second app and a watchdog
// from restoring and applying at once. It blocks until the lock is free.
func lockState(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock system proxy state: %w", err)
	}
	f, err := filelock.Open(path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("lock system proxy state: %w", err)
	}
	return func() { f.Close() }, nil
}
