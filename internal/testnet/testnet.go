// Package testnet starts the loopback peers that the tests talk to:
// TCP and UDP echo servers, and file-descriptor counts for leak checks.
// Everything listens on loopback only.
package testnet

import (
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

// EchoTCP starts a TCP echo server on network ("tcp4" or "tcp6") loopback
// and returns its address. It half-closes its side when the client does.
func EchoTCP(t testing.TB, network string) *net.TCPAddr {
	t.Helper()
	host := "127.0.0.1"
	if network == "tcp6" {
		host = "[::1]"
	}
	ln, err := net.Listen(network, host+":0")
	if err != nil {
		t.Fatalf("echo listen: %v", err)
	}
	Serve(t, ln, func(c net.Conn) {
		io.Copy(c, c)
		c.(*net.TCPConn).CloseWrite()
	})
	return ln.Addr().(*net.TCPAddr)
}

// Serve accepts on ln until the test ends and runs handle on each
// connection in a goroutine of its own, closing the connection when handle
// returns. At the end of the test it closes ln and every open connection
// and waits for the handlers.
func Serve(t testing.TB, ln net.Listener, handle func(net.Conn)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := map[net.Conn]struct{}{}
	ended := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if ended {
				mu.Unlock()
				c.Close()
				continue
			}
			open[c] = struct{}{}
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				handle(c)
				c.Close()
				mu.Lock()
				delete(open, c)
				mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		ended = true
		for c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
}

// EchoUDP starts a UDP echo server on 127.0.0.1 and returns its address.
func EchoUDP(t testing.TB) *net.UDPAddr {
	t.Helper()
	winetest.SkipKnownGap(t, winetest.GapUDP)
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("udp echo listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			pc.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	return pc.LocalAddr().(*net.UDPAddr)
}

// OpenSockets counts this process's open sockets (Linux), or -1 where
// /proc is missing. Sockets, not all descriptors: the runtime keeps a pool
// of splice pipes whose size says nothing about leaks.
func OpenSockets() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
}
