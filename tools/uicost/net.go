//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// echoServer echoes what each connection sends, on loopback.
type echoServer struct {
	addr netip.AddrPort
	ln   net.Listener
	wg   sync.WaitGroup
}

// newEcho echoes with a small buffer: there are thousands of these.
func newEcho() (*echoServer, error) {
	return newServer(func(c net.Conn) {
		var buf [64]byte
		io.CopyBuffer(struct{ io.Writer }{c}, struct{ io.Reader }{c}, buf[:])
	})
}

// sinkServer reads and drops what each connection sends.
type sinkServer = echoServer

func newSink() (*sinkServer, error) {
	return newServer(func(c net.Conn) { io.Copy(io.Discard, c) })
}

func newServer(handle func(net.Conn)) (*echoServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &echoServer{addr: ln.Addr().(*net.TCPAddr).AddrPort(), ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); handle(c) }()
		}
	}()
	return s, nil
}

func (s *echoServer) close() { s.ln.Close(); s.wg.Wait() }

// openIdle opens n connections through the SOCKS5 proxy at proxy to
// target, checks each echoes one byte, and leaves them open and idle.
func openIdle(ctx context.Context, proxy string, target netip.AddrPort, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := connect(ctx, proxy, target)
				if err == nil {
					err = echoOnce(c)
				}
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("connection %d: %w", i+1, err) })
					next.Store(int64(n))
					if c != nil {
						c.Close()
					}
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	return conns, firstErr
}

func echoOnce(c net.Conn) error {
	c.SetDeadline(time.Now().Add(30 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte{'x'}); err != nil {
		return err
	}
	var b [1]byte
	_, err := io.ReadFull(c, b[:])
	return err
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// connect opens a CONNECT to target through the SOCKS5 proxy at proxy,
// without authentication.
func connect(ctx context.Context, proxy string, target netip.AddrPort) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", proxy)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var arr [300]byte
	b, err := socks5.Greeting{Methods: []socks5.AuthMethod{socks5.AuthNone}}.Append(arr[:0])
	if err == nil {
		_, err = c.Write(b)
	}
	if err == nil {
		_, err = socks5.ReadMethodSelection(c)
	}
	if err == nil {
		b, err = socks5.Request{Command: socks5.CmdConnect, Addr: socks5.AddrFromAddrPort(target)}.Append(arr[:0])
	}
	if err == nil {
		_, err = c.Write(b)
	}
	var resp socks5.Response
	if err == nil {
		resp, err = socks5.ReadResponse(c)
	}
	if err == nil && resp.Reply != socks5.ReplySucceeded {
		err = fmt.Errorf("CONNECT %v: %v", target, resp.Reply)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// relayCost sends gb gigabytes through one proxied connection to the sink
// and returns the proxy's CPU seconds per GB and how long it took.
func relayCost(ctx context.Context, pid int, proxy string, sink netip.AddrPort, gb float64) (perGB float64, took time.Duration, err error) {
	c, err := connect(ctx, proxy, sink)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	t0, c0, err := cpuTime(pid)
	if err != nil {
		return 0, 0, err
	}
	buf := make([]byte, 256<<10)
	total := int64(gb * 1e9)
	for sent := int64(0); sent < total; {
		n, err := c.Write(buf[:min(int64(len(buf)), total-sent)])
		if err != nil {
			return 0, 0, err
		}
		sent += int64(n)
	}
	c.(*net.TCPConn).CloseWrite()
	// The sink has it all once the proxy closes its side after our FIN.
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	io.Copy(io.Discard, c)
	t1, c1, err := cpuTime(pid)
	return (c1 - c0).Seconds() / gb, t1.Sub(t0), err
}
