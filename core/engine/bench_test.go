package engine_test

import (
	"io"
	"net"
	"testing"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
)

// BenchmarkHandshake measures whole CONNECT handshakes on loopback: dial,
// greeting, (authentication,) request, reply, close. The target accepts
// and closes.
func BenchmarkHandshake(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  server.Config
		auth *socks5.UserPass
	}{
		{"no-auth", server.Config{}, nil},
		{"userpass", server.Config{Username: "bench", Password: "bench-pass"}, &socks5.UserPass{Username: "bench", Password: "bench-pass"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
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
			cfg := tc.cfg
			cfg.Listen = "127.0.0.1:0"
			e := engine.New()
			if err := e.Start(&cfg); err != nil {
				b.Fatal(err)
			}
			defer e.Stop()
			dst := socks5.AddrFromNet(target.Addr())
			var msg []byte
			if tc.auth == nil {
				msg = []byte{5, 1, 0}
			} else {
				msg = []byte{5, 1, 2}
			}
			req, _ := socks5.Request{Command: socks5.CmdConnect, Addr: dst}.Append(nil)
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
					c.Write(msg)
					io.ReadFull(c, buf[:2])
					if tc.auth != nil {
						up, _ := tc.auth.Append(nil)
						c.Write(up)
						io.ReadFull(c, buf[:2])
					}
					c.Write(req)
					if r, err := socks5.ReadResponse(c); err != nil || r.Reply != socks5.ReplySucceeded {
						b.Errorf("reply %v %v", r.Reply, err)
					}
					c.(*net.TCPConn).SetLinger(0)
					c.Close()
				}
			})
		})
	}
}
