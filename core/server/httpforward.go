package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
)

// responseHeaderTimeout bounds the wait for an origin server's answer.
const responseHeaderTimeout = 2 * time.Minute

// forwarder sends plain HTTP proxy requests (GET http://host/…) on through
// the route with net/http's client, one client connection's worth.
type forwarder struct {
	ss *session
	tr *http.Transport
}

func newForwarder(ss *session) *forwarder {
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		a, err := socks5.ParseAddr(addr)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, ss.cfg.handshakeTimeout())
		defer cancel()
		if check := targetCheck(ss.cfg, ss.client.Addr()); check != nil {
			ctx = outbound.WithTargetCheck(ctx, check)
		}
		return ss.cfg.route().Dial(ctx, a)
	}
	return &forwarder{ss: ss, tr: &http.Transport{
		DialContext:           dial,
		DisableCompression:    true, // pass the origin's encoding through untouched
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: responseHeaderTimeout,
	}}
}

func (f *forwarder) close() { f.tr.CloseIdleConnections() }

// hopByHop are the headers that belong to one connection, not to the
// request (RFC 9110 section 7.6.1).
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func stripHopByHop(h http.Header) {
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range hopByHop {
		h.Del(name)
	}
}

// forward sends one request on and its response back, and reports whether
// the client connection may carry another.
func (f *forwarder) forward(req *http.Request) (keep bool, err error) {
	ss := f.ss
	ss.label = "HTTP " + req.Method
	if req.URL.Scheme != "http" || req.URL.Host == "" {
		writeHTTPStatus(ss.conn, http.StatusBadRequest, "")
		return false, fmt.Errorf("HTTP %s %q: a proxy request needs an absolute http:// URL", req.Method, req.RequestURI)
	}
	host := req.URL.Host
	if req.URL.Port() == "" {
		host = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	addr, err := socks5.ParseAddr(host)
	if err != nil {
		writeHTTPStatus(ss.conn, http.StatusBadRequest, "")
		return false, fmt.Errorf("HTTP %s: host %q: %w", req.Method, req.URL.Host, err)
	}
	ss.req = socks5.Request{Command: socks5.CmdConnect, Addr: addr}
	ss.open()
	up, down := ss.rec.Counters()
	if ss.cfg.NoCount {
		up, down = nil, nil
	}

	keep = !req.Close
	req.RequestURI = ""
	stripHopByHop(req.Header)
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = countingBody{req.Body, up}
	}
	resp, err := f.tr.RoundTrip(req)
	if err != nil {
		ss.code = socks5.ReplyFor(err)
		ss.rec.SetReply(byte(ss.code))
		ss.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
		writeHTTPStatus(ss.conn, httpStatusFor(err), "")
		return false, fmt.Errorf("HTTP %s %v via %v: %w", req.Method, addr, ss.cfg.route(), err)
	}
	defer resp.Body.Close()
	ss.code = socks5.ReplySucceeded
	ss.rec.SetReply(0)
	stripHopByHop(resp.Header)
	keep = keep && !resp.Close
	resp.Close = !keep
	ss.conn.SetWriteDeadline(time.Time{})
	if err := resp.Write(countingWriter{ss.conn, down}); err != nil {
		return false, fmt.Errorf("HTTP response: %w", err)
	}
	return keep, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	if c.n != nil {
		c.n.Add(int64(k))
	}
	return k, err
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	if c.n != nil {
		c.n.Add(int64(k))
	}
	return k, err
}
