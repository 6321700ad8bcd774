package server

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
)

// bind carries out BIND (RFC 1928 section 4): listen, tell the client
// where (first reply), accept one connection from the expected host, tell
// the client who came (second reply), and hand over to the relay.
func (x *exchange) bind(reply replier, pending []byte) (*tunnel, error) {
	conn := x.cl.conn
	if _, direct := x.route.(*outbound.Direct); !direct {
		// Listening here would reveal this host's address to a peer the
		// route is meant to hide it from.
		return nil, x.fail(reply, fmt.Errorf("BIND through an upstream: %w", socks5.ErrCommandNotSupported))
	}
	if err := x.checkPeer(); err != nil {
		return nil, x.fail(reply, err)
	}
	local := x.cl.local.Addr()
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		return nil, x.fail(reply, fmt.Errorf("bind listen: %w", err))
	}
	defer ln.Close()
	if err := x.answer(reply, nil, ln.Addr()); err != nil {
		return nil, x.end(fmt.Errorf("first reply: %w", err))
	}

	// The client may give up while we wait: its closing ends the wait.
	// The watcher is the connection's one reader until it is given back.
	conn.SetDeadline(time.Time{})
	watch := make(chan []byte, 1)
	go func() {
		b := make([]byte, 512)
		n, _ := conn.Read(b)
		ln.Close()
		watch <- b[:n]
	}()

	peer, err := acceptFrom(ln, x.dst, time.Now().Add(DefaultBindTimeout))
	conn.SetReadDeadline(time.Now())
	early := <-watch
	if errors.Is(err, errControlClosed) {
		return nil, x.end(err) // no one is left to hear a second reply
	}
	if err != nil {
		return nil, x.fail(reply, fmt.Errorf("bind accept: %w", err))
	}
	if err := x.answer(reply, nil, peer.RemoteAddr()); err != nil {
		peer.Close()
		return nil, x.end(fmt.Errorf("second reply: %w", err))
	}
	return &tunnel{x: x, target: peer, pending: append(pending, early...)}, nil
}

// checkPeer applies the rule for this client's destinations to the host
// BIND is to accept a connection from: a client from another host may not
// take connections from this host's own services. The unspecified address
// means "any peer" (RFC 1928), not this host.
func (x *exchange) checkPeer() error {
	check := targetCheck(x.cur.cfg, x.cl.addr.Addr())
	if check == nil {
		return nil
	}
	peer := x.dst.IP.Unmap()
	if socks5.IsLocalhostName(x.dst.Name) {
		peer = netip.IPv6Loopback()
	} else if x.dst.Name != "" || peer.IsUnspecified() {
		return nil
	}
	return check(netip.AddrPortFrom(peer, x.dst.Port))
}

var errControlClosed = errors.New("client closed the control connection")

// acceptFrom accepts the first connection from the host the client named;
// any host when it named none (0.0.0.0, or a domain name).
func acceptFrom(ln *net.TCPListener, want socks5.Addr, deadline time.Time) (net.Conn, error) {
	ln.SetDeadline(deadline)
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil, errControlClosed
			}
			return nil, err
		}
		if want.Name != "" || !want.IP.IsValid() || want.IP.IsUnspecified() ||
			addrPortOf(c.RemoteAddr()).Addr().Unmap() == want.IP.Unmap() {
			return c, nil
		}
		c.Close()
	}
}
