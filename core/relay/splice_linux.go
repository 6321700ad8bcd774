package relay

import (
	"net"

	"golang.org/x/sys/unix"
)

// canSplice: on Linux, (*net.TCPConn).ReadFrom from another *net.TCPConn
// uses splice(2) (net/splice_linux.go).
const canSplice = true

// maxNotSentLowat bounds the unsent bytes queued on the client's socket.
const maxNotSentLowat = 128 << 10

// limitQueue keeps a slow client's counters moving. A writer blocked on a
// full socket is woken only when a third of the send buffer (megabytes)
// has drained, so a download to a slow reader (a phone on Wi-Fi) was
// handed over, and counted, in steps of 1–4 s (at 20 KB/s, over 30 s):
// the live rate read 0 most seconds. With TCP_NOTSENT_LOWAT the kernel
// wakes the relay once half of lowat has gone out (dir.tuneQueue sizes it
// to the rate: 4 KiB at 20 KB/s, at most 128 KiB). Accepted sockets do
// not inherit it from the listener (measured), so it is set per
// connection, and only once a download has moved lowatFrom bytes:
// short connections never pay the syscall. A fast download gets the
// default back, see unlimitQueue.
func limitQueue(c *net.TCPConn, lowat int) bool { return setNotSentLowat(c, lowat) }

// unlimitQueue gives a fast client the kernel's default back: in a bulk
// download the low mark wakes the relay every 128 KiB, which measured about
// a quarter more CPU per GB, and counters of a fast stream move anyway.
func unlimitQueue(c *net.TCPConn) { setNotSentLowat(c, -1) }

// setNotSentLowat sets TCP_NOTSENT_LOWAT; -1 is the kernel's "no limit".
func setNotSentLowat(c *net.TCPConn, v int) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, v)
	})
	return serr == nil
}
