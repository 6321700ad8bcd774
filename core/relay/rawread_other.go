//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package relay

import "errors"

// canReadRaw is false where the relay has no way to wait for a socket to become
// readable without reading; an idle direction then blocks in a one-byte read.
const canReadRaw = false

var errWouldBlock = errors.New("would block")

func readNow(uintptr, []byte) (int, error) { return 0, errWouldBlock }
