package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks4"
	"github.com/sockstray/sockstray/internal/testnet"
)

// readStatus reads an HTTP response's status code.
func readStatus(t *testing.T, c net.Conn) (int, http.Header) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading HTTP response: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func TestHTTPConnectAndStatuses(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := ln.Addr().String()
	ln.Close()
	addr, _ := serveOn(t, &server.Config{HandshakeTimeout: 300 * time.Millisecond}, nil)
	authed, _ := serveOn(t, &server.Config{Username: "u", Password: "p"}, nil)

	t.Run("CONNECT tunnel with early data", func(t *testing.T) {
		c := dial(t, addr)
		send(t, c, []byte("CONNECT "+echo.String()+" HTTP/1.1\r\nHost: "+echo.String()+"\r\n\r\nearly"))
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("CONNECT: %v %v", resp, err)
		}
		got := make([]byte, 5)
		if _, err := io.ReadFull(br, got); err != nil || string(got) != "early" {
			t.Fatalf("early data: %q %v", got, err)
		}
	})
	for _, tc := range []struct {
		name, addr, data string
		want             int
	}{
		{"refused", addr, "CONNECT " + closedPort + " HTTP/1.1\r\n\r\n", 502},
		{"no credentials", authed, "CONNECT " + echo.String() + " HTTP/1.1\r\n\r\n", 407},
		{"wrong credentials", authed, "GET http://" + echo.String() + "/ HTTP/1.1\r\nProxy-Authorization: Basic dTp4\r\n\r\n", 407},
		{"not a proxy request", addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"garbage request line", addr, "GARBAGE\r\n\r\n", 400},
		{"oversized head", addr, "GET http://127.0.0.1/ HTTP/1.1\r\nX: " + strings.Repeat("a", 40<<10) + "\r\n\r\n", 431},
		{"head that never ends", addr, "GET http://127.0.0.1/ HTTP/1.1\r\nX: y\r\n", 408},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.addr)
			send(t, c, []byte(tc.data))
			status, hdr := readStatus(t, c)
			if status != tc.want {
				t.Fatalf("status %d, want %d", status, tc.want)
			}
			if status == 407 && !strings.HasPrefix(hdr.Get("Proxy-Authenticate"), "Basic") {
				t.Errorf("407 without Proxy-Authenticate: Basic: %v", hdr)
			}
			expectClosed(t, c)
		})
	}
}

func TestHTTPForbiddenForLANClients(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, _ := serveOn(t, &server.Config{}, lanClient)
	for _, req := range []string{
		"CONNECT " + echo.String() + " HTTP/1.1\r\n\r\n",
		"GET http://localhost:" + strconv.Itoa(echo.Port) + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		c := dial(t, addr)
		send(t, c, []byte(req))
		if status, _ := readStatus(t, c); status != 403 {
			t.Errorf("%q from the LAN: status %d, want 403", req, status)
		}
	}
}

func TestSOCKS4(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, _ := serveOn(t, &server.Config{}, nil)
	authed, _ := serveOn(t, &server.Config{Username: "u", Password: "p"}, nil)
	ip := netip.MustParseAddr("127.0.0.1")
	port := uint16(echo.Port)
	for _, tc := range []struct {
		name string
		addr string
		req  socks4.Request
		want byte
	}{
		{"CONNECT by IP", addr, socks4.Request{Command: socks4.CmdConnect, Port: port, IP: ip, UserID: "x"}, socks4.Granted},
		{"4a CONNECT by name", addr, socks4.Request{Command: socks4.CmdConnect, Port: port, Host: "localhost"}, socks4.Granted},
		{"unknown command", addr, socks4.Request{Command: 9, Port: port, IP: ip}, socks4.Rejected},
		{"password required", authed, socks4.Request{Command: socks4.CmdConnect, Port: port, IP: ip}, socks4.Rejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.addr)
			send(t, c, socks4.AppendRequest(nil, tc.req))
			reply := make([]byte, 8)
			if _, err := io.ReadFull(c, reply); err != nil {
				t.Fatal(err)
			}
			if reply[0] != 0 || reply[1] != tc.want {
				t.Fatalf("reply % x, want code %#x", reply, tc.want)
			}
			if tc.want == socks4.Granted {
				send(t, c, []byte("hi"))
				expect(t, c, []byte("hi"))
			} else {
				expectClosed(t, c)
			}
		})
	}
}
