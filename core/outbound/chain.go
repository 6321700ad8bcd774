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

// Chain reaches destinations through upstreams, in order: each hop is
// asked, in its own protocol, for a connection to the next, and the last
// for the destination.
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
// next hop through the one before, and dst through the last. A name in
// dst goes to the last hop as a name, so it is resolved there, never here.
// Through SOCKS5 and HTTP hops the conn returned is the TCP connection to
// the first hop, unwrapped, so a relay keeps its fast path, unless an HTTP
// proxy sent tunnel bytes along with its answer (see httpConnect); through
// an HTTPS hop it is the TLS connection to that hop.
func (c *Chain) Dial(ctx context.Context, dst socks5.Addr) (net.Conn, error) {
	if len(c.Hops) == 0 {
		return nil, ErrNoHops
	}
	target := label{"tcp", dst.String()}
	if check := c.destCheck(ctx); check != nil {
		if err := check(ctx, dst); err != nil {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: target, Err: err}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, chainTimeout)
	defer cancel()
	return c.through(ctx, c.Hops, dst, "tcp", target)
}

// reach returns a connection that talks to the last of hops: through the
// hops before it, to its address. target only labels errors.
func (c *Chain) reach(ctx context.Context, hops []Upstream, network string, target net.Addr) (net.Conn, error) {
	last := hops[len(hops)-1]
	next, err := socks5.ParseAddr(last.Addr)
	if err != nil {
		return nil, hopError(last, network, target, fmt.Errorf("address: %w", err))
	}
	if len(hops) == 1 {
		return c.first(ctx, last, network, target)
	}
	return c.through(ctx, hops[:len(hops)-1], next, network, target)
}

// through returns a connection to dst through hops. With an SSH hop
// among them, the hops up to the last SSH one are already carried by its
// pooled SSH connection: it opens a channel to the next address, and only
// the hops after it are asked in turn.
func (c *Chain) through(ctx context.Context, hops []Upstream, dst socks5.Addr, network string, target net.Addr) (net.Conn, error) {
	nextOf := func(i int) (socks5.Addr, error) {
		if i+1 == len(hops) {
			return dst, nil
		}
		next, err := socks5.ParseAddr(hops[i+1].Addr)
		if err != nil {
			return next, hopError(hops[i+1], network, target, fmt.Errorf("address: %w", err))
		}
		return next, nil
	}
	var conn net.Conn
	start := lastSSH(hops)
	if start >= 0 {
		next, err := nextOf(start)
		if err != nil {
			return nil, err
		}
		if conn, err = c.sshChannel(ctx, hops[:start+1], next, network, target); err != nil {
			return nil, err
		}
		start++
	} else {
		var err error
		if conn, err = c.first(ctx, hops[0], network, target); err != nil {
			return nil, err
		}
		start = 0
	}
	for i := start; i < len(hops); i++ {
		next, err := nextOf(i)
		if err != nil {
			conn.Close()
			return nil, err
		}
		if conn, err = hops[i].connect(ctx, conn, next); err != nil {
			return nil, hopError(hops[i], network, target, err)
		}
	}
	return conn, nil
}

// first dials the first hop directly.
func (c *Chain) first(ctx context.Context, h Upstream, network string, target net.Addr) (net.Conn, error) {
	addr, err := socks5.ParseAddr(h.Addr)
	if err != nil {
		return nil, hopError(h, network, target, fmt.Errorf("address: %w", err))
	}
	// The target check guards our client's destinations; the upstreams
	// are the profile owner's choice, even on loopback.
	conn, err := c.forward().Dial(WithTargetCheck(ctx, nil), addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err // its message repeats the upstream's address
		}
		return nil, hopError(h, network, target, fmt.Errorf("dial: %w", err))
	}
	return conn, nil
}

// hopError wraps err, the failure of a step at upstream h, in a *net.OpError
// with the upstream as Source and the destination (if any) as Addr, for
// programs; its message leads with the upstream and the step, for people.
func hopError(h Upstream, network string, target net.Addr, err error) error {
	name := h.Addr
	switch {
	case h.Kind == SSH:
		name = h.String() // "ssh://alice@host:port": the login is part of which upstream
	case h.Kind != SOCKS5:
		name = h.Kind.String() + "://" + h.Addr
	}
	return &upstreamError{name, &net.OpError{Op: "upstream", Net: network, Source: label{"tcp", h.Addr}, Addr: target, Err: err}}
}

type upstreamError struct {
	name string // the upstream for people: "HOST:PORT", or "http://HOST:PORT" for kinds other than SOCKS5
	op   *net.OpError
}

// Error is "upstream [SCHEME://]HOST:PORT: STEP: CAUSE". The OpError's own
// message ("upstream tcp A->B: …") would bury the step behind both
// addresses.
func (e *upstreamError) Error() string {
	return "upstream " + e.name + ": " + e.op.Err.Error()
}

func (e *upstreamError) Unwrap() error { return e.op }
