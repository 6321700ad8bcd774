//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package relay

import (
	"os"
	"syscall"
)

// canReadRaw: the relay can wait for a socket to become readable without
// reading first, and then read it without another trip through the poller.
const canReadRaw = true

// errWouldBlock is readNow's "nothing there yet".
var errWouldBlock error = syscall.EAGAIN

// readNow reads what the non-blocking socket fd holds: n > 0 bytes, 0 at
// EOF, errWouldBlock when there is nothing yet, or the socket's error.
func readNow(fd uintptr, b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), b)
		switch err {
		case nil:
			return n, nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, errWouldBlock
		}
		return 0, os.NewSyscallError("read", err)
	}
}
