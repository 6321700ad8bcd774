//go:build !linux

package engine

import (
	"net"

	"github.com/sockstray/sockstray/core/outbound"
)

// listenConfig sets keep-alive on each accepted socket, with the system's
// timing (outbound.KeepAlive); only on Linux is inheriting it from the
// listener measured and relied on.
func listenConfig() net.ListenConfig {
	return net.ListenConfig{KeepAliveConfig: outbound.KeepAlive}
}
