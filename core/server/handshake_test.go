package server_test

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

func TestMessagesSplitOverManyReads(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, _ := serveOn(t, &server.Config{}, nil)
	c := dial(t, addr)
	c.(*net.TCPConn).SetNoDelay(true)
	msg := append(h("05 02 00 02"), request(t, socks5.CmdConnect, echo.String())...)
	for i, b := range msg {
		send(t, c, []byte{b})
		time.Sleep(2 * time.Millisecond)
		if i == 3 {
			expect(t, c, h("05 00"))
		}
	}
	if r := readResponse(t, c); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("reply %v", r.Reply)
	}
	send(t, c, []byte("ping"))
	expect(t, c, []byte("ping"))
}

func TestPipelinedMessagesAndData(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, _ := serveOn(t, &server.Config{Username: "u", Password: "pw"}, nil)
	c := dial(t, addr)
	var all []byte
	all = append(all, h("05 01 02")...)
	all = append(all, h("01 01 75 02 70 77")...) // user "u", password "pw"
	all = append(all, request(t, socks5.CmdConnect, echo.String())...)
	all = append(all, "early data"...)
	send(t, c, all)
	expect(t, c, h("05 02 01 00"))
	if r := readResponse(t, c); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("reply %v", r.Reply)
	}
	expect(t, c, []byte("early data"))
}

func TestMethodNegotiation(t *testing.T) {
	open, _ := serveOn(t, &server.Config{}, nil)
	authed, _ := serveOn(t, &server.Config{Username: "u", Password: "p"}, nil)
	for _, tc := range []struct {
		name, addr, greeting, want string
	}{
		{"no-auth offered", open, "05 01 00", "05 00"},
		{"both offered, no creds configured", open, "05 02 02 00", "05 00"},
		{"only GSSAPI", open, "05 01 01", "05 FF"},
		{"only user/pass, none configured", open, "05 01 02", "05 FF"},
		{"creds configured, no-auth offered", authed, "05 01 00", "05 FF"},
		{"creds configured, both offered", authed, "05 02 00 02", "05 02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.addr)
			send(t, c, h(tc.greeting))
			expect(t, c, h(tc.want))
			if tc.want == "05 FF" {
				expectClosed(t, c)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	user, pass := strings.Repeat("u", 255), strings.Repeat("p", 255)
	addr, _ := serveOn(t, &server.Config{Username: user, Password: pass}, nil)
	up := func(u, p string) []byte {
		b, err := socks5.UserPass{Username: u, Password: p}.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Run("255-byte username and password", func(t *testing.T) {
		c := dial(t, addr)
		send(t, c, h("05 01 02"))
		expect(t, c, h("05 02"))
		send(t, c, up(user, pass))
		expect(t, c, h("01 00"))
		send(t, c, request(t, socks5.CmdConnect, echo.String()))
		if r := readResponse(t, c); r.Reply != socks5.ReplySucceeded {
			t.Fatalf("reply %v", r.Reply)
		}
	})
	for _, tc := range []struct{ name, u, p string }{
		{"wrong password", user, "x"},
		{"wrong user", "x", pass},
		{"prefix of password", user, pass[:254]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			send(t, c, h("05 01 02"))
			expect(t, c, h("05 02"))
			send(t, c, up(tc.u, tc.p))
			expect(t, c, h("01 01"))
			expectClosed(t, c)
		})
	}
	// RFC 1929 forbids empty fields; such a client still hears "failure"
	// (01 01) like any other wrong credentials, not a bare close.
	for _, tc := range []struct{ name, msg string }{
		{"ULEN 0", "01 00 01 70"},
		{"PLEN 0", "01 01 75 00"},
		{"both 0", "01 00 00"},
	} {
		t.Run("empty field: "+tc.name, func(t *testing.T) {
			c := dial(t, addr)
			send(t, c, h("05 01 02"))
			expect(t, c, h("05 02"))
			send(t, c, h(tc.msg))
			expect(t, c, h("01 01"))
			expectClosed(t, c)
		})
	}
}

func TestGarbageIsClosedWithoutReply(t *testing.T) {
	addr, _ := serveOn(t, &server.Config{}, nil)
	for _, tc := range []struct{ name, data string }{
		{"TLS ClientHello", "16 03 01 00 A5 01 00 00 A1 03 03"},
		{"lower-case text", "67 65 74 20 2F 0D 0A"},
		{"0xFF", "FF FF FF"},
		{"NMETHODS 0", "05 00"},
		{"zero bytes", "00 00 00 00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			send(t, c, h(tc.data))
			expectClosed(t, c)
		})
	}
	t.Run("wrong version in request", func(t *testing.T) {
		c := dial(t, addr)
		send(t, c, h("05 01 00"))
		expect(t, c, h("05 00"))
		send(t, c, h("04 01 00 01 7F 00 00 01 00 50"))
		expectClosed(t, c)
	})
}

func TestRequestErrorsReplyCodes(t *testing.T) {
	addr, _ := serveOn(t, &server.Config{DisableBind: true}, nil)
	for _, tc := range []struct {
		name, req string
		want      socks5.Reply
	}{
		{"unknown command", "05 09 00 01 7F 00 00 01 00 50", socks5.ReplyCommandNotSupported},
		{"BIND turned off", "05 02 00 01 7F 00 00 01 00 50", socks5.ReplyCommandNotSupported},
		{"unknown address type", "05 01 00 05 7F 00 00 01 00 50", socks5.ReplyAddressTypeNotSupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			send(t, c, h("05 01 00"))
			expect(t, c, h("05 00"))
			send(t, c, h(tc.req))
			if r := readResponse(t, c); r.Reply != tc.want {
				t.Fatalf("reply %v, want %v", r.Reply, tc.want)
			}
			expectClosed(t, c)
		})
	}
}

func TestHandshakeDeadline(t *testing.T) {
	addr, srv := serveOn(t, &server.Config{HandshakeTimeout: 200 * time.Millisecond}, nil)
	silent := dial(t, addr)
	half := dial(t, addr)
	send(t, half, h("05 02 00")) // one method short
	start := time.Now()
	expectClosed(t, silent)
	expectClosed(t, half)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("closed after %v, want about 200ms", d)
	}
	waitOpen(t, srv, 0)
}

func TestMaxConns(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, srv := serveOn(t, &server.Config{MaxConns: 2}, nil)
	a, b := dial(t, addr), dial(t, addr)
	send(t, a, h("05 01 00"))
	expect(t, a, h("05 00"))
	send(t, b, h("05 01 00"))
	expect(t, b, h("05 00"))
	waitOpen(t, srv, 2)

	third := dial(t, addr)
	send(t, third, h("05 01 00"))
	expectClosed(t, third)

	a.Close()
	waitOpen(t, srv, 1)
	c := dial(t, addr)
	if r := connectNoAuth(t, c, echo.String()); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("after a slot freed: reply %v", r.Reply)
	}
}

func TestBoundAddressIsOutboundSocket(t *testing.T) {
	// The target tells each client the address it sees it coming from.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(c.RemoteAddr().String() + "\n"))
			c.Close()
		}
	}()
	addr, _ := serveOn(t, &server.Config{}, nil)
	c := dial(t, addr)
	r := connectNoAuth(t, c, ln.Addr().String())
	if r.Reply != socks5.ReplySucceeded {
		t.Fatalf("reply %v", r.Reply)
	}
	seen := make([]byte, 64)
	n, _ := c.Read(seen)
	if got := string(bytes.TrimSpace(seen[:n])); got != r.Bound.String() {
		t.Fatalf("BND %v, but the target saw %q", r.Bound, got)
	}
}

func waitOpen(t *testing.T, srv *server.Server, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.Open() != want {
		if time.Now().After(deadline) {
			t.Fatalf("open connections %d, want %d", srv.Open(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
