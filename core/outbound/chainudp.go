package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// maxDatagram is the largest UDP datagram.
const maxDatagram = 65535

// anyAddr is the UDP ASSOCIATE request's address: we cannot know the
// address the upstream will see our datagrams from (NAT), and RFC 1928
// says to send zeros then.
var anyAddr = socks5.Addr{IP: netip.IPv4Unspecified()}

// ListenPacket sets up UDP ASSOCIATE through the chain (RFC 1928 section
// 7). With one hop there is a control connection to the upstream, and
// datagrams go to the relay it names with a header in front:
//
//	us ──[hdr(dst) data]──▶ relay₁ ──[data]──▶ dst
//
// With more hops, hop k has its own association, asked for over a control
// connection tunnelled through the hops before it, and its relay is
// reached through the relay before it, so the headers nest:
//
//	us ──[hdr(relay₂) hdr(dst) data]──▶ relay₁ ──[hdr(dst) data]──▶ relay₂ ──[data]──▶ dst
//
// Answers come back wrapped the same way. A name in dst stays a name, for
// the last hop to resolve. A relay announced as the unspecified address
// (0.0.0.0) means the upstream's own host at that port, as most servers
// intend. With several hops, each relay must accept datagrams from the
// relay before it: a server that only takes them from the control
// connection's address works when its neighbour's TCP and UDP leave from
// one host. Only SOCKS5 upstreams relay datagrams: a chain with another
// kind answers ErrCommandNotSupported. The association lasts until Close, or until an upstream closes
// its control connection; then ReadFrom returns an error naming it.
func (c *Chain) ListenPacket(ctx context.Context) (PacketConn, error) {
	if len(c.Hops) == 0 {
		return nil, ErrNoHops
	}
	for _, h := range c.Hops {
		if h.Kind != SOCKS5 {
			return nil, fmt.Errorf("UDP through %v upstream %v: %w", h.Kind, h.Addr, socks5.ErrCommandNotSupported)
		}
	}
	rc := &relayConn{hops: len(c.Hops), check: c.destCheck(ctx)}
	ctx, cancel := context.WithTimeout(ctx, chainTimeout)
	defer cancel()
	relays := make([]socks5.Addr, len(c.Hops))
	for k, h := range c.Hops {
		conn, err := c.reach(ctx, c.Hops[:k+1], "udp", nil)
		if err != nil {
			closeAll(rc.controls)
			return nil, err
		}
		rc.controls = append(rc.controls, conn)
		bound, err := Handshake(ctx, conn, socks5.CmdUDPAssociate, anyAddr, h.auth())
		if err != nil {
			closeAll(rc.controls)
			return nil, hopError(h, "udp", nil, err)
		}
		if bound.Name == "" && bound.IP.IsUnspecified() {
			host := socks5.AddrFromNet(conn.RemoteAddr()) // the first hop's IP
			if k > 0 {
				host, _ = socks5.ParseAddr(h.Addr) // parsed fine in reach
			}
			bound = socks5.Addr{Name: host.Name, IP: host.IP, Port: bound.Port}
		}
		relays[k] = bound
	}

	// The first relay is the one we send to, so it needs an IP here.
	ips, err := c.forward().lookup(ctx, relays[0])
	if err == nil {
		rc.relay = netip.AddrPortFrom(ips[0], relays[0].Port)
		rc.udp, err = c.forward().listenUDP(ctx)
	}
	if err != nil {
		closeAll(rc.controls)
		return nil, hopError(c.Hops[0], "udp", nil, fmt.Errorf("udp relay %v: %w", relays[0], err))
	}
	for _, r := range relays[1:] {
		rc.prefix, _ = socks5.UDPHeader{Addr: r}.Append(rc.prefix)
	}
	for k, conn := range rc.controls {
		rc.wg.Add(1)
		go rc.watch(c.Hops[k], conn)
	}
	return rc, nil
}

// relayConn is the PacketConn of a UDP association through upstreams.
type relayConn struct {
	udp      *net.UDPConn
	relay    netip.AddrPort // the first hop's relay, where datagrams go
	prefix   []byte         // headers for the relays after the first
	hops     int            // headers on every datagram that comes back
	check    func(context.Context, socks5.Addr) error
	controls []net.Conn

	wg       sync.WaitGroup // the control connection watchers
	shutOnce sync.Once
	mu       sync.Mutex
	closed   bool  // Close was called
	ended    error // why the association ended, if an upstream ended it

	rmu  sync.Mutex
	rbuf []byte
	wmu  sync.Mutex
	wbuf []byte
}

// watch waits for the end of a control connection, which ends the whole
// association: RFC 1928 ties the relay's life to it.
func (rc *relayConn) watch(h Upstream, conn net.Conn) {
	defer rc.wg.Done()
	var b [512]byte
	for {
		if _, err := conn.Read(b[:]); err != nil {
			rc.mu.Lock()
			if !rc.closed && rc.ended == nil {
				rc.ended = hopError(h, "udp", nil, fmt.Errorf("udp association ended: %w", err))
			}
			rc.mu.Unlock()
			rc.shut()
			return
		}
	}
}

func (rc *relayConn) shut() {
	rc.shutOnce.Do(func() {
		rc.udp.Close()
		closeAll(rc.controls)
	})
}

// Close ends the association and waits for its goroutines.
func (rc *relayConn) Close() error {
	rc.mu.Lock()
	rc.closed = true
	rc.mu.Unlock()
	rc.shut()
	rc.wg.Wait()
	return nil
}

// cause explains an error of the UDP socket: when an upstream ended the
// association, that, rather than "use of closed network connection".
func (rc *relayConn) cause(err error) error {
	if errors.Is(err, net.ErrClosed) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.ended != nil {
			return rc.ended
		}
	}
	return err
}

func (rc *relayConn) ReadFrom(b []byte) (int, socks5.Addr, error) {
	rc.rmu.Lock()
	defer rc.rmu.Unlock()
	if rc.rbuf == nil {
		rc.rbuf = make([]byte, maxDatagram)
	}
	for {
		n, from, err := rc.udp.ReadFromUDPAddrPort(rc.rbuf)
		if err != nil {
			return 0, socks5.Addr{}, rc.cause(err)
		}
		// Only the relay speaks for the association: anyone else could
		// forge a header and inject datagrams.
		if netip.AddrPortFrom(from.Addr().Unmap(), from.Port()) != rc.relay {
			continue
		}
		if src, payload, ok := rc.unwrap(rc.rbuf[:n]); ok {
			return copy(b, payload), src, nil
		}
	}
}

// unwrap takes one header per hop off a datagram; the innermost names its
// source. Fragments (FRAG != 0) are dropped, as RFC 1928 allows a client
// that does not reassemble.
func (rc *relayConn) unwrap(d []byte) (socks5.Addr, []byte, bool) {
	var src socks5.Addr
	for range rc.hops {
		h, n, err := socks5.ParseUDPHeader(d)
		if err != nil || h.Frag != 0 {
			return socks5.Addr{}, nil, false
		}
		src, d = h.Addr, d[n:]
	}
	return src, d, true
}

func (rc *relayConn) WriteTo(b []byte, dst socks5.Addr) (int, error) {
	if rc.check != nil {
		ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
		err := rc.check(ctx, dst)
		cancel()
		if err != nil {
			return 0, &net.OpError{Op: "write", Net: "udp", Addr: label{"udp", dst.String()}, Err: err}
		}
	}
	rc.wmu.Lock()
	defer rc.wmu.Unlock()
	buf, err := socks5.UDPHeader{Addr: dst}.Append(append(rc.wbuf[:0], rc.prefix...))
	if err != nil {
		return 0, err
	}
	buf = append(buf, b...)
	rc.wbuf = buf
	if _, err := rc.udp.WriteToUDPAddrPort(buf, rc.relay); err != nil {
		return 0, rc.cause(err)
	}
	return len(b), nil
}

func (rc *relayConn) SetReadDeadline(t time.Time) error { return rc.udp.SetReadDeadline(t) }
func (rc *relayConn) LocalAddr() net.Addr               { return rc.udp.LocalAddr() }

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}
