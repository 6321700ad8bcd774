package engine

import (
	"net"
	"syscall"
	"testing"
)

// TestAcceptedSocketsKeepAlive: the accepted socket has keep-alive on,
// from the listener, without a setsockopt of its own.
func TestAcceptedSocketsKeepAlive(t *testing.T) {
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw, err := s.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var on int
	var gerr error
	raw.Control(func(fd uintptr) {
		on, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
	})
	if gerr != nil || on == 0 {
		t.Errorf("accepted socket SO_KEEPALIVE = %d, %v; want on", on, gerr)
	}
}
