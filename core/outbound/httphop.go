package outbound

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/sockstray/sockstray/core/socks5"
)

// maxHead bounds what we read of an HTTP proxy's answer before the tunnel
// starts: the status line and header fields, with any interim 1xx heads
// before them. Real proxies send a few hundred bytes; the bound keeps a
// broken or hostile one from making us buffer without end.
const maxHead = 16 << 10

// ErrHeadTooLarge means an HTTP proxy's response head exceeded maxHead.
var ErrHeadTooLarge = errors.New("response head too large")

// StatusError is an HTTP proxy's refusal of a CONNECT. It unwraps to the
// *socks5.ReplyError that socks5.ReplyFor turns into our client's reply:
//
//	proxy answered                    reply to our SOCKS5 client
//	403 Forbidden                     02 not allowed by ruleset
//	405, 501 (no CONNECT here)        07 command not supported
//	502 Bad Gateway                   04 host unreachable
//	503 Service Unavailable           04 host unreachable
//	504 Gateway Timeout               06 TTL expired
//	407 Proxy Auth Required, 401      01 general failure; the error also
//	                                     wraps ErrAuthFailed (credentials
//	                                     refused) or ErrNoAcceptableAuth
//	                                     (none configured)
//	anything else                     01 general failure
//
// 401 is the origin's code, but no origin can answer a CONNECT, so it is
// the proxy's: tinyproxy (1.11) sends it for wrong credentials.
//
// 502 and 503 say the proxy could not reach or resolve the destination
// (Squid answers 503 for both), which is what 04 means. A refused port
// gets no reply of its own: proxies do not tell it apart (Squid sends 503,
// tinyproxy 500 for every failed connect), so it is 04 or 01.
type StatusError struct {
	Code   int    // the status code, 100 to 999 but never 2xx
	Reason string // the proxy's reason phrase, made printable and short
}

func (e *StatusError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("proxy answered %d", e.Code)
	}
	return fmt.Sprintf("proxy answered %d %s", e.Code, e.Reason)
}

// Unwrap is the reply that stands for the status, if not general failure.
func (e *StatusError) Unwrap() error {
	var r socks5.Reply
	switch e.Code {
	case 403:
		r = socks5.ReplyNotAllowed
	case 405, 501:
		r = socks5.ReplyCommandNotSupported
	case 502, 503:
		r = socks5.ReplyHostUnreachable
	case 504:
		r = socks5.ReplyTTLExpired
	default:
		return nil
	}
	return &socks5.ReplyError{Reply: r}
}

// httpConnect asks the HTTP proxy at the other end of conn (through TLS
// first for HTTPS) for a tunnel to next. The context bounds the whole
// exchange as in Handshake. An error names the step: "tls handshake: …",
// "connect example.org:443: proxy answered 407 …".
//
// The tunnel is conn itself when the proxy sent nothing after its head, so
// that a relay over a plain HTTP hop keeps splice; bytes that did arrive
// with the head (a server that speaks first) come first from a wrapper.
func (u Upstream) httpConnect(ctx context.Context, conn net.Conn, next socks5.Addr) (net.Conn, error) {
	defer guardConn(ctx, conn)() // also bounds the TLS handshake below
	if u.Kind == HTTPS {
		tc := tls.Client(conn, u.tlsConfig())
		if err := tc.Handshake(); err != nil {
			return nil, fmt.Errorf("tls handshake: %w", ctxCause(ctx, err))
		}
		conn = tc
	}

	target, err := connectTarget(next)
	if err != nil {
		return nil, fmt.Errorf("connect %q: %w", next.Host(), err)
	}
	step := "connect " + target
	req, err := u.connectRequest(target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	if _, err := conn.Write(req); err != nil {
		return nil, fmt.Errorf("%s: %w", step, ctxCause(ctx, err))
	}
	br := bufio.NewReaderSize(conn, maxHead)
	h, err := readHead(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, ctxCause(ctx, err))
	}
	if h.code/100 != 2 {
		return nil, fmt.Errorf("%s: %w", step, u.refusal(h))
	}
	// RFC 9110: a 2xx answer to CONNECT has no content, whatever a
	// Content-Length says; all that follows the head is the tunnel's.
	if n := br.Buffered(); n > 0 {
		early, _ := br.Peek(n)
		return &earlyConn{Conn: conn, early: bytes.Clone(early)}, nil
	}
	return conn, nil
}

func (u Upstream) tlsConfig() *tls.Config {
	c := &tls.Config{}
	if u.TLS != nil {
		c = u.TLS.Clone()
	}
	if c.ServerName == "" {
		// An IP is checked against the certificate's IP addresses.
		c.ServerName, _, _ = net.SplitHostPort(u.Addr)
	}
	return c
}

// connectTarget is next as CONNECT's request target, "host:port": a name
// stays a name, for the proxy to resolve. A name goes into the request
// line and Host as it is, so a byte that could end a line or a field (a
// SOCKS5 client may send any) is refused, not passed on.
func connectTarget(next socks5.Addr) (string, error) {
	if next.Name == "" {
		return socks5.Addr{IP: next.IP.WithZone(""), Port: next.Port}.String(), nil
	}
	for i := 0; i < len(next.Name); i++ {
		c := next.Name[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_'
		if !ok {
			return "", errors.New("not a host name an HTTP proxy can be asked for")
		}
	}
	return next.String(), nil
}

// connectRequest is the CONNECT request head for target.
func (u Upstream) connectRequest(target string) ([]byte, error) {
	b := make([]byte, 0, 128)
	b = append(b, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n"...)
	if u.Username != "" {
		if strings.Contains(u.Username, ":") {
			// RFC 7617: Basic's user-id ends at the first colon.
			return nil, fmt.Errorf("username %q: Basic authentication allows no colon in it", u.Username)
		}
		b = append(b, "Proxy-Authorization: Basic "...)
		b = base64.StdEncoding.AppendEncode(b, []byte(u.Username+":"+u.Password))
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...), nil
}

// refusal is the error for a final answer other than 2xx.
func (u Upstream) refusal(h head) error {
	se := &StatusError{Code: h.code, Reason: h.reason}
	if h.code != 407 && h.code != 401 {
		return se
	}
	asks := ""
	basic := func(scheme string) bool { return strings.EqualFold(scheme, "Basic") }
	if len(h.challenges) > 0 && !slices.ContainsFunc(h.challenges, basic) {
		asks = "; proxy asks for " + strings.Join(h.challenges, ", ")
	}
	if u.Username == "" {
		return fmt.Errorf("%w: %w (no username configured%s)", se, ErrNoAcceptableAuth, asks)
	}
	return fmt.Errorf("%w: %w (user %q%s)", se, ErrAuthFailed, u.Username, asks)
}

// head is what we keep of a response head.
type head struct {
	code       int
	reason     string
	challenges []string // auth schemes asked for: "Basic", "NTLM"
}

// readHead reads response heads until a final one (not 1xx), at most
// maxHead bytes in all, and leaves r at the first byte after it.
func readHead(r *bufio.Reader) (head, error) {
	budget := maxHead
	for {
		line, err := readLine(r, &budget)
		if err != nil {
			return head{}, fmt.Errorf("response: %w", err)
		}
		h, err := parseStatus(line)
		if err != nil {
			return head{}, err
		}
		for {
			line, err := readLine(r, &budget)
			if err != nil {
				return head{}, fmt.Errorf("response header: %w", err)
			}
			if line == "" {
				break
			}
			name, value, _ := strings.Cut(line, ":")
			auth := strings.EqualFold(name, "Proxy-Authenticate") || strings.EqualFold(name, "WWW-Authenticate")
			if auth && len(h.challenges) < 4 {
				scheme, _, _ := strings.Cut(strings.TrimSpace(value), " ")
				h.challenges = append(h.challenges, printable(scheme, 20))
			}
		}
		// 101 is no interim answer: it switched to something not a tunnel.
		if h.code/100 != 1 || h.code == 101 {
			return h, nil
		}
	}
}

// readLine returns a line without its CRLF (or bare LF), charging it to
// budget. A proxy that hangs up before the head ends is io.ErrUnexpectedEOF.
func readLine(r *bufio.Reader, budget *int) (string, error) {
	line, err := r.ReadSlice('\n')
	*budget -= len(line)
	switch {
	case *budget < 0, errors.Is(err, bufio.ErrBufferFull):
		return "", fmt.Errorf("%w (over %d bytes)", ErrHeadTooLarge, maxHead)
	case err == io.EOF:
		return "", io.ErrUnexpectedEOF
	case err != nil:
		return "", err
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return string(line), nil
}

// parseStatus parses "HTTP/1.1 200 Connection established".
func parseStatus(line string) (head, error) {
	proto, rest, _ := strings.Cut(line, " ")
	code, reason, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/1.") || len(code) != 3 || err != nil || n < 100 {
		return head{}, fmt.Errorf("not an HTTP/1 status line: %q", printable(line, 64))
	}
	return head{code: n, reason: printable(strings.TrimSpace(reason), 64)}, nil
}

// printable is s, from the proxy, made safe for a log line: control bytes
// and non-ASCII become '?', and it ends after limit bytes.
func printable(s string, limit int) string {
	b := []byte(s)
	if len(b) > limit {
		b = append(b[:limit], "…"...)
	}
	for i, c := range b[:min(len(b), limit)] {
		if c < 0x20 || c >= 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

// earlyConn is a tunnel whose first bytes arrived with the proxy's answer.
type earlyConn struct {
	net.Conn
	early []byte
}

func (c *earlyConn) Read(b []byte) (int, error) {
	if len(c.early) > 0 {
		n := copy(b, c.early)
		c.early = c.early[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// CloseWrite half-closes the tunnel, which the relay needs to pass an EOF
// on; the conns a hop runs over (TCP, TLS, earlyConn) all have it.
func (c *earlyConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return fmt.Errorf("half-close over %T is not supported", c.Conn)
}
