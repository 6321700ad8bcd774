package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// Upstream is a SOCKS5 server to go through.
type Upstream struct {
	// Addr is "host:port". A name is resolved by the hop before this one,
	// or by the Chain's Forward route for the first hop.
	Addr string
	// Username and Password are offered with RFC 1929 when Username is
	// set; the server may still choose no authentication.
	Username, Password string
}

// String is "user@host:port" or "host:port": never the password, so that
// an Upstream in a log line or an error discloses nothing.
func (u Upstream) String() string {
	if u.Username != "" {
		return u.Username + "@" + u.Addr
	}
	return u.Addr
}

// GoString leaves the password out, also under %#v.
func (u Upstream) GoString() string {
	return fmt.Sprintf("outbound.Upstream{Addr:%q, Username:%q, Password:<redacted>}", u.Addr, u.Username)
}

func (u Upstream) auth() *socks5.UserPass {
	if u.Username == "" {
		return nil
	}
	return &socks5.UserPass{Username: u.Username, Password: u.Password}
}

// Chain reaches destinations through upstream SOCKS5 servers, in order.
type Chain struct {
	// Hops are the upstreams; the last one reaches the destination. A
	// chain without hops fails rather than going direct, so that a broken
	// profile cannot leak traffic past the upstream it names.
	Hops []Upstream
	// Forward reaches the first hop; nil means a zero Direct.
	Forward *Direct
}

// chainTimeout bounds a whole Dial or ListenPacket (the dial to the first
// hop and every handshake) when the caller's context allows longer.
const chainTimeout = 30 * time.Second

// ErrNoHops is the error of a Chain without upstreams.
var ErrNoHops = errors.New("chain has no upstreams")

// String is "via HOST:PORT → HOST:PORT".
func (c *Chain) String() string {
	addrs := make([]string, len(c.Hops))
	for i, h := range c.Hops {
		addrs[i] = h.Addr
	}
	return "via " + strings.Join(addrs, " → ")
}

func (c *Chain) forward() *Direct {
	if c.Forward != nil {
		return c.Forward
	}
	return &Direct{}
}

// Dial connects to dst through the chain: the first hop directly, each
// next hop by a CONNECT through the one before, and dst by a CONNECT
// through the last. A name in dst goes to the last hop as a name (ATYP
// 03), so it is resolved there, never here. The conn returned is the TCP
// connection to the first hop, unwrapped, so a relay keeps its fast path.
func (c *Chain) Dial(ctx context.Context, dst socks5.Addr) (net.Conn, error) {
	if len(c.Hops) == 0 {
		return nil, ErrNoHops
	}
	target := label{"tcp", dst.String()}
	last := c.Hops[len(c.Hops)-1]
	if check := c.destCheck(ctx); check != nil {
		if err := check(ctx, dst); err != nil {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: target, Err: err}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, chainTimeout)
	defer cancel()
	conn, err := c.reach(ctx, c.Hops, "tcp", target)
	if err != nil {
		return nil, err
	}
	if _, err := Handshake(ctx, conn, socks5.CmdConnect, dst, last.auth()); err != nil {
		conn.Close()
		return nil, hopError(last, "tcp", target, err)
	}
	return conn, nil
}

// reach returns a connection that talks to the last of hops: it dials the
// first and asks each hop to CONNECT to the next. target only labels
// errors.
func (c *Chain) reach(ctx context.Context, hops []Upstream, network string, target net.Addr) (net.Conn, error) {
	first, err := socks5.ParseAddr(hops[0].Addr)
	if err != nil {
		return nil, hopError(hops[0], network, target, fmt.Errorf("address: %w", err))
	}
	// The target check guards our client's destinations; the upstreams
	// are the profile owner's choice, even on loopback.
	conn, err := c.forward().Dial(WithTargetCheck(ctx, nil), first)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err // its message repeats the upstream's address
		}
		return nil, hopError(hops[0], network, target, fmt.Errorf("dial: %w", err))
	}
	for i := 1; i < len(hops); i++ {
		next, err := socks5.ParseAddr(hops[i].Addr)
		if err != nil {
			conn.Close()
			return nil, hopError(hops[i], network, target, fmt.Errorf("address: %w", err))
		}
		if _, err := Handshake(ctx, conn, socks5.CmdConnect, next, hops[i-1].auth()); err != nil {
			conn.Close()
			return nil, hopError(hops[i-1], network, target, err)
		}
	}
	return conn, nil
}

// hopError wraps err, the failure of a step at upstream h, in a *net.OpError
// with the upstream as Source and the destination (if any) as Addr, for
// programs; its message leads with the upstream and the step, for people.
func hopError(h Upstream, network string, target net.Addr, err error) error {
	return &upstreamError{&net.OpError{Op: "upstream", Net: network, Source: label{"tcp", h.Addr}, Addr: target, Err: err}}
}

type upstreamError struct{ op *net.OpError }

// Error is "upstream HOST:PORT: STEP: CAUSE". The OpError's own message
// ("upstream tcp A->B: …") would bury the step behind both addresses.
func (e *upstreamError) Error() string {
	return "upstream " + e.op.Source.String() + ": " + e.op.Err.Error()
}

func (e *upstreamError) Unwrap() error { return e.op }
