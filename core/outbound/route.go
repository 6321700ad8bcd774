package outbound

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// Route is how the server reaches destinations.
type Route interface {
	// Dial opens a TCP connection to dst, for CONNECT. The context bounds
	// the dial and any handshake; the connection outlives it.
	Dial(ctx context.Context, dst socks5.Addr) (net.Conn, error)
	// ListenPacket opens a datagram socket for UDP ASSOCIATE. The context
	// bounds the setup only.
	ListenPacket(ctx context.Context) (PacketConn, error)
	// String names the route for people: "direct", or
	// "via 127.0.0.1:1081 → 127.0.0.1:1082".
	String() string
}

// PacketConn sends and receives datagrams addressed by socks5.Addr, so a
// destination name can travel as a name to whoever resolves it.
type PacketConn interface {
	// ReadFrom reads one datagram's payload into b (truncated to len(b))
	// and reports where it came from.
	ReadFrom(b []byte) (n int, src socks5.Addr, err error)
	// WriteTo sends b as one datagram to dst and returns len(b) on
	// success.
	WriteTo(b []byte, dst socks5.Addr) (int, error)
	SetReadDeadline(t time.Time) error
	LocalAddr() net.Addr
	// Close releases the socket and, through an upstream, ends the
	// association; a blocked ReadFrom returns.
	Close() error
}

// SocketPacketConn is a PacketConn whose datagrams go out on a plain UDP
// socket as they are, with no header to add or strip: the direct route's.
// A relay may then read and write the socket itself, in batches (package
// dgram), asking Target where each datagram goes.
type SocketPacketConn interface {
	PacketConn
	Socket() *net.UDPConn
	// Target is the address a datagram to dst is sent to: dst resolved
	// and checked, as WriteTo does before it sends.
	Target(dst socks5.Addr) (netip.AddrPort, error)
}

var (
	_ SocketPacketConn = (*directConn)(nil)

	_ Route = (*Direct)(nil)
	_ Route = (*Chain)(nil)
)

type targetCheckKey struct{}

// WithTargetCheck returns a context that makes a route refuse destinations
// for which check returns an error (the server's rule that clients from
// other hosts may not reach this host's own services). The check sees
// resolved addresses, so a name that resolves to 127.0.0.1 is caught too.
// For Dial it applies to the dial; for ListenPacket to every datagram the
// PacketConn sends. Through a Chain, a name is resolved by the last
// upstream, out of our sight: see Chain.destCheck for what is checked.
// Upstreams themselves are never checked: the profile's owner chose them.
func WithTargetCheck(ctx context.Context, check func(netip.AddrPort) error) context.Context {
	return context.WithValue(ctx, targetCheckKey{}, check)
}

// targetCheck returns the context's check, or one that allows everything.
func targetCheck(ctx context.Context) func(netip.AddrPort) error {
	if f, _ := ctx.Value(targetCheckKey{}).(func(netip.AddrPort) error); f != nil {
		return f
	}
	return func(netip.AddrPort) error { return nil }
}

// checkIP applies check to dst when dst is an IP address.
func checkIP(check func(netip.AddrPort) error, dst socks5.Addr) error {
	if ap, ok := dst.AddrPort(); ok {
		return check(netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	}
	return nil
}

// label is a net.Addr for an address that may be a name, so that a
// *net.OpError can name an upstream or a destination as configured.
type label struct{ network, addr string }

func (l label) Network() string { return l.network }
func (l label) String() string  { return l.addr }
