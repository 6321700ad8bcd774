package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/testnet"
)

// earlyOrigin is an origin server that answers every request as soon as
// its head has arrived, without reading the body, and then closes (closes)
// or keeps the connection open and reads nothing more.
func earlyOrigin(t *testing.T, closes bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	testnet.Serve(t, ln, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if !closes {
			<-stop // held open, reading nothing, until the test ends
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before Serve's own cleanup
	return ln.Addr().String()
}

// acceptCounter is a TCP listener that counts the connections it gets: a
// service that a request must never reach.
func acceptCounter(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	testnet.Serve(t, ln, func(net.Conn) { n.Add(1) })
	return ln.Addr().String(), &n
}

// TestHTTPEarlyResponseWithBodyInFlight is the crash of issue 9: a POST
// with a large body to an origin that answers before reading it. The
// client connection must have one reader at a time (the race detector
// watches), and the server must stay up and serve.
func TestHTTPEarlyResponseWithBodyInFlight(t *testing.T) {
	addr, srv := serveOn(t, &server.Config{}, nil)
	for _, closing := range []bool{true, false} {
		origin := earlyOrigin(t, closing)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 12 {
					postLargeBody(t, addr, origin)
				}
			}()
		}
		wg.Wait()
	}
	ok := earlyOrigin(t, false)
	c := dial(t, addr)
	send(t, c, []byte("GET http://"+ok+"/ HTTP/1.1\r\nHost: x\r\n\r\n"))
	if status, _ := readStatus(t, c); status != 200 {
		t.Fatalf("after the storm: status %d", status)
	}
	c.Close()
	waitOpen(t, srv, 0)
}

// postLargeBody announces 8 MiB, sends some of it while reading the
// response, and then leaves.
func postLargeBody(t *testing.T, addr, origin string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "POST http://%s/ HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", origin, origin, 8<<20)
	go func() {
		chunk := make([]byte, 64<<10)
		for range 32 {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	http.ReadResponse(bufio.NewReader(c), nil)
}

// TestHTTPBodyBytesNeverBecomeRequests sends request-looking bytes as the
// body of a request whose origin answers before reading it: they must
// reach no one as a request of their own.
func TestHTTPBodyBytesNeverBecomeRequests(t *testing.T) {
	secret, reached := acceptCounter(t)
	smuggled := "GET http://" + secret + "/ HTTP/1.1\r\nHost: " + secret + "\r\n\r\n"
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled)
	for _, tc := range []struct{ name, head, body string }{
		{"Content-Length, all sent", fmt.Sprintf("Content-Length: %d\r\n", len(smuggled)), smuggled},
		{"Content-Length, more announced", fmt.Sprintf("Content-Length: %d\r\n", len(smuggled)+100), smuggled},
		{"chunked", "Transfer-Encoding: chunked\r\n", chunked},
		{"chunked and Content-Length", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", chunked},
	} {
		for _, closing := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/origin closes %v", tc.name, closing), func(t *testing.T) {
				origin := earlyOrigin(t, closing)
				addr, _ := serveOn(t, &server.Config{}, nil)
				for range 20 {
					c := dial(t, addr)
					send(t, c, []byte("POST http://"+origin+"/ HTTP/1.1\r\nHost: "+origin+"\r\n"+tc.head+"\r\n"+tc.body))
					if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
						io.Copy(io.Discard, resp.Body)
					}
					c.Close()
				}
				if n := reached.Load(); n != 0 {
					t.Fatalf("the request inside the body reached its target %d times", n)
				}
			})
		}
	}
}

// TestHTTPKeepAliveRequestsAreRows: each request on a keep-alive
// connection is a row while it runs, and the connection stays in the table
// between requests, so that Close all ends it.
func TestHTTPKeepAliveRequestsAreRows(t *testing.T) {
	release := make(chan struct{})
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, r.URL.Path)
	}))
	t.Cleanup(origin.Close)
	host := origin.Listener.Addr().String()
	addr, _, table := serveTable(t, &server.Config{}, nil)
	c := dial(t, addr)
	br := bufio.NewReader(c)

	var ids []uint64
	for _, path := range []string{"/one", "/two", "/three"} {
		send(t, c, []byte("GET http://"+host+path+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n"))
		row := waitRow(t, table, func(r stats.ConnStat) bool { return !r.Replied })
		if row.Command != "HTTP GET" || row.Dest != host {
			t.Errorf("row while %s runs: %q to %q", path, row.Command, row.Dest)
		}
		ids = append(ids, row.ID)
		release <- struct{}{}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != path {
			t.Fatalf("response %q, want %q", body, path)
		}
		if n := len(table.Snapshot().Conns); n != 1 {
			t.Fatalf("%d rows between requests, want the connection's one", n)
		}
	}
	if ids[0] == ids[1] || ids[1] == ids[2] {
		t.Errorf("row ids %v: want one row per request", ids)
	}
	if n := table.CloseAll(); n != 1 {
		t.Fatalf("CloseAll closed %d, want 1", n)
	}
	expectClosed(t, c)
}

func waitRow(t *testing.T, table *stats.Table, ok func(stats.ConnStat) bool) stats.ConnStat {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if rows := table.Snapshot().Conns; len(rows) == 1 && ok(rows[0]) {
			return rows[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no such row: %+v", table.Snapshot().Conns)
	return stats.ConnStat{}
}

// TestHTTPForwarderHoldsOneOutboundConnection: keep-alive requests to many
// origins over one client connection leave at most one outbound
// connection open, so MaxConns bounds the outbound side too.
func TestHTTPForwarderHoldsOneOutboundConnection(t *testing.T) {
	var open atomic.Int32
	count := func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	var hosts []string
	for range 30 {
		o := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
		o.Config.ConnState = count
		o.Start()
		t.Cleanup(o.Close)
		hosts = append(hosts, o.Listener.Addr().String())
	}
	addr, _ := serveOn(t, &server.Config{MaxConns: 1}, nil)
	c := dial(t, addr)
	br := bufio.NewReader(c)
	for round := range 2 {
		for _, host := range hosts {
			send(t, c, []byte("GET http://"+host+"/ HTTP/1.1\r\nHost: "+host+"\r\n\r\n"))
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("round %d, %s: %v %v", round, host, resp, err)
			}
			io.Copy(io.Discard, resp.Body)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for open.Load() > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := open.Load(); n > 1 {
		t.Fatalf("%d outbound connections open for one client connection, want at most 1", n)
	}
}

// TestHTTPEveryHeadHasTheHandshakeDeadline: a second request whose head
// never ends is answered 408 like the first would be, even with no idle
// timeout.
func TestHTTPEveryHeadHasTheHandshakeDeadline(t *testing.T) {
	origin := earlyOrigin(t, false)
	addr, _ := serveOn(t, &server.Config{HandshakeTimeout: 300 * time.Millisecond}, nil)
	c := dial(t, addr)
	br := bufio.NewReader(c)
	send(t, c, []byte("GET http://"+origin+"/ HTTP/1.1\r\nHost: x\r\n\r\n"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	// Idle between requests for longer than the handshake timeout: allowed.
	time.Sleep(500 * time.Millisecond)
	send(t, c, []byte("GET http://"+origin+"/ HTTP/1.1\r\nX-Slow: "))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("second head never answered: %v", err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", resp.StatusCode)
	}
}

// TestHTTPForwardCountsBothWays: a forwarded request counts, up, every
// byte the origin received (the request head included, not only a body),
// and, down, every byte the client received.
func TestHTTPForwardCountsBothWays(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	received := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var n atomic.Int64
		if _, err := http.ReadRequest(bufio.NewReader(countingReader{c, &n})); err != nil {
			return
		}
		received <- n.Load()
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	}()
	addr, _, table := serveTable(t, &server.Config{}, nil)
	c := dial(t, addr)
	host := ln.Addr().String()
	send(t, c, []byte("GET http://"+host+"/x HTTP/1.1\r\nHost: "+host+"\r\nUser-Agent: test\r\n\r\n"))
	got, err := io.ReadAll(c)
	if err != nil || !strings.HasSuffix(string(got), "ok") {
		t.Fatalf("response %q, %v", got, err)
	}
	up := <-received
	if tot := drained(table); tot.Up != up || tot.Down != int64(len(got)) {
		t.Errorf("counted %d up, %d down; the origin received %d, the client %d", tot.Up, tot.Down, up, len(got))
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}
