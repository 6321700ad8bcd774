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
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				io.Copy(c, c)
				c.(*net.TCPConn).CloseWrite()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr)
}

// EchoUDP starts a UDP echo server on 127.0.0.1 and returns its address.
func EchoUDP(t testing.TB) *net.UDPAddr {
	t.Helper()
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
