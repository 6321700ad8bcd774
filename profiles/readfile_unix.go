//go:build !windows

package profiles

import (
	"os"
	"syscall"
)

// openRead opens path for reading without blocking: O_NONBLOCK keeps a
// FIFO from waiting for a writer; a regular file reads as usual with it.
func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
