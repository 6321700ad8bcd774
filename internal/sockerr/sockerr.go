// Package sockerr tells socket errors apart the same way on every
// platform. Go returns the system's own error numbers: on Windows those are
// the WSA codes (WSAECONNREFUSED is 10061), so errors.Is against
// syscall.ECONNREFUSED, which is false there, is never the test to use.
// Each platform's numbers live in one table (errno_unix.go,
// errno_windows.go); the code that acts on an error asks Is.
package sockerr

import (
	"errors"
	"slices"
	"syscall"
)

// Kind is a class of socket error that Sockstray acts on.
type Kind int

// The kinds, each matched by the errno values of its platform's table.
const (
	Refused         Kind = iota // nothing listens at the destination
	AddrInUse                   // another socket holds the listen address
	NetUnreachable              // no route to the network
	HostUnreachable             // no route to the host, or the host is down
	TimedOut                    // the connect timed out in the kernel
	Reset                       // the peer reset or aborted the connection
	kinds
)

var kindNames = [kinds]string{"refused", "address in use", "network unreachable",
	"host unreachable", "timed out", "reset"}

func (k Kind) String() string {
	if k < 0 || k >= kinds {
		return "unknown"
	}
	return kindNames[k]
}

// Is reports whether err wraps a system error number of kind k on this
// platform.
func Is(err error, k Kind) bool {
	var errno syscall.Errno
	if k < 0 || k >= kinds || !errors.As(err, &errno) {
		return false
	}
	return slices.Contains(table[k], errno)
}

// Errnos returns this platform's error numbers of kind k, for tests that
// build the errors a failed call returns.
func Errnos(k Kind) []syscall.Errno {
	if k < 0 || k >= kinds {
		return nil
	}
	return slices.Clone(table[k])
}
