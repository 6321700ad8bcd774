package outbound

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// Direct reaches destinations from this host. Its zero value is ready to
// use.
type Direct struct {
	// Dialer dials TCP; nil means a net.Dialer with a 10 s timeout. Its
	// LocalAddr (IP only) and Control also apply to UDP sockets.
	Dialer *net.Dialer
	// Resolve turns a name into addresses. Nil means the Dialer's Resolver,
	// else net.DefaultResolver. It is a hook so that tests can produce
	// "no such host" without sending DNS queries; it should return a
	// *net.DNSError, which socks5.ReplyFor maps to host unreachable.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

const (
	defaultDialTimeout = 10 * time.Second
	// minAttempt keeps one address of many from getting a uselessly short
	// share of the time (net.Dialer uses the same floor).
	minAttempt = 2 * time.Second
)

var defaultDialer = &net.Dialer{Timeout: defaultDialTimeout, KeepAliveConfig: KeepAlive}

// KeepAlive turns TCP keep-alive on with the system's timing: one
// setsockopt per socket instead of Go's four (its own 15 s timing), which
// measurably slows CONNECT handshakes. Dead peers are still found, in the
// system's time (two hours on Linux), and a profile's idle timeout ends
// idle connections sooner where that matters.
var KeepAlive = net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}

func (d *Direct) dialer() *net.Dialer {
	if d != nil && d.Dialer != nil {
		return d.Dialer
	}
	return defaultDialer
}

// String is "direct".
func (d *Direct) String() string { return "direct" }

// Dial connects to dst. A name is resolved first, and the addresses are
// tried in the resolver's order, each getting a share of the time left, as
// net.Dialer does. Addresses the context's target check refuses are
// skipped; if all are refused, the check's error is returned.
func (d *Direct) Dial(ctx context.Context, dst socks5.Addr) (net.Conn, error) {
	ips, err := d.lookup(ctx, dst)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: label{"tcp", dst.String()}, Err: err}
	}
	check := targetCheck(ctx)
	var allowed []netip.Addr
	var firstErr error
	for _, ip := range ips {
		if err := check(netip.AddrPortFrom(ip, dst.Port)); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		allowed = append(allowed, ip)
	}
	if len(allowed) == 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: label{"tcp", dst.String()}, Err: firstErr}
	}
	return d.dialEach(ctx, allowed, dst.Port)
}

// dialEach tries the addresses one after another and returns the first
// connection, or the first error.
func (d *Direct) dialEach(ctx context.Context, ips []netip.Addr, port uint16) (net.Conn, error) {
	dl := d.dialer()
	deadline := time.Now().Add(defaultDialTimeout)
	if dl.Timeout > 0 {
		deadline = time.Now().Add(dl.Timeout)
	}
	if cd, ok := ctx.Deadline(); ok && cd.Before(deadline) {
		deadline = cd
	}
	var firstErr error
	for i, ip := range ips {
		actx, cancel := context.WithDeadline(ctx, attemptDeadline(deadline, len(ips)-i))
		c, err := dialTCP(actx, dl, netip.AddrPortFrom(ip, port))
		cancel()
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// dialTCP connects to an address with dl's settings. Not with
// Dialer.DialTCP, though it would save building and parsing back the
// "host:port" text: given no local address, it binds to port 0 before
// connecting, and a port taken by bind cannot be shared with a connection
// to another destination nor reused from TIME_WAIT, so a busy proxy runs
// out of ports ("bind: address already in use" after some 28,000
// connections to one host within a minute).
func dialTCP(ctx context.Context, dl *net.Dialer, to netip.AddrPort) (net.Conn, error) {
	return dl.DialContext(ctx, "tcp", to.String())
}

// attemptDeadline gives one of left addresses its share of the time until
// deadline.
func attemptDeadline(deadline time.Time, left int) time.Time {
	now := time.Now()
	remaining := deadline.Sub(now)
	share := remaining / time.Duration(left)
	if share < minAttempt {
		share = min(minAttempt, remaining)
	}
	return now.Add(share)
}

// lookup returns dst's addresses: its IP, or what its name resolves to,
// IPv4-mapped addresses unmapped.
//
// Names that need no DNS are answered here: addresses written as names
// (socks5.Addr.Canonical) and localhost names, which RFC 6761 reserves for
// loopback; asking DNS would leak them and could answer otherwise.
func (d *Direct) lookup(ctx context.Context, dst socks5.Addr) ([]netip.Addr, error) {
	dst = dst.Canonical()
	if socks5.IsLocalhostName(dst.Name) {
		return loopbacks, nil
	}
	if dst.Name == "" {
		if !dst.IP.IsValid() {
			return nil, socks5.ErrBadAddr
		}
		return []netip.Addr{dst.IP.Unmap()}, nil
	}
	var ips []netip.Addr
	var err error
	switch {
	case d != nil && d.Resolve != nil:
		ips, err = d.Resolve(ctx, dst.Name)
	case d.dialer().Resolver != nil:
		ips, err = d.dialer().Resolver.LookupNetIP(ctx, "ip", dst.Name)
	default:
		ips, err = net.DefaultResolver.LookupNetIP(ctx, "ip", dst.Name)
	}
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: dst.Name, IsNotFound: true}
	}
	out := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		out[i] = ip.Unmap()
	}
	return out, nil
}

// ListenPacket opens an unconnected UDP socket on the unspecified address
// (or the Dialer's LocalAddr IP), not on loopback: its datagrams go to any
// destination. ReadFrom returns datagrams from any sender, as an RFC 1928
// relay does; whether to drop those from hosts never written to is the
// server's choice. Names are resolved per datagram, with a small cache,
// and every destination passes the context's target check.
func (d *Direct) ListenPacket(ctx context.Context) (PacketConn, error) {
	udp, err := d.listenUDP(ctx)
	if err != nil {
		return nil, err
	}
	return newDirectConn(d, udp, targetCheck(ctx)), nil
}

// listenUDP opens the UDP socket that Direct and the upstream relay
// clients send from.
func (d *Direct) listenUDP(ctx context.Context) (*net.UDPConn, error) {
	dl := d.dialer()
	laddr := ":0"
	switch a := dl.LocalAddr.(type) {
	case *net.TCPAddr:
		if a.IP != nil {
			laddr = net.JoinHostPort(a.IP.String(), "0")
		}
	case *net.UDPAddr:
		if a.IP != nil {
			laddr = net.JoinHostPort(a.IP.String(), "0")
		}
	}
	lc := net.ListenConfig{Control: dl.Control}
	pc, err := lc.ListenPacket(ctx, "udp", laddr)
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}
