package server

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// maxHTTPHead bounds a request's line and headers: a client that sends
// more is answered 431 and closed.
const maxHTTPHead = 16 << 10

// isHTTPMethodStart reports whether b can begin an HTTP method (CONNECT,
// GET, POST, …): an upper-case letter.
func isHTTPMethodStart(b byte) bool { return b >= 'A' && b <= 'Z' }

// serveHTTP serves HTTP proxy requests on one connection: CONNECT tunnels,
// and plain requests with an absolute URL, forwarded one after another
// (the connection may carry several, to different hosts). Each request is
// authenticated and admitted under the config in force when it arrives,
// and is a row in the table from its start until the next request starts
// or the connection ends, so that an idle keep-alive connection can still
// be seen and closed.
//
// This goroutine is the connection's one reader. It lends the reader to
// the forwarder for a request's body and reads the next request only once
// the body was read to its end; a body it cannot finish ends the
// connection.
func (cl *client) serveHTTP(m *msgReader) (*tunnel, error) {
	// The reader outlives the pooled buffer: copy what it holds.
	early := bytes.NewReader(append([]byte(nil), m.buffered()...))
	m.release()
	lim := &headLimiter{r: io.MultiReader(early, cl.conn)}
	br := bufio.NewReaderSize(lim, 4096)
	fw := &forwarder{cl: cl}
	defer fw.close()
	var x *exchange
	defer func() {
		if x != nil {
			x.done()
		}
	}()
	for first := true; ; first = false {
		cur, req, err := cl.readHTTPHead(br, lim, first)
		if err != nil {
			return nil, err
		}
		if req.URL.Path == pacPath && req.URL.Host == "" {
			return nil, cl.servePAC(cur, req)
		}
		user, err := cl.httpLogin(cur, req)
		if err != nil {
			return nil, err
		}
		dst, err := httpTarget(req)
		if err != nil {
			writeHTTPStatus(cl.conn, http.StatusBadRequest, "")
			return nil, err
		}
		if x != nil {
			x.done()
		}
		x = cl.begin(cur, user, "HTTP "+req.Method, dst)
		if req.Method == http.MethodConnect {
			fw.close()
			// Bytes the client sent after the head already sit in br.
			pending, _ := br.Peek(br.Buffered())
			t, err := x.connect(cl.replyHTTP, append([]byte(nil), pending...))
			x = nil // the tunnel or the failure ended it
			return t, err
		}
		keep, err := fw.forward(x, req)
		x.log(err)
		if err != nil || !keep {
			return nil, errEnded
		}
	}
}

// readHTTPHead reads the next request's head, and returns it with the
// config in force when it began. Before the first byte the connection may
// idle as any other (the first request's wait is the handshake's); from
// the first byte the head has the handshake deadline.
func (cl *client) readHTTPHead(br *bufio.Reader, lim *headLimiter, first bool) (*served, *http.Request, error) {
	if !first {
		cl.conn.SetReadDeadline(idleDeadline(cl.srv.current().cfg))
		if _, err := br.Peek(1); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				return nil, nil, errEnded
			}
			return nil, nil, fmt.Errorf("waiting for the next request: %w", err)
		}
	}
	cur := cl.srv.current()
	if !first {
		cl.conn.SetDeadline(time.Now().Add(cur.cfg.handshakeTimeout()))
	}
	lim.budget = maxHTTPHead
	req, err := http.ReadRequest(br)
	lim.budget = 1 << 62 // the body is not the head
	if err != nil {
		return nil, nil, cl.httpBadRequest(err)
	}
	// The body, read while the request is forwarded, may take as long as
	// any relayed data.
	cl.conn.SetReadDeadline(idleDeadline(cur.cfg))
	return cur, req, nil
}

func idleDeadline(cfg *Config) time.Time {
	if cfg.IdleTimeout > 0 {
		return time.Now().Add(cfg.IdleTimeout)
	}
	return time.Time{}
}

// httpTarget is where a request goes: CONNECT's authority, or the host of
// a plain request's absolute http:// URL (port 80 by default).
func httpTarget(req *http.Request) (socks5.Addr, error) {
	host := req.Host
	if req.Method != http.MethodConnect {
		if req.URL.Scheme != "http" || req.URL.Host == "" {
			return socks5.Addr{}, fmt.Errorf("HTTP %s: a proxy request needs an absolute http:// URL", req.Method)
		}
		host = req.URL.Host
		if req.URL.Port() == "" {
			host = net.JoinHostPort(req.URL.Hostname(), "80")
		}
	}
	dst, err := socks5.ParseAddr(host)
	if err != nil {
		return socks5.Addr{}, fmt.Errorf("HTTP %s: host %q: %w", req.Method, host, err)
	}
	return dst, nil
}

// httpLogin checks Proxy-Authorization when the config asks for a
// password, answers 407 when it is missing or wrong, and admits the
// client under the config in force.
func (cl *client) httpLogin(cur *served, req *http.Request) (string, error) {
	if cur.creds == nil {
		if err := cl.srv.admit(cl.conn, nil); err != nil {
			writeHTTPStatus(cl.conn, http.StatusForbidden, "")
			return "", err
		}
		return "", nil
	}
	user, pass, ok := parseProxyBasic(req.Header.Get("Proxy-Authorization"))
	if !ok {
		writeHTTPStatus(cl.conn, http.StatusProxyAuthRequired, proxyAuthenticate)
		return "", errors.New("HTTP proxy request without credentials")
	}
	if _, err := cl.login(cur, socks5.UserPass{Username: user, Password: pass}); err != nil {
		writeHTTPStatus(cl.conn, http.StatusProxyAuthRequired, proxyAuthenticate)
		return "", err
	}
	return user, nil
}

const proxyAuthenticate = "Proxy-Authenticate: Basic realm=\"Sockstray\"\r\n"

func parseProxyBasic(h string) (user, pass string, ok bool) {
	const prefix = "Basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", "", false
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(dec), ":")
	return user, pass, ok && user != ""
}

// replyHTTP answers a CONNECT: 200 on success, else the status the
// failure maps to.
func (cl *client) replyHTTP(err error, _ net.Addr) error {
	if err == nil {
		_, werr := io.WriteString(cl.conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		return werr
	}
	return writeHTTPStatus(cl.conn, httpStatusFor(err), "")
}

// httpStatusFor maps a failure, through its SOCKS5 reply code, to an
// HTTP status: one mapping for all protocols.
func httpStatusFor(err error) int {
	switch socks5.ReplyFor(err) {
	case socks5.ReplyNotAllowed:
		return http.StatusForbidden
	case socks5.ReplyTTLExpired:
		return http.StatusGatewayTimeout
	case socks5.ReplyCommandNotSupported, socks5.ReplyAddressTypeNotSupported:
		return http.StatusNotImplemented
	}
	return http.StatusBadGateway
}

// writeHTTPStatus writes a short response that closes the connection.
func writeHTTPStatus(w io.Writer, status int, extra string) error {
	body := strconv.Itoa(status) + " " + http.StatusText(status) + "\n"
	_, err := fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n%sContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), extra, len(body), body)
	return err
}
