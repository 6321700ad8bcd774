//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package relay

import "syscall"

// canPeek: a socket's readiness can be checked without consuming data.
const canPeek = true

// readable reports whether a read on the socket fd would not block: data,
// EOF or a pending error. It is the callback of syscall.RawConn.Read, which
// parks the goroutine in the netpoller while it returns false; the socket is
// non-blocking, so the peek never blocks.
func readable(fd uintptr) bool {
	var b [1]byte
	_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return err != syscall.EAGAIN
}
