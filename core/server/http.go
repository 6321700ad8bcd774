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

// errKeepAliveEnd is a client closing between requests: every request
// was logged already.
var errKeepAliveEnd = errors.New("client closed between requests")

var errHTTPHeadTooLarge = errors.New("HTTP request head too large")

// headLimiter lets http.ReadRequest read at most maxHTTPHead bytes of a
// head (plus what bufio reads ahead) before it fails.
type headLimiter struct {
	r      io.Reader
	budget int
}

func (h *headLimiter) Read(p []byte) (int, error) {
	if h.budget <= 0 {
		return 0, errHTTPHeadTooLarge
	}
	if len(p) > h.budget {
		p = p[:h.budget]
	}
	n, err := h.r.Read(p)
	h.budget -= n
	return n, err
}

// serveHTTP serves HTTP proxy requests: CONNECT tunnels, and plain
// requests with an absolute URL, forwarded one by one over the route (the
// connection may carry several, to different hosts).
func (ss *session) serveHTTP(m *msgReader) error {
	ss.answer = answerHTTP
	// The reader outlives the pooled buffer: copy what it holds.
	read := bytes.NewReader(append([]byte(nil), m.buffered()...))
	m.release()
	lim := &headLimiter{r: io.MultiReader(read, ss.conn), budget: maxHTTPHead}
	br := bufio.NewReaderSize(lim, 4096)
	var fwd *forwarder
	defer func() {
		if fwd != nil {
			fwd.close()
		}
	}()
	for first := true; ; first = false {
		lim.budget = maxHTTPHead
		if !first {
			// Between requests the connection may idle like any other.
			ss.conn.SetReadDeadline(idleDeadline(ss.cfg))
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			if !first && (errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)) {
				return errKeepAliveEnd
			}
			return ss.httpBadRequest(err)
		}
		lim.budget = 1 << 62 // the body is not the head
		if ss.user, err = ss.httpAuth(req); err != nil {
			return err
		}
		if req.Method == http.MethodConnect {
			return ss.httpConnect(req, br)
		}
		if fwd == nil {
			fwd = newForwarder(ss)
		}
		keep, err := fwd.forward(req)
		if err != nil || !keep {
			return err
		}
		// One log line and one table row per request.
		ss.log(nil)
		ss.rec, ss.code, ss.label, ss.req = nil, 0, "", socks5.Request{}
		ss.start = time.Now()
		ss.conn.SetDeadline(time.Time{})
	}
}

func idleDeadline(cfg *Config) time.Time {
	if cfg.IdleTimeout > 0 {
		return time.Now().Add(cfg.IdleTimeout)
	}
	return time.Time{}
}

// httpBadRequest answers a request that could not be read: 408 when the
// client was too slow, 431 when the head was too large, 400 otherwise.
func (ss *session) httpBadRequest(err error) error {
	status := http.StatusBadRequest
	var ne net.Error
	switch {
	case errors.Is(err, errHTTPHeadTooLarge):
		status = http.StatusRequestHeaderFieldsTooLarge
	case errors.As(err, &ne) && ne.Timeout():
		status = http.StatusRequestTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("http request: %w", err)
	}
	ss.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	writeHTTPStatus(ss.conn, status, "")
	return fmt.Errorf("http request: %w", err)
}

// httpAuth checks Proxy-Authorization when a password is configured and
// answers 407 when it is missing or wrong.
func (ss *session) httpAuth(req *http.Request) (string, error) {
	creds := ss.creds
	if creds == nil {
		return "", nil
	}
	user, pass, ok := parseProxyBasic(req.Header.Get("Proxy-Authorization"))
	if ok && creds.match(socks5.UserPass{Username: user, Password: pass}) {
		return user, nil
	}
	writeHTTPStatus(ss.conn, http.StatusProxyAuthRequired, "Proxy-Authenticate: Basic realm=\"Sockstray\"\r\n")
	if ok {
		return user, errAuthFailed
	}
	return "", errors.New("HTTP proxy request without credentials")
}

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

// httpConnect opens a tunnel: dial, answer 200, relay.
func (ss *session) httpConnect(req *http.Request, br *bufio.Reader) error {
	ss.label = "HTTP CONNECT"
	ss.req.Command = socks5.CmdConnect
	addr, err := socks5.ParseAddr(req.Host)
	if err != nil {
		writeHTTPStatus(ss.conn, http.StatusBadRequest, "")
		return fmt.Errorf("CONNECT %q: %w", req.Host, err)
	}
	ss.req.Addr = addr
	// Bytes the client sent after the head already sit in br.
	pending, _ := br.Peek(br.Buffered())
	return ss.connect(append([]byte(nil), pending...))
}

// answerHTTP answers a CONNECT: 200 on success, else the status the
// failure maps to.
func answerHTTP(ss *session, err error, _ net.Addr) error {
	if err == nil {
		_, werr := io.WriteString(ss.conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		return werr
	}
	return writeHTTPStatus(ss.conn, httpStatusFor(err), "")
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
