package outbound

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

const (
	// resolveTimeout bounds one lookup for a datagram: WriteTo has no
	// context of its own.
	resolveTimeout = 5 * time.Second
	// The cache spares a lookup per datagram (a DNS or QUIC client sends
	// many to one name). Lookups give no TTL, so entries live a short,
	// fixed time; failures live shorter, so a typo is retried soon.
	cacheSize   = 128
	cacheTTL    = time.Minute
	cacheNegTTL = 5 * time.Second
)

// directConn is Direct's PacketConn: an unconnected UDP socket.
type directConn struct {
	udp   *net.UDPConn
	d     *Direct
	check func(netip.AddrPort) error
	v4    bool // the socket is IPv4-only: pick IPv4 addresses for names

	// ctx ends pending lookups when the socket closes.
	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex
	cache map[string]cacheEntry
}

type cacheEntry struct {
	ip      netip.Addr
	err     error
	expires time.Time
}

func newDirectConn(d *Direct, udp *net.UDPConn, check func(netip.AddrPort) error) *directConn {
	ctx, cancel := context.WithCancel(context.Background())
	local, _ := udp.LocalAddr().(*net.UDPAddr)
	return &directConn{
		udp: udp, d: d, check: check,
		v4:  local != nil && local.IP.To4() != nil,
		ctx: ctx, cancel: cancel,
		cache: make(map[string]cacheEntry),
	}
}

func (c *directConn) ReadFrom(b []byte) (int, socks5.Addr, error) {
	n, src, err := c.udp.ReadFromUDPAddrPort(b)
	return n, socks5.AddrFromAddrPort(src), err
}

func (c *directConn) WriteTo(b []byte, dst socks5.Addr) (int, error) {
	to, err := c.Target(dst)
	if err != nil {
		return 0, err
	}
	return c.udp.WriteToUDPAddrPort(b, to)
}

func (c *directConn) Target(dst socks5.Addr) (netip.AddrPort, error) {
	ip, err := c.resolve(dst)
	if err == nil {
		to := netip.AddrPortFrom(ip, dst.Port)
		if err = c.check(to); err == nil {
			return to, nil
		}
	}
	return netip.AddrPort{}, &net.OpError{Op: "write", Net: "udp", Source: c.udp.LocalAddr(), Addr: label{"udp", dst.String()}, Err: err}
}

func (c *directConn) Socket() *net.UDPConn { return c.udp }

func (c *directConn) SetReadDeadline(t time.Time) error { return c.udp.SetReadDeadline(t) }
func (c *directConn) LocalAddr() net.Addr               { return c.udp.LocalAddr() }

func (c *directConn) Close() error {
	c.cancel()
	return c.udp.Close()
}

// resolve returns the IP to send to, looking names up through the cache.
func (c *directConn) resolve(dst socks5.Addr) (netip.Addr, error) {
	if dst.Name == "" {
		if !dst.IP.IsValid() {
			return netip.Addr{}, socks5.ErrBadAddr
		}
		return dst.IP.Unmap(), nil
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.cache[dst.Name]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.ip, e.err
	}

	// Looked up outside the lock: a slow name must not hold up datagrams
	// to names already known.
	ctx, cancel := context.WithTimeout(c.ctx, resolveTimeout)
	ips, err := c.d.lookup(ctx, dst)
	cancel()
	e = cacheEntry{err: err, expires: now.Add(cacheNegTTL)}
	if err == nil {
		e = c.pick(dst.Name, ips)
	}
	if c.ctx.Err() != nil {
		return e.ip, e.err // closing: a cancelled lookup says nothing about the name
	}
	c.mu.Lock()
	if len(c.cache) >= cacheSize {
		c.evict(now)
	}
	c.cache[dst.Name] = e
	c.mu.Unlock()
	return e.ip, e.err
}

// pick chooses the address a datagram goes to. There is no fallback for a
// datagram, so the first address wins unless the socket cannot reach it.
func (c *directConn) pick(name string, ips []netip.Addr) cacheEntry {
	for _, ip := range ips {
		if !c.v4 || ip.Is4() {
			return cacheEntry{ip: ip, expires: time.Now().Add(cacheTTL)}
		}
	}
	return cacheEntry{
		err:     &net.DNSError{Err: "no IPv4 address", Name: name, IsNotFound: true},
		expires: time.Now().Add(cacheNegTTL),
	}
}

// evict drops expired entries, or an arbitrary one if none has expired.
// Called with c.mu held.
func (c *directConn) evict(now time.Time) {
	for k, e := range c.cache {
		if !now.Before(e.expires) {
			delete(c.cache, k)
		}
	}
	if len(c.cache) < cacheSize {
		return
	}
	for k := range c.cache {
		delete(c.cache, k)
		return
	}
}
