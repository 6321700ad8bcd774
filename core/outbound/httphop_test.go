package outbound

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// pipeProxy is the far end of a net.Pipe playing an HTTP proxy: it reads
// one request head, hands it to answer, and hangs up when answer returns.
// A pipe delivers each Write whole to one Read, so what answer writes in
// one call reaches the client's bufio.Reader at once, deterministically.
type pipeProxy struct {
	client net.Conn
	mu     sync.Mutex
	req    *http.Request
}

func startPipeProxy(t *testing.T, answer func(c net.Conn)) *pipeProxy {
	t.Helper()
	client, srv := net.Pipe()
	p := &pipeProxy{client: client}
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, err := http.ReadRequest(bufio.NewReader(srv))
		if err != nil {
			return
		}
		p.mu.Lock()
		p.req = req
		p.mu.Unlock()
		answer(srv)
		srv.Close()
	}()
	t.Cleanup(func() {
		client.Close()
		srv.Close()
		<-done
	})
	return p
}

func (p *pipeProxy) request() *http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.req
}

// writeThen answers with msg in one write, then passes on what comes.
func writeThen(msg string) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := io.WriteString(c, msg); err == nil {
			io.Copy(c, c)
		}
	}
}

var httpHop = Upstream{Kind: HTTP, Addr: "proxy.test:3128"}

func connectVia(t *testing.T, u Upstream, p *pipeProxy, ctx context.Context, dst socks5.Addr) (net.Conn, error) {
	t.Helper()
	c, err := u.connect(ctx, p.client, dst)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestHTTPConnectRequest(t *testing.T) {
	alice := httpHop
	alice.Username, alice.Password = "alice", "pa:ss wörd"
	for _, tc := range []struct {
		name, target, auth string
		hop                Upstream
		dst                socks5.Addr
	}{
		{"name stays a name", "example.org:443", "", httpHop, socks5.Addr{Name: "example.org", Port: 443}},
		{"IPv6", "[2001:db8::1]:8443", "", httpHop, mustAddr(t, "[2001:db8::1]:8443")},
		{"basic auth", "192.0.2.1:80", "alice:pa:ss wörd", alice, mustAddr(t, "192.0.2.1:80")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPipeProxy(t, writeThen("HTTP/1.1 200 Connection established\r\n\r\n"))
			c, err := connectVia(t, tc.hop, p, context.Background(), tc.dst)
			if err != nil {
				t.Fatal(err)
			}
			if c != p.client {
				t.Errorf("conn is %T, want the hop's conn unwrapped", c)
			}
			echoOnce(t, c, "through the tunnel")
			r := p.request()
			if r.Method != "CONNECT" || r.RequestURI != tc.target || r.Host != tc.target {
				t.Errorf("request %s %s Host %s, want CONNECT %s", r.Method, r.RequestURI, r.Host, tc.target)
			}
			user, pass, ok := (&http.Request{Header: http.Header{"Authorization": r.Header["Proxy-Authorization"]}}).BasicAuth()
			if got := user + ":" + pass; ok != (tc.auth != "") || ok && got != tc.auth {
				t.Errorf("Proxy-Authorization %q, want Basic %q", r.Header.Get("Proxy-Authorization"), tc.auth)
			}
		})
	}
}

func TestHTTPConnectEarlyBytes(t *testing.T) {
	for _, tc := range []struct{ name, answer string }{
		{"bytes after the head", "HTTP/1.1 200 OK\r\n\r\nhello"},
		// RFC 9110: a 2xx to CONNECT has no content, Content-Length or not.
		{"content length ignored", "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nhello"},
		{"interim answer, bare LF", "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nX: y\n\nhello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPipeProxy(t, writeThen(tc.answer))
			c, err := connectVia(t, httpHop, p, context.Background(), mustAddr(t, "192.0.2.1:80"))
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			got := make([]byte, 5)
			if _, err := io.ReadFull(c, got); err != nil || string(got) != "hello" {
				t.Fatalf("first bytes %q, %v; want %q", got, err, "hello")
			}
			echoOnce(t, c, "and then the rest")
			if _, ok := c.(interface{ CloseWrite() error }); !ok {
				t.Errorf("%T cannot half-close", c)
			}
		})
	}
}

func TestHTTPConnectRefused(t *testing.T) {
	const secret = "hunter2-secret"
	alice := httpHop
	alice.Username, alice.Password = "alice", secret
	for _, tc := range []struct {
		hop     Upstream
		answer  string
		reply   socks5.Reply
		is      error
		message string
	}{
		{httpHop, "HTTP/1.1 403 Forbidden\r\n\r\n", socks5.ReplyNotAllowed, nil, "proxy answered 403 Forbidden"},
		{httpHop, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", socks5.ReplyHostUnreachable, nil, "proxy answered 502 Bad Gateway"},
		{httpHop, "HTTP/1.1 503 Service Unavailable\r\n\r\n", socks5.ReplyHostUnreachable, nil, "503"},
		{httpHop, "HTTP/1.1 504 Gateway Timeout\r\n\r\n", socks5.ReplyTTLExpired, nil, "504"},
		{httpHop, "HTTP/1.1 501 Not Implemented\r\n\r\n", socks5.ReplyCommandNotSupported, nil, "501"},
		{httpHop, "HTTP/1.1 500 Unable to connect\r\n\r\n", socks5.ReplyGeneralFailure, nil, "proxy answered 500 Unable to connect"},
		{httpHop, "HTTP/1.1 418 \x1b[31mteapot\r\n\r\n", socks5.ReplyGeneralFailure, nil, "proxy answered 418 ?[31mteapot"},
		{alice, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
			socks5.ReplyGeneralFailure, ErrAuthFailed, `proxy answered 407 Proxy Authentication Required: authentication failed (user "alice")`},
		{alice, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\n\r\n",
			socks5.ReplyGeneralFailure, ErrAuthFailed, `(user "alice"; proxy asks for NTLM, Negotiate)`},
		{alice, "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Tinyproxy\"\r\n\r\n",
			socks5.ReplyGeneralFailure, ErrAuthFailed, `proxy answered 401 Unauthorized: authentication failed (user "alice")`},
		{httpHop, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
			socks5.ReplyGeneralFailure, ErrNoAcceptableAuth, "no acceptable authentication method (no username configured)"},
	} {
		t.Run(tc.answer[9:12], func(t *testing.T) {
			p := startPipeProxy(t, writeThen(tc.answer))
			_, err := connectVia(t, tc.hop, p, context.Background(), socks5.Addr{Name: "example.org", Port: 443})
			if err == nil {
				t.Fatal("connect succeeded")
			}
			var se *StatusError
			if got := socks5.ReplyFor(err); got != tc.reply || !errors.As(err, &se) ||
				tc.is != nil && !errors.Is(err, tc.is) ||
				!strings.HasPrefix(err.Error(), "connect example.org:443: proxy answered ") ||
				!strings.Contains(err.Error(), tc.message) || strings.Contains(err.Error(), secret) {
				t.Errorf("error %q, reply %v; want reply %v, wrapping %v, saying %q", err, got, tc.reply, tc.is, tc.message)
			}
		})
	}
}

func TestHTTPConnectBrokenAnswers(t *testing.T) {
	huge := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Padding: "+strings.Repeat("x", 100)+"\r\n", 200) + "\r\n"
	for _, tc := range []struct {
		name   string
		answer func(net.Conn)
		is     error
		says   string
	}{
		{"oversized head", writeThen(huge), ErrHeadTooLarge, "connect 192.0.2.1:80: response header: response head too large"},
		{"one endless line", writeThen("HTTP/1.1 200 " + strings.Repeat("x", maxHead+10)), ErrHeadTooLarge, "too large"},
		{"closed mid-head", func(c net.Conn) { io.WriteString(c, "HTTP/1.1 200 OK\r\nVia: 1") }, io.ErrUnexpectedEOF, "response header: unexpected EOF"},
		{"closed at once", func(net.Conn) {}, io.ErrUnexpectedEOF, "connect 192.0.2.1:80: response: unexpected EOF"},
		{"not HTTP", writeThen("SSH-2.0-OpenSSH_9.2\r\n"), nil, `not an HTTP/1 status line: "SSH-2.0-OpenSSH_9.2"`},
		{"101 is not a tunnel", writeThen("HTTP/1.1 101 Switching Protocols\r\n\r\n"), nil, "proxy answered 101"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPipeProxy(t, tc.answer)
			_, err := connectVia(t, httpHop, p, context.Background(), mustAddr(t, "192.0.2.1:80"))
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v: want %v, saying %q", err, tc.is, tc.says)
			}
		})
	}
}

func TestHTTPConnectContext(t *testing.T) {
	stall := func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 200 Conn")
		io.Copy(io.Discard, c) // until the client gives up and closes
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := connectVia(t, httpHop, startPipeProxy(t, stall), ctx, mustAddr(t, "192.0.2.1:80"))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(fmt.Sprint(err), "connect 192.0.2.1:80: ") {
		t.Errorf("error %v: want context.Canceled at the connect step", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = connectVia(t, httpHop, startPipeProxy(t, stall), ctx, mustAddr(t, "192.0.2.1:80"))
	if got := socks5.ReplyFor(err); got != socks5.ReplyTTLExpired {
		t.Errorf("ReplyFor(%v) = %v, want TTL expired", err, got)
	}

	// A tunnel outlives the context it was set up under.
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	c, err := connectVia(t, httpHop, startPipeProxy(t, writeThen("HTTP/1.1 200 OK\r\n\r\n")), ctx, mustAddr(t, "192.0.2.1:80"))
	if err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	echoOnce(t, c, "after the deadline")
}

func TestHTTPConnectRefusesOddNames(t *testing.T) {
	for _, name := range []string{"evil.test\r\nX-Injected: 1", "a b", "host/path", "user@host"} {
		p := startPipeProxy(t, writeThen("HTTP/1.1 200 OK\r\n\r\n"))
		if _, err := connectVia(t, httpHop, p, context.Background(), socks5.Addr{Name: name, Port: 80}); err == nil {
			t.Errorf("connect to %q succeeded", name)
		}
	}
	alice := httpHop
	alice.Username = "al:ice"
	if _, err := connectVia(t, alice, startPipeProxy(t, writeThen("")), context.Background(), mustAddr(t, "192.0.2.1:80")); err == nil {
		t.Error("a username with a colon was sent")
	}
}

func TestUpstreamHidesSecrets(t *testing.T) {
	u := Upstream{Kind: HTTPS, Addr: "proxy.test:443", Username: "alice", Password: "hunter2", TLS: &tls.Config{}}
	for _, s := range []string{u.String(), fmt.Sprintf("%v %+v %#v", u, u, u)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "Config{") {
			t.Errorf("%q shows a secret", s)
		}
	}
	if got, want := u.String(), "https://alice@proxy.test:443"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// An HTTP proxy carries streams only: UDP is refused before any dial,
// whichever hop of the chain it is.
func TestChainUDPRefusesHTTPHops(t *testing.T) {
	for _, hops := range [][]Upstream{
		{{Kind: HTTP, Addr: closedPort(t)}},
		{{Addr: closedPort(t)}, {Kind: HTTPS, Addr: "proxy.test:443"}},
	} {
		pc, err := (&Chain{Hops: hops, Forward: noLocalDNS(t)}).ListenPacket(context.Background())
		if err == nil {
			pc.Close()
			t.Fatalf("UDP through %v: no error", hops)
		}
		if got := socks5.ReplyFor(err); got != socks5.ReplyCommandNotSupported {
			t.Errorf("ReplyFor(%v) = %v, want command not supported", err, got)
		}
	}
}

func TestHTTPSHandshakeContext(t *testing.T) {
	client, srv := net.Pipe()
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, srv); close(done) }() // never answers the ClientHello
	t.Cleanup(func() { srv.Close(); <-done })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Upstream{Kind: HTTPS, Addr: "proxy.test:443"}.connect(ctx, client, mustAddr(t, "192.0.2.1:80"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(fmt.Sprint(err), "tls handshake: ") ||
		socks5.ReplyFor(err) != socks5.ReplyTTLExpired {
		t.Errorf("error %v: want the context's deadline at the TLS handshake", err)
	}
}
