package server

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/dgram"
	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
)

// maxUDPHeader is the largest SOCKS UDP header; maxDatagram the largest
// UDP payload.
const (
	maxUDPHeader = dgram.MaxHeadroom
	maxDatagram  = dgram.MaxPayload
)

// associate carries out UDP ASSOCIATE (RFC 1928 section 7). The client
// sends datagrams with a SOCKS header to a socket of ours; we send their
// payload on through a route and wrap the answers in a header naming
// their source. The association lives as long as the TCP connection.
//
// The route is decided per datagram when the config has rules: the
// association's own route (for the address the client announced) answers
// the request, and a datagram the rules send elsewhere goes out through a
// socket of that route, opened when first needed.
func (x *exchange) associate(reply replier) error {
	conn := x.cl.conn
	x.repickUDP()
	out, err := x.listenPacket(x.route)
	if err != nil {
		return x.fail(reply, fmt.Errorf("udp associate, route %v: %w", x.route, err))
	}
	local := x.cl.local.Addr()
	cl, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		out.Close()
		return x.fail(reply, fmt.Errorf("udp associate listen: %w", err))
	}
	if err := x.answer(reply, nil, cl.LocalAddr()); err != nil {
		cl.Close()
		out.Close()
		return x.end(fmt.Errorf("reply: %w", err))
	}
	conn.SetDeadline(time.Time{})

	a := &association{x: x, client: cl, want: x.cl.addr.Addr().Unmap(), outs: map[outbound.Route]outbound.PacketConn{}}
	a.up, a.down = x.counters()
	if p, ok := x.dst.AddrPort(); ok && p.Port() != 0 {
		a.peer.Store(&p)
	}
	a.own = out
	a.ownSock, _ = out.(outbound.SocketPacketConn)
	a.add(x.route, out)
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.fromClient() }()

	// The control connection carries nothing more; its end is the
	// association's end.
	_, err = io.Copy(io.Discard, conn)
	a.close()
	return x.end(err)
}

// listenPacket opens a datagram socket through route, under the rule for
// this client's destinations.
func (x *exchange) listenPacket(route outbound.Route) (outbound.PacketConn, error) {
	ctx, cancel := x.dialContext()
	defer cancel()
	return route.ListenPacket(ctx)
}

type association struct {
	x      *exchange
	client *net.UDPConn
	// want is the associating client's IP: datagrams from anywhere else
	// are dropped. peer is its exact address once known (from the request,
	// or the first datagram).
	want     netip.Addr
	peer     atomic.Pointer[netip.AddrPort]
	up, down *atomic.Int64
	own      outbound.PacketConn       // the association's route's: no lock on the common path
	ownSock  outbound.SocketPacketConn // own, when a plain socket the relay reads and writes in batches; else nil

	// outs are the sockets of the routes in use, opened by fromClient
	// (their only writer) and each read by a toClient of its own; mu
	// guards the map against close.
	mu     sync.Mutex
	outs   map[outbound.Route]outbound.PacketConn
	failed map[outbound.Route]bool // routes that could not carry UDP: logged once
	closed bool
	wg     sync.WaitGroup
}

// add starts reading answers from a route's socket.
func (a *association) add(route outbound.Route, out outbound.PacketConn) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		out.Close()
		return false
	}
	a.outs[route] = out
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.toClient(out) }()
	return true
}

// close ends the association: the client socket and every route's socket
// close, and their goroutines end.
func (a *association) close() {
	a.client.Close()
	a.mu.Lock()
	a.closed = true
	for _, out := range a.outs {
		out.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
}

// outFor is the socket for a datagram to dst: the association's own unless
// the rules route dst elsewhere. A route that cannot carry UDP (blocked,
// or an SSH or HTTP hop) drops the datagram, and says so in the log once.
func (a *association) outFor(dst socks5.Addr) outbound.PacketConn {
	x := a.x
	if x.cur.cfg.Router == nil {
		return a.own
	}
	route, _ := x.cur.cfg.Pick(Query{Dst: dst, Client: a.want, UDP: true})
	if route == x.route {
		return a.own
	}
	a.mu.Lock()
	out, ok := a.outs[route]
	failed := a.failed[route]
	a.mu.Unlock()
	if ok || failed {
		return out
	}
	out, err := x.listenPacket(route)
	if err != nil {
		a.mu.Lock()
		if a.failed == nil {
			a.failed = map[outbound.Route]bool{}
		}
		a.failed[route] = true
		a.mu.Unlock()
		x.cur.cfg.logger().Warn("UDP datagrams dropped: their route cannot carry them",
			"client", x.cl.addr.String(), "dest", dst.String(), "route", route.String(), "error", err.Error())
		return nil
	}
	if !a.add(route, out) {
		return nil
	}
	return out
}

// fromClient forwards the client's datagrams, dropping those from other
// addresses, fragments (FRAG != 0: we do not reassemble) and malformed
// ones. Those for the association's own route go out in batches when its
// socket is a plain one.
func (a *association) fromClient() {
	in := dgram.NewReader(a.client, 0)
	var batch *dgram.Writer
	if a.ownSock != nil {
		batch = dgram.NewWriter(a.ownSock.Socket())
	}
	for {
		pkts, err := in.Read()
		if err != nil {
			return
		}
		for i := range pkts {
			a.forward(&pkts[i], batch)
		}
		if batch != nil {
			count(a.up, batch.Flush())
		}
	}
}

// forward sends one datagram from the client on to its destination.
func (a *association) forward(p *dgram.Packet, batch *dgram.Writer) {
	if !a.fromPeer(p.Addr) {
		return
	}
	h, hl, err := socks5.ParseUDPHeader(p.Bytes())
	if err != nil || h.Frag != 0 {
		return
	}
	payload := p.Bytes()[hl:]
	dst := h.Addr.Canonical()
	out := a.outFor(dst)
	switch {
	case out == nil:
	case out == a.own && batch != nil:
		if to, err := a.ownSock.Target(dst); err == nil {
			batch.Add(payload, to, len(payload))
		}
	default:
		if _, err := out.WriteTo(payload, dst); err == nil {
			count(a.up, len(payload))
		}
	}
}

// fromPeer says whether a datagram from src is the client's: the first
// one from the client's host fixes its port, unless the request named it.
func (a *association) fromPeer(src netip.AddrPort) bool {
	if src.Addr() != a.want {
		return false
	}
	if p := a.peer.Load(); p == nil {
		a.peer.Store(&src)
	} else if *p != src {
		return false
	}
	return true
}

// toClient wraps each answer from out in a header naming its source and
// sends it to the client. Each payload is read after room for the header,
// so the header goes in front of it without a copy of the payload. A plain
// socket is read, and the client written, in batches.
func (a *association) toClient(out outbound.PacketConn) {
	sock, ok := out.(outbound.SocketPacketConn)
	if !ok {
		a.toClientEach(out)
		return
	}
	in := dgram.NewReader(sock.Socket(), maxUDPHeader)
	batch := dgram.NewWriter(a.client)
	var hdr [maxUDPHeader]byte
	for {
		pkts, err := in.Read()
		if err != nil {
			return
		}
		peer := a.peer.Load()
		if peer == nil {
			continue // no datagram from the client yet: nowhere to send
		}
		for i := range pkts {
			p := &pkts[i]
			h, err := socks5.UDPHeader{Addr: socks5.AddrFromAddrPort(p.Addr)}.Append(hdr[:0])
			if err == nil {
				batch.Add(p.Prepend(h), *peer, len(p.Bytes()))
			}
		}
		count(a.down, batch.Flush())
	}
}

// toClientEach is toClient for a route whose socket adds a header of its
// own (an upstream's relay): one datagram at a time.
func (a *association) toClientEach(out outbound.PacketConn) {
	buf := make([]byte, maxUDPHeader+maxDatagram)
	var hdr [maxUDPHeader]byte
	for {
		n, src, err := out.ReadFrom(buf[maxUDPHeader:])
		if err != nil {
			return
		}
		peer := a.peer.Load()
		if peer == nil {
			continue
		}
		h, err := socks5.UDPHeader{Addr: src}.Append(hdr[:0])
		if err != nil {
			continue
		}
		start := maxUDPHeader - len(h)
		copy(buf[start:], h)
		if _, err := a.client.WriteToUDPAddrPort(buf[start:maxUDPHeader+n], *peer); err == nil {
			count(a.down, n)
		}
	}
}

// count adds n to a byte counter, unless counting is off.
func count(c *atomic.Int64, n int) {
	if c != nil && n > 0 {
		c.Add(int64(n))
	}
}
