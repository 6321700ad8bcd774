package engine

import (
	"net"
	"syscall"
)

// listenConfig turns keep-alive on once, on the listener: Linux gives each
// accepted socket the listener's SO_KEEPALIVE, which saves a setsockopt
// per connection (Go would set it on every accepted socket). The timing
// is the system's, as outbound.KeepAlive asks for dialled connections.
func listenConfig() net.ListenConfig {
	return net.ListenConfig{
		KeepAlive: -1, // not per accepted socket: inherited
		Control: func(_, _ string, c syscall.RawConn) error {
			var err error
			cerr := c.Control(func(fd uintptr) {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
			})
			if cerr != nil {
				return cerr
			}
			return err
		},
	}
}
