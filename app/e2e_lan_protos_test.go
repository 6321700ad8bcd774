//go:build linux

package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"golang.org/x/net/proxy"
)

// lanProto is one protocol of the mixed port as a LAN client uses it.
type lanProto struct {
	name    string
	ok      string // the answer of success
	refused string // the answer of a destination the rules refuse
	// ask requests d:port and returns the proxy's answer ("reply 2",
	// "status 403") and, on success, what came back from the destination.
	// positive is the control case, where ask goes all the way.
	ask func(t *testing.T, c *lanClient, d dest, port uint16, positive bool) (answer, got string)
}

var (
	protoSOCKS5 = lanProto{"SOCKS5 CONNECT", "reply 0", "reply 2", askSOCKS5}
	// x/net/proxy is a third-party SOCKS5 client: it picks the address
	// type itself (names as type 3, IPs as 1 or 4).
	protoXNetProxy = lanProto{"SOCKS5 CONNECT x-net-proxy", "reply 0", "reply 2", askXNetProxy}
	protoBIND      = lanProto{"SOCKS5 BIND", "reply 0", "reply 2", askBIND}
	protoSOCKS4    = lanProto{"SOCKS4 CONNECT", "reply 90", "reply 91", askSOCKS4}
	protoHTTPConn  = lanProto{"HTTP CONNECT", "status 200", "status 403", askHTTPConnect}
	protoHTTPGet   = lanProto{"HTTP GET", "status 200", "status 403", askHTTPGet}
)

func askSOCKS5(t *testing.T, c *lanClient, d dest, port uint16, _ bool) (string, string) {
	conn, rep, _ := c.socks5(t, 1, d, port)
	if rep != 0 {
		return fmt.Sprintf("reply %d", rep), ""
	}
	return "reply 0", fetchThrough(conn, conn)
}

var xnetReplies = []string{1: "general SOCKS server failure", 2: "connection not allowed by ruleset",
	3: "network unreachable", 4: "host unreachable", 5: "connection refused", 6: "TTL expired",
	7: "command not supported", 8: "address type not supported"}

func askXNetProxy(t *testing.T, c *lanClient, d dest, port uint16, _ bool) (string, string) {
	var auth *proxy.Auth
	if c.user != "" {
		auth = &proxy.Auth{User: c.user, Password: c.pass}
	}
	dl, err := proxy.SOCKS5("tcp", c.proxy, auth, nsDialer{c.host})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := dl.Dial("tcp", d.hostPort(port))
	if err != nil {
		for code, s := range xnetReplies {
			if s != "" && strings.HasSuffix(err.Error(), "unknown error "+s) {
				return fmt.Sprintf("reply %d", code), ""
			}
		}
		return "error: " + err.Error(), ""
	}
	defer conn.Close()
	return "reply 0", fetchThrough(conn, conn)
}

// askBIND asks the proxy to accept a connection from d. In the control
// case a host of the client's LAN (the client namespace) then connects to
// the bound address and sends the body.
func askBIND(t *testing.T, c *lanClient, d dest, port uint16, positive bool) (string, string) {
	conn, rep, bound := c.socks5(t, 2, d, port)
	if rep != 0 || !positive {
		return fmt.Sprintf("reply %d", rep), ""
	}
	peer := c.dial(t, bound.String())
	rep2, from := readSOCKS5Reply(conn)
	if rep2 != 0 {
		return fmt.Sprintf("second reply %d", rep2), ""
	}
	if from.Addr() != d.ip {
		t.Errorf("BIND second reply names %v, want the peer %v", from, d.ip)
	}
	io.WriteString(peer, bindHello)
	peer.(*net.TCPConn).CloseWrite()
	b, _ := io.ReadAll(conn)
	return "reply 0", string(b)
}

func askSOCKS4(t *testing.T, c *lanClient, d dest, port uint16, _ bool) (string, string) {
	conn, rep := c.socks4(t, d, port)
	if rep != 90 {
		return fmt.Sprintf("reply %d", rep), ""
	}
	return "reply 90", fetchThrough(conn, conn)
}

func askHTTPConnect(t *testing.T, c *lanClient, d dest, port uint16, _ bool) (string, string) {
	conn, br, st := c.httpConnect(t, d, port)
	if st != 200 {
		return fmt.Sprintf("status %d", st), ""
	}
	return "status 200", fetchThrough(conn, br)
}

func askHTTPGet(t *testing.T, c *lanClient, d dest, port uint16, _ bool) (string, string) {
	st, body := c.httpGet(t, d, port)
	return fmt.Sprintf("status %d", st), body
}
