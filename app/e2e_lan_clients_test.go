//go:build linux

package main

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/netns"
)

// dest is a destination as a client names it: an IP (SOCKS5 address type
// 1 or 4, SOCKS4) or a name (type 3, SOCKS4a, any text in HTTP).
type dest struct {
	ip   netip.Addr
	name string
}

func ipDest(s string) dest   { return dest{ip: netip.MustParseAddr(s)} }
func nameDest(s string) dest { return dest{name: s} }

func (d dest) String() string {
	if d.name != "" {
		return d.name
	}
	return d.ip.String()
}

// hostPort is HOST:PORT, IPv6 in brackets, as a SOCKS client library
// takes it.
func (d dest) hostPort(port uint16) string {
	return net.JoinHostPort(d.String(), fmt.Sprint(port))
}

// authority is HOST:PORT as HTTP writes it: a zone escaped as %25 (RFC
// 6874), as in a URL.
func (d dest) authority(port uint16) string {
	return strings.Replace(d.hostPort(port), "%", "%25", 1)
}

func (d dest) url(port uint16) string { return "http://" + d.authority(port) + "/" }

// lanClient is an independent client for every protocol of the mixed
// port, written from the RFCs, whose sockets live in the client namespace.
type lanClient struct {
	host       *netns.Host
	proxy      string // HOST:PORT of the proxy as the client reaches it
	user, pass string // empty: no authentication
}

func (c *lanClient) dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	var conn net.Conn
	if err := c.host.Do(func() (err error) {
		conn, err = net.DialTimeout("tcp", addr, lanTimeout)
		return err
	}); err != nil {
		t.Fatalf("LAN client: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(lanTimeout))
	return conn
}

// socks5 sends one SOCKS5 request and returns the connection, the reply
// code (-1 when the proxy closed without one) and the bound address.
func (c *lanClient) socks5(t *testing.T, cmd byte, d dest, port uint16) (net.Conn, int, netip.AddrPort) {
	t.Helper()
	conn := c.dial(t, c.proxy)
	method := byte(0)
	if c.user != "" {
		method = 2
	}
	conn.Write([]byte{5, 1, method})
	var sel [2]byte
	if _, err := io.ReadFull(conn, sel[:]); err != nil || sel != [2]byte{5, method} {
		t.Fatalf("SOCKS5 method selection: got %v (%v), want [5 %d]", sel, err, method)
	}
	if method == 2 {
		msg := append([]byte{1, byte(len(c.user))}, c.user...)
		msg = append(append(msg, byte(len(c.pass))), c.pass...)
		conn.Write(msg)
		var st [2]byte
		if _, err := io.ReadFull(conn, st[:]); err != nil || st != [2]byte{1, 0} {
			t.Fatalf("SOCKS5 authentication with the right password: got %v (%v)", st, err)
		}
	}
	req := []byte{5, cmd, 0}
	switch {
	case d.name != "":
		req = append(append(req, 3, byte(len(d.name))), d.name...)
	case d.ip.Is4():
		req = append(append(req, 1), d.ip.AsSlice()...)
	default:
		req = append(append(req, 4), d.ip.AsSlice()...)
	}
	conn.Write(binary.BigEndian.AppendUint16(req, port))
	rep, bound := readSOCKS5Reply(conn)
	return conn, rep, bound
}

func readSOCKS5Reply(conn net.Conn) (int, netip.AddrPort) {
	var head [4]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return -1, netip.AddrPort{}
	}
	n := map[byte]int{1: 4, 4: 16}[head[3]]
	if n == 0 {
		return int(head[1]), netip.AddrPort{} // a name or garbage: no address for us
	}
	b := make([]byte, n+2)
	if _, err := io.ReadFull(conn, b); err != nil {
		return -1, netip.AddrPort{}
	}
	ip, _ := netip.AddrFromSlice(b[:n])
	return int(head[1]), netip.AddrPortFrom(ip.Unmap(), binary.BigEndian.Uint16(b[n:]))
}

// socks4 sends a SOCKS4 CONNECT for an IPv4 address, else a SOCKS4a one
// with the text as the name, and returns the reply code (-1 for none).
func (c *lanClient) socks4(t *testing.T, d dest, port uint16) (net.Conn, int) {
	t.Helper()
	conn := c.dial(t, c.proxy)
	req := binary.BigEndian.AppendUint16([]byte{4, 1}, port)
	if d.name == "" && d.ip.Is4() {
		req = append(append(req, d.ip.AsSlice()...), 0)
	} else {
		req = append(append(append(req, 0, 0, 0, 1, 0), d.String()...), 0)
	}
	conn.Write(req)
	var rep [8]byte
	if _, err := io.ReadFull(conn, rep[:]); err != nil {
		return conn, -1
	}
	return conn, int(rep[1])
}

func (c *lanClient) proxyAuth() string {
	if c.user == "" {
		return ""
	}
	return "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(c.user+":"+c.pass)) + "\r\n"
}

// httpConnect asks for a tunnel and returns the status (-1 for none) and
// the connection's reader.
func (c *lanClient) httpConnect(t *testing.T, d dest, port uint16) (net.Conn, *bufio.Reader, int) {
	t.Helper()
	conn := c.dial(t, c.proxy)
	a := d.authority(port)
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", a, a, c.proxyAuth())
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		return conn, br, -1
	}
	return conn, br, resp.StatusCode
}

// httpGet sends a plain proxy request and returns the status (-1 for
// none) and the body.
func (c *lanClient) httpGet(t *testing.T, d dest, port uint16) (int, string) {
	t.Helper()
	conn := c.dial(t, c.proxy)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n", d.url(port), d.authority(port), c.proxyAuth())
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return -1, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// fetchThrough sends an HTTP/1.0 GET through an open tunnel and returns
// everything that comes back.
func fetchThrough(conn net.Conn, r io.Reader) string {
	io.WriteString(conn, "GET / HTTP/1.0\r\nHost: peer\r\n\r\n")
	b, _ := io.ReadAll(r)
	return string(b)
}

// nsDialer is a golang.org/x/net/proxy forward dialer whose connections
// are made in the namespace (and stay there).
type nsDialer struct{ h *netns.Host }

func (d nsDialer) Dial(network, addr string) (c net.Conn, err error) {
	err = d.h.Do(func() error {
		c, err = net.DialTimeout(network, addr, lanTimeout)
		return err
	})
	return c, err
}
