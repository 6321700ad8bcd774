// Package filelock takes exclusive locks on files between processes. A
// lock ends when its file is closed or its process ends, however it ends:
// flock on Unix, LockFileEx on Windows.
package filelock

import (
	"errors"
	"os"
)

// ErrLocked is TryOpen's error when another holds the lock.
var ErrLocked = errors.New("locked by another process")

// Open opens path (creating it, private to the user) and locks it,
// waiting while another holds the lock. Closing the file unlocks it.
func Open(path string) (*os.File, error) { return open(path, true) }

// TryOpen is Open without the wait: ErrLocked when another holds it.
func TryOpen(path string) (*os.File, error) { return open(path, false) }

func open(path string, wait bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lock(f, wait); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
