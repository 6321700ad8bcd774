package engine_test

import (
	"io"
	"net"
	"testing"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// BenchmarkHandshake measures whole CONNECT handshakes on loopback: dial,
// greeting, (authentication,) request, reply, close. The target accepts
// and closes.
func BenchmarkHandshake(b *testing.B) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer target.Close()
	go func() {
		for {
			c, err := target.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	connectLoop(b, target.Addr(), func(b *testing.B, c net.Conn, buf []byte) {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
}

// BenchmarkConnection measures whole proxied connections on loopback, the
// unit that socksload's "server CPU per connection" row counts: dial,
// greeting, (authentication,) CONNECT to an echo server, one byte there and
// back, close. Run with -benchmem for the allocations of both ends (the
// client's are a fixed few), with -cpuprofile for where the server's time
// goes.
func BenchmarkConnection(b *testing.B) {
	connectLoop(b, testnet.EchoTCP(b, "tcp4"), func(b *testing.B, c net.Conn, buf []byte) {
		c.Write(buf[:1])
		if _, err := io.ReadFull(c, buf[:1]); err != nil {
			b.Errorf("echo: %v", err)
		}
		c.Close()
	})
}

// connectLoop runs, without and then with a password, CONNECTs to target
// through a fresh engine from parallel clients: dial, greeting,
// (authentication,) request and reply; finish does the rest of each
// connection and closes it.
func connectLoop(b *testing.B, target net.Addr, finish func(b *testing.B, c net.Conn, buf []byte)) {
	for _, tc := range []struct {
		name string
		cfg  server.Config
		auth *socks5.UserPass
	}{
		{"no-auth", server.Config{}, nil},
		{"userpass", server.Config{Username: "bench", Password: "bench-pass"}, &socks5.UserPass{Username: "bench", Password: "bench-pass"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := tc.cfg
			cfg.Listen = "127.0.0.1:0"
			e := engine.New()
			if err := e.Start(&cfg); err != nil {
				b.Fatal(err)
			}
			defer e.Stop()
			hello := []byte{5, 1, 0}
			var up []byte
			if tc.auth != nil {
				hello = []byte{5, 1, 2}
				up, _ = tc.auth.Append(nil)
			}
			req, _ := socks5.Request{Command: socks5.CmdConnect, Addr: socks5.AddrFromNet(target)}.Append(nil)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				buf := make([]byte, 64)
				for pb.Next() {
					c, err := net.Dial("tcp", e.Addr().String())
					if err != nil {
						b.Error(err)
						return
					}
					c.Write(hello)
					io.ReadFull(c, buf[:2])
					if up != nil {
						c.Write(up)
						io.ReadFull(c, buf[:2])
					}
					c.Write(req)
					if r, err := socks5.ReadResponse(c); err != nil || r.Reply != socks5.ReplySucceeded {
						b.Errorf("reply %v %v", r.Reply, err)
					}
					finish(b, c, buf)
				}
			})
		})
	}
}
