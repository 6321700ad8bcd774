package server

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
)

// maxDatagram is the largest UDP payload plus the largest SOCKS header.
const (
	maxUDPHeader = 3 + 1 + 1 + 255 + 2
	maxDatagram  = 65535
)

// associate carries out UDP ASSOCIATE (RFC 1928 section 7). The client
// sends datagrams with a SOCKS header to a socket of ours; we send their
// payload on through the route and wrap the answers in a header naming
// their source. The association lives as long as the TCP connection.
func (x *exchange) associate(reply replier) error {
	conn := x.cl.conn
	x.repickUDP()
	ctx, cancel := x.dialContext()
	out, err := x.route.ListenPacket(ctx)
	cancel()
	if err != nil {
		return x.fail(reply, fmt.Errorf("udp associate, route %v: %w", x.route, err))
	}
	defer out.Close()
	local := addrPortOf(conn.LocalAddr()).Addr()
	cl, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		return x.fail(reply, fmt.Errorf("udp associate listen: %w", err))
	}
	defer cl.Close()
	if err := x.answer(reply, nil, cl.LocalAddr()); err != nil {
		return x.end(fmt.Errorf("reply: %w", err))
	}
	conn.SetDeadline(time.Time{})

	up, down := x.counters()
	a := &association{client: cl, out: out, up: up, down: down}
	a.want = x.cl.addr.Addr().Unmap()
	if p, ok := x.dst.AddrPort(); ok && p.Port() != 0 {
		a.peer.Store(&p)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.fromClient() }()
	go func() { defer wg.Done(); a.toClient() }()

	// The control connection carries nothing more; its end is the
	// association's end.
	_, err = io.Copy(io.Discard, conn)
	cl.Close()
	out.Close()
	wg.Wait()
	return x.end(err)
}

type association struct {
	client *net.UDPConn
	out    outbound.PacketConn
	// want is the associating client's IP: datagrams from anywhere else
	// are dropped. peer is its exact address once known (from the request,
	// or the first datagram).
	want     netip.Addr
	peer     atomic.Pointer[netip.AddrPort]
	up, down *atomic.Int64
}

// fromClient forwards the client's datagrams, dropping those from other
// addresses, fragments (FRAG != 0: we do not reassemble) and malformed ones.
func (a *association) fromClient() {
	buf := make([]byte, maxDatagram)
	for {
		n, src, err := a.client.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
		if src.Addr() != a.want {
			continue
		}
		if p := a.peer.Load(); p == nil {
			a.peer.Store(&src)
		} else if *p != src {
			continue
		}
		h, hl, err := socks5.ParseUDPHeader(buf[:n])
		if err != nil || h.Frag != 0 {
			continue
		}
		if _, err := a.out.WriteTo(buf[hl:n], h.Addr.Canonical()); err == nil && a.up != nil {
			a.up.Add(int64(n - hl))
		}
	}
}

// toClient wraps each answer in a header naming its source and sends it to
// the client. The payload is read after room for the header, so the
// header is written in front of it without a copy of the payload.
func (a *association) toClient() {
	buf := make([]byte, maxUDPHeader+maxDatagram)
	var hdr [maxUDPHeader]byte
	for {
		n, src, err := a.out.ReadFrom(buf[maxUDPHeader:])
		if err != nil {
			return
		}
		peer := a.peer.Load()
		if peer == nil {
			continue // no datagram from the client yet: nowhere to send
		}
		h, err := socks5.UDPHeader{Addr: src}.Append(hdr[:0])
		if err != nil {
			continue
		}
		start := maxUDPHeader - len(h)
		copy(buf[start:], h)
		if _, err := a.client.WriteToUDPAddrPort(buf[start:maxUDPHeader+n], *peer); err == nil && a.down != nil {
			a.down.Add(int64(n))
		}
	}
}
