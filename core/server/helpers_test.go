package server_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// serveOn runs a server with cfg on a loopback listener (wrapped by wrap,
// when not nil) until the test ends.
func serveOn(t *testing.T, cfg *server.Config, wrap func(net.Listener) net.Listener) (string, *server.Server) {
	t.Helper()
	addr, srv, _ := serveTable(t, cfg, wrap)
	return addr, srv
}

// serveTable is serveOn that also returns the server's live table.
func serveTable(t *testing.T, cfg *server.Config, wrap func(net.Listener) net.Listener) (string, *server.Server, *stats.Table) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var l net.Listener = ln
	if wrap != nil {
		l = wrap(ln)
	}
	table := stats.New(nil)
	srv := server.New(cfg, table)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		srv.Close()
	})
	return ln.Addr().String(), srv, table
}

// drained waits (up to 5 s) until table has no live connection and
// returns its totals then.
func drained(table *stats.Table) stats.Totals {
	deadline := time.Now().Add(5 * time.Second)
	tot := table.Snapshot().Totals
	for tot.Live != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		tot = table.Snapshot().Totals
	}
	return tot
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// h decodes hex with spaces: h("05 01 00").
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func send(t *testing.T, c net.Conn, b []byte) {
	t.Helper()
	if _, err := c.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func expect(t *testing.T, c net.Conn, want []byte) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("reading % x: %v", want, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x, want % x", got, want)
	}
}

// expectClosed checks that the server closes c without sending anything
// (more).
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(make([]byte, 64))
	if n > 0 {
		t.Fatalf("got %d unexpected bytes before close", n)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("connection still open: want closed")
	}
}

// request encodes a request.
func request(t *testing.T, cmd socks5.Command, dst string) []byte {
	t.Helper()
	a, err := socks5.ParseAddr(dst)
	if err != nil {
		t.Fatal(err)
	}
	b, err := socks5.Request{Command: cmd, Addr: a}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readResponse reads one response.
func readResponse(t *testing.T, c net.Conn) socks5.Response {
	t.Helper()
	r, err := socks5.ReadResponse(c)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return r
}

// connectNoAuth does greeting and CONNECT and returns the response.
func connectNoAuth(t *testing.T, c net.Conn, dst string) socks5.Response {
	t.Helper()
	send(t, c, h("05 01 00"))
	expect(t, c, h("05 00"))
	send(t, c, request(t, socks5.CmdConnect, dst))
	return readResponse(t, c)
}

// fakeRemote makes every accepted connection look as if it came from
// addr: a client on the LAN, without leaving loopback.
type fakeRemote struct {
	net.Listener
	addr net.Addr
}

func (f fakeRemote) Accept() (net.Conn, error) {
	c, err := f.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return remoteConn{c, f.addr}, nil
}

type remoteConn struct {
	net.Conn
	addr net.Addr
}

func (r remoteConn) RemoteAddr() net.Addr { return r.addr }
