package server_test

import (
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// TestBadInputLeavesServerHealthy throws garbage, truncated messages,
// silent clients and abrupt resets at one server, then checks that it
// still serves and that its open file count is back where it was.
func TestBadInputLeavesServerHealthy(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, srv := serveOn(t, &server.Config{HandshakeTimeout: 500 * time.Millisecond}, nil)
	healthy := func() {
		t.Helper()
		c := dial(t, addr)
		if r := connectNoAuth(t, c, echo.String()); r.Reply != socks5.ReplySucceeded {
			t.Fatalf("server no longer serves: reply %v", r.Reply)
		}
		send(t, c, []byte("ok"))
		expect(t, c, []byte("ok"))
		c.Close()
	}
	healthy()
	waitOpen(t, srv, 0)
	base := testnet.OpenSockets()

	t.Run("random garbage", func(t *testing.T) {
		for i := 0; i < 50; i++ {
			c := dial(t, addr)
			junk := make([]byte, 1+i*37)
			rand.Read(junk)
			junk[0] = 0x05 // past the version check sometimes, not always
			if i%2 == 0 {
				junk[0] = byte(i)
			}
			c.Write(junk)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, c)
			c.Close()
		}
	})
	t.Run("truncated messages", func(t *testing.T) {
		msgs := [][]byte{h("05"), h("05 02 00"), h("05 01 00 05 01 00 03 09 6C 6F"), h("05 01 00 05 01 00 01 7F 00")}
		for _, m := range msgs {
			c := dial(t, addr)
			c.Write(m)
			c.(*net.TCPConn).CloseWrite()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, c)
			c.Close()
		}
	})
	t.Run("silent clients", func(t *testing.T) {
		var cs []net.Conn
		for i := 0; i < 20; i++ {
			cs = append(cs, dial(t, addr))
		}
		for _, c := range cs {
			expectClosed(t, c)
		}
	})
	t.Run("resets mid-transfer", func(t *testing.T) {
		payload := make([]byte, 256<<10)
		for i := 0; i < 100; i++ {
			c := dial(t, addr)
			if r := connectNoAuth(t, c, echo.String()); r.Reply != socks5.ReplySucceeded {
				t.Fatalf("reply %v", r.Reply)
			}
			go c.Write(payload)
			c.Read(make([]byte, 1024))
			c.(*net.TCPConn).SetLinger(0) // RST, not FIN
			c.Close()
		}
	})

	healthy()
	waitOpen(t, srv, 0)
	// The echo server's side of reset connections closes a moment later.
	deadline := time.Now().Add(5 * time.Second)
	for testnet.OpenSockets() > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := testnet.OpenSockets(); got > base {
		t.Fatalf("open sockets %d, was %d before the bad input", got, base)
	}
}
