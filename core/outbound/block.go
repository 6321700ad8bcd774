package outbound

import (
	"context"
	"fmt"
	"net"

	"github.com/sockstray/sockstray/core/socks5"
)

// Block is the route that reaches nothing: every request through it is
// refused as not allowed by the ruleset (SOCKS5 reply 02, HTTP 403).
type Block struct{}

var _ Route = Block{}

// Dial refuses.
func (Block) Dial(_ context.Context, dst socks5.Addr) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: label{"tcp", dst.String()}, Err: errBlocked}
}

// ListenPacket refuses.
func (Block) ListenPacket(context.Context) (PacketConn, error) {
	return nil, &net.OpError{Op: "listen", Net: "udp", Err: errBlocked}
}

// String is "block".
func (Block) String() string { return "block" }

var errBlocked = fmt.Errorf("blocked by a rule: %w", socks5.ErrNotAllowed)
