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
// the client who came (second reply), relay.
func (ss *session) bind(pending []byte) error {
	ss.open()
	if _, direct := ss.cfg.route().(*outbound.Direct); !direct {
		// Listening here would reveal this host's address to a peer the
		// route is meant to hide it from.
		return ss.fail(fmt.Errorf("BIND through an upstream: %w", socks5.ErrCommandNotSupported))
	}
	local := addrPortOf(ss.conn.LocalAddr()).Addr()
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		return ss.fail(fmt.Errorf("bind listen: %w", err))
	}
	defer ln.Close()
	if err := ss.respond(nil, ln.Addr()); err != nil {
		return fmt.Errorf("first reply: %w", err)
	}

	// The client may give up while we wait: its closing ends the wait.
	ss.conn.SetDeadline(time.Time{})
	watch := make(chan []byte, 1)
	go func() {
		b := make([]byte, 512)
		n, _ := ss.conn.Read(b)
		ln.Close()
		watch <- b[:n]
	}()

	peer, err := acceptFrom(ln, ss.req.Addr, time.Now().Add(DefaultBindTimeout))
	if err != nil {
		ss.conn.SetReadDeadline(time.Now())
		<-watch
		return ss.fail(fmt.Errorf("bind accept: %w", err))
	}
	// Stop the watcher, keeping anything the client sent meanwhile.
	ss.conn.SetReadDeadline(time.Now())
	if early := <-watch; len(early) > 0 {
		pending = append(pending, early...)
	}
	if err := ss.respond(nil, peer.RemoteAddr()); err != nil {
		peer.Close()
		return fmt.Errorf("second reply: %w", err)
	}
	ss.handOff(peer, pending)
	return nil
}

// acceptFrom accepts the first connection from the host the client named;
// any host when it named none (0.0.0.0, or a domain name).
func acceptFrom(ln *net.TCPListener, want socks5.Addr, deadline time.Time) (net.Conn, error) {
	ln.SetDeadline(deadline)
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil, errors.New("client closed the control connection")
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
