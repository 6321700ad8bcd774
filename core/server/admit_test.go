package server_test

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks4"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"

	"github.com/sockstray/sockstray/internal/winetest"
)

// A LAN share: clients from 192.168.0.0/16 (lanClient makes every
// connection look as if it came from 192.168.1.50), with a password or
// without (SOCKS4 cannot give one).
func sharedConfig(withPassword bool) *server.Config {
	cfg := &server.Config{
		Listen:            "0.0.0.0:1080",
		Allow:             []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")},
		AllowLocalTargets: true, // the test's targets are on loopback
	}
	if withPassword {
		cfg.Username, cfg.Password = "u", "p"
	}
	return cfg
}

// opened is a client connection in some protocol's running state, and a
// way to prove it still works.
type opened struct {
	conn  net.Conn
	alive func(t *testing.T)
}

type opener func(t *testing.T, addr string) opened

func TestApplyDisconnectsClientsNoLongerAdmitted(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(origin.Close)
	originHost := origin.Listener.Addr().String()

	protocols := []struct {
		name     string
		password bool
		open     opener
	}{
		{"SOCKS5 CONNECT", true, func(t *testing.T, addr string) opened { return socks5Tunnel(t, addr, echo.String()) }},
		{"SOCKS5 UDP ASSOCIATE", true, socks5Associate},
		{"SOCKS5 BIND", false, socks5Bind},
		{"SOCKS4 CONNECT", false, func(t *testing.T, addr string) opened { return socks4Tunnel(t, addr, echo) }},
		{"HTTP CONNECT", true, func(t *testing.T, addr string) opened { return httpTunnel(t, addr, echo.String()) }},
		{"HTTP keep-alive", true, func(t *testing.T, addr string) opened { return httpKeepAlive(t, addr, originHost) }},
	}
	changes := []struct {
		name   string
		change func(*server.Config)
		gone   bool
	}{
		{"sharing off", func(c *server.Config) { c.Listen = "127.0.0.1:1080" }, true},
		{"allowlist narrowed", func(c *server.Config) { c.Allow = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} }, true},
		{"password changed or set", func(c *server.Config) { c.Username, c.Password = "u", "new" }, true},
		{"still admitted", func(c *server.Config) { c.IdleTimeout = time.Hour }, false},
	}
	for _, p := range protocols {
		for _, ch := range changes {
			t.Run(p.name+"/"+ch.name, func(t *testing.T) {
				addr, srv := serveOn(t, sharedConfig(p.password), lanClient)
				o := p.open(t, addr)
				next := sharedConfig(p.password)
				ch.change(next)
				srv.Apply(next)
				if ch.gone {
					expectClosed(t, o.conn)
				} else {
					o.alive(t)
				}
			})
		}
	}
}

var basicUP = "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("u:p")) + "\r\n"

func echoes(c net.Conn) func(t *testing.T) {
	return func(t *testing.T) {
		send(t, c, []byte("still here"))
		expect(t, c, []byte("still here"))
	}
}

// quiet checks that a connection that carries nothing stays open.
func quiet(c net.Conn) func(t *testing.T) {
	return func(t *testing.T) {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			t.Fatalf("connection ended (%v), want it open", err)
		}
		c.SetReadDeadline(time.Time{})
	}
}

func socks5Login(t *testing.T, c net.Conn) {
	t.Helper()
	send(t, c, h("05 01 02"))
	expect(t, c, h("05 02"))
	send(t, c, h("01 01 75 01 70")) // u / p
	expect(t, c, h("01 00"))
}

func socks5Tunnel(t *testing.T, addr, dst string) opened {
	c := dial(t, addr)
	socks5Login(t, c)
	send(t, c, request(t, socks5.CmdConnect, dst))
	if r := readResponse(t, c); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("CONNECT reply %v", r.Reply)
	}
	return opened{c, echoes(c)}
}

func socks5Associate(t *testing.T, addr string) opened {
	winetest.SkipKnownGap(t, winetest.GapUDP)
	c := dial(t, addr)
	socks5Login(t, c)
	send(t, c, request(t, socks5.CmdUDPAssociate, "0.0.0.0:0"))
	if r := readResponse(t, c); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("UDP ASSOCIATE reply %v", r.Reply)
	}
	return opened{c, quiet(c)}
}

func socks5Bind(t *testing.T, addr string) opened {
	c := dial(t, addr)
	send(t, c, h("05 01 00"))
	expect(t, c, h("05 00"))
	send(t, c, request(t, socks5.CmdBind, "127.0.0.1:0"))
	if r := readResponse(t, c); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("BIND reply %v", r.Reply)
	}
	return opened{c, quiet(c)}
}

func socks4Tunnel(t *testing.T, addr string, echo *net.TCPAddr) opened {
	c := dial(t, addr)
	send(t, c, socks4.AppendRequest(nil, socks4.Request{Command: socks4.CmdConnect, Port: uint16(echo.Port), IP: netip.MustParseAddr("127.0.0.1")}))
	reply := make([]byte, 8)
	if _, err := io.ReadFull(c, reply); err != nil || reply[1] != socks4.Granted {
		t.Fatalf("SOCKS4 reply % x, %v", reply, err)
	}
	return opened{c, echoes(c)}
}

func httpTunnel(t *testing.T, addr, dst string) opened {
	c := dial(t, addr)
	send(t, c, []byte("CONNECT "+dst+" HTTP/1.1\r\nHost: "+dst+"\r\n"+basicUP+"\r\n"))
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	return opened{c, echoes(c)}
}

func httpKeepAlive(t *testing.T, addr, origin string) opened {
	c := dial(t, addr)
	br := bufio.NewReader(c)
	get := func(t *testing.T) {
		t.Helper()
		send(t, c, []byte(fmt.Sprintf("GET http://%s/ HTTP/1.1\r\nHost: %s\r\n%s\r\n", origin, origin, basicUP)))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "ok" || resp.Close {
			t.Fatalf("GET: %d %q close=%v", resp.StatusCode, body, resp.Close)
		}
	}
	get(t)
	return opened{c, get}
}
