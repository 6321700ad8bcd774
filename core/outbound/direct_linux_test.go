package outbound

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/sockstray/sockstray/internal/netns"
	"github.com/sockstray/sockstray/internal/testnet"
)

// TestDirectDialSharesItsLocalPort: a direct connection gets its local port
// from connect, which may share a port with connections to other
// destinations, not from a bind to port 0 first, which may not. In a
// namespace whose whole port range is one port, held by a connection to
// one server, a direct dial to another server must still connect (with a
// bind first it failed with "bind: address already in use"; a busy proxy
// met that after some 28,000 connections to one host in a minute).
func TestDirectDialSharesItsLocalPort(t *testing.T) {
	h := netns.New(t).Server
	var servers [2]net.Listener
	for i := range servers {
		ln, err := h.Listen("tcp4", net.JoinHostPort(h.V4().String(), "0"))
		if err != nil {
			t.Fatal(err)
		}
		testnet.Serve(t, ln, func(c net.Conn) { io.Copy(io.Discard, c) })
		servers[i] = ln
	}
	if err := h.LocalPorts(40000, 40000); err != nil {
		t.Skipf("narrowing the namespace's port range: %v", err)
	}
	err := h.Do(func() error {
		held, err := net.Dial("tcp4", servers[0].Addr().String())
		if err != nil {
			return err
		}
		defer held.Close()
		c, err := (&Direct{}).Dial(context.Background(), mustAddr(t, servers[1].Addr().String()))
		if err != nil {
			return err
		}
		return c.Close()
	})
	if err != nil {
		t.Fatalf("direct dial with the only local port in use by another destination: %v", err)
	}
}
