//go:build !windows

package instance

import (
	"errors"
	"os"
	"syscall"
)

var errLocked = errors.New("locked by another process")

var defaultTransport transport = unixSocket{}

// tryLock takes an exclusive flock on path without waiting. The lock lives as
// long as the returned file is open, and ends with the process. Go opens
// files close-on-exec, so child processes do not inherit it.
func tryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return f, nil
}
