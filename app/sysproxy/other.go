//go:build unix && !(linux || freebsd || openbsd || netbsd || dragonfly || darwin)

package sysproxy

import (
	"errors"
	"os"
	"path/filepath"
)

// Detect finds nothing: there is no supported settings store here.
func Detect() (Backend, error) { return nil, ErrNoDesktop }

func backendNamed(name string) (Backend, error) {
	return nil, errors.New("system proxy settings " + name + " are not supported here")
}

func stateDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sockstray"), nil
}
