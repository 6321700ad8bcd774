package main

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// bulkSize is the write and read size of the bulk streams: big enough
	// that the load generator is not what limits throughput.
	bulkSize = 256 << 10
	// spread is how many listeners the handshake and idle-connection
	// targets each have. Each listener is another destination port, so the
	// proxies' outbound connections spread over that many 4-tuple spaces.
	spread = 8
	// targetLife bounds every target connection, should a client forget it.
	targetLife = 30 * time.Minute
)

// payload is what the bulk writers send; it is never written to.
var payload = make([]byte, bulkSize)

// targets are the servers the clients reach, directly or through a proxy,
// all on 127.0.0.1 in this process.
type targets struct {
	sink    netip.AddrPort   // reads and discards, counting into sunk
	source  netip.AddrPort   // writes without end
	duplex  netip.AddrPort   // both at once
	closers []netip.AddrPort // accept and close at once
	echoes  []netip.AddrPort // echo what they read
	udpEcho netip.AddrPort   // echoes each datagram to its sender

	// sunk counts the bytes that sink and duplex connections have read.
	sunk atomic.Int64

	lns    []net.Listener
	udp    *net.UDPConn
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// startTargets starts all targets; close them with Close.
func startTargets() (*targets, error) {
	t := &targets{conns: map[net.Conn]struct{}{}}
	var err error
	listen := func(serve func(net.Conn)) netip.AddrPort {
		if err != nil {
			return netip.AddrPort{}
		}
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return netip.AddrPort{}
		}
		t.lns = append(t.lns, ln)
		t.wg.Add(1)
		go t.accept(ln, serve)
		return ln.Addr().(*net.TCPAddr).AddrPort()
	}
	t.sink = listen(t.serveSink)
	t.source = listen(serveSource)
	t.duplex = listen(t.serveDuplex)
	for range spread {
		t.closers = append(t.closers, listen(nil))
		t.echoes = append(t.echoes, listen(serveEcho))
	}
	if err == nil {
		t.udp, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	}
	if err != nil {
		t.Close()
		return nil, err
	}
	t.udpEcho = t.udp.LocalAddr().(*net.UDPAddr).AddrPort()
	t.wg.Add(1)
	go t.serveUDP()
	return t, nil
}

// Close stops every target and waits for their goroutines.
func (t *targets) Close() {
	for _, ln := range t.lns {
		ln.Close()
	}
	if t.udp != nil {
		t.udp.Close()
	}
	t.mu.Lock()
	t.closed = true
	for c := range t.conns {
		c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
}

// accept serves ln until it is closed. A nil serve closes each connection
// at once (the handshake target): the target is then the side that closes
// first and keeps the TIME_WAIT entry, which does not hold up the proxy's
// next connect(2) the way a TIME_WAIT entry on the proxy's side would.
func (t *targets) accept(ln net.Listener, serve func(net.Conn)) {
	defer t.wg.Done()
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond) // EMFILE and the like: back off
			continue
		}
		if serve == nil {
			c.Close()
			continue
		}
		t.mu.Lock()
		closed := t.closed
		if !closed {
			t.conns[c] = struct{}{}
		}
		t.mu.Unlock()
		if closed {
			c.Close()
			return
		}
		c.SetDeadline(time.Now().Add(targetLife))
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			serve(c)
			c.Close()
			t.mu.Lock()
			delete(t.conns, c)
			t.mu.Unlock()
		}()
	}
}

func (t *targets) serveSink(c net.Conn) {
	buf := make([]byte, bulkSize)
	for {
		n, err := c.Read(buf)
		t.sunk.Add(int64(n))
		if err != nil {
			return
		}
	}
}

func serveSource(c net.Conn) {
	for {
		if _, err := c.Write(payload); err != nil {
			return
		}
	}
}

func (t *targets) serveDuplex(c net.Conn) {
	done := make(chan struct{})
	go func() {
		serveSource(c)
		close(done)
	}()
	t.serveSink(c)
	c.Close() // unblocks the writer
	<-done
}

// serveEcho echoes with a small buffer: there are thousands of these.
func serveEcho(c net.Conn) {
	var buf [64]byte
	for {
		n, err := c.Read(buf[:])
		if n > 0 {
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (t *targets) serveUDP() {
	defer t.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, from, err := t.udp.ReadFromUDPAddrPort(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err == nil {
			t.udp.WriteToUDPAddrPort(buf[:n], from)
		}
	}
}
