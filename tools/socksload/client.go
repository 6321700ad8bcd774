package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

const (
	dialTimeout      = 5 * time.Second
	handshakeTimeout = 5 * time.Second
)

var dialer = net.Dialer{Timeout: dialTimeout}

// proxy is one column under test as a client sees it: a SOCKS5 server, or
// nothing at all for the direct column.
type proxy struct {
	col  column
	srv  *server          // nil: connect straight to the target
	auth *socks5.UserPass // nil: offer no authentication only
}

// direct reports whether this is the direct column.
func (p *proxy) direct() bool { return p.srv == nil }

// dialTCP connects to target, through the proxy with CONNECT unless direct.
func (p *proxy) dialTCP(ctx context.Context, target netip.AddrPort) (*net.TCPConn, error) {
	return p.dialTCPAddr(ctx, target, socks5.AddrFromAddrPort(target))
}

// dialTCPAddr is dialTCP where the CONNECT request names the target as a
// (which may be a name for it): direct still dials target.
func (p *proxy) dialTCPAddr(ctx context.Context, target netip.AddrPort, a socks5.Addr) (*net.TCPConn, error) {
	addr := target
	if p.srv != nil {
		addr = p.srv.addr
	}
	c, err := dialer.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	if p.srv == nil {
		return tc, nil
	}
	if _, err := p.handshake(tc, socks5.CmdConnect, a); err != nil {
		abort(tc)
		return nil, err
	}
	return tc, nil
}

// cpu is the server's CPU time so far; direct has no server.
func (p *proxy) cpu() (time.Duration, error) {
	if p.srv == nil {
		return 0, errNoServer
	}
	return procCPU(p.srv.pid())
}

var errNoServer = errors.New("no server process")

// handshake runs greeting, authentication if configured, and one request
// as a careful client does, waiting for each answer before the next step.
// It returns the bound address of the reply.
func (p *proxy) handshake(c net.Conn, cmd socks5.Command, a socks5.Addr) (socks5.Addr, error) {
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	method := socks5.AuthNone
	if p.auth != nil {
		method = socks5.AuthUserPass
	}
	var arr [300]byte
	b, err := socks5.Greeting{Methods: []socks5.AuthMethod{method}}.Append(arr[:0])
	if err != nil {
		return socks5.Addr{}, err
	}
	if _, err := c.Write(b); err != nil {
		return socks5.Addr{}, fmt.Errorf("greeting: %w", err)
	}
	m, err := socks5.ReadMethodSelection(c)
	if err != nil {
		return socks5.Addr{}, fmt.Errorf("method selection: %w", err)
	}
	if m != method {
		return socks5.Addr{}, fmt.Errorf("server chose %v, want %v", m, method)
	}
	if p.auth != nil {
		if b, err = p.auth.Append(arr[:0]); err != nil {
			return socks5.Addr{}, err
		}
		if _, err := c.Write(b); err != nil {
			return socks5.Addr{}, fmt.Errorf("username/password: %w", err)
		}
		st, err := socks5.ReadUserPassReply(c)
		if err != nil {
			return socks5.Addr{}, fmt.Errorf("username/password reply: %w", err)
		}
		if st != socks5.AuthSuccess {
			return socks5.Addr{}, fmt.Errorf("username/password refused (status %d)", st)
		}
	}
	if b, err = (socks5.Request{Command: cmd, Addr: a}).Append(arr[:0]); err != nil {
		return socks5.Addr{}, err
	}
	if _, err := c.Write(b); err != nil {
		return socks5.Addr{}, fmt.Errorf("%v request: %w", cmd, err)
	}
	resp, err := socks5.ReadResponse(c)
	if err != nil {
		return socks5.Addr{}, fmt.Errorf("%v reply: %w", cmd, err)
	}
	if resp.Reply != socks5.ReplySucceeded {
		return socks5.Addr{}, fmt.Errorf("%v to %v: %v", cmd, a, resp.Reply)
	}
	c.SetDeadline(time.Time{})
	return resp.Bound, nil
}

// abort closes c with a reset rather than a FIN, so that the client side
// keeps no TIME_WAIT entry: thousands of handshakes a second would
// otherwise use up the loopback's ephemeral ports.
func abort(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
}
