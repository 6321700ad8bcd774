package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	// responseHeaderTimeout bounds the wait for an origin server's answer.
	responseHeaderTimeout = 2 * time.Minute
	// bodyGrace is how long a request body may still flow after its
	// response was sent before the connection is ended instead.
	bodyGrace = 5 * time.Second
)

// forwarder sends plain HTTP proxy requests (GET http://host/…) on through
// the route for one client connection. It holds at most one outbound
// connection, kept alive for the next request to the same destination and
// closed when a request goes elsewhere: one client connection never holds
// more than one outbound connection, so MaxConns bounds both.
type forwarder struct {
	cl   *client
	conn net.Conn      // to the origin, or nil
	br   *bufio.Reader // reads conn
	key  string        // the destination and route conn was dialed for
}

func (f *forwarder) close() {
	if f.conn != nil {
		f.conn.Close()
		f.conn, f.br, f.key = nil, nil, ""
	}
}

// forward sends one request on and its response back, and reports whether
// the client connection may carry another.
func (f *forwarder) forward(x *exchange, req *http.Request) (keep bool, err error) {
	prepareOutbound(req)
	_, down := x.counters()
	body := &requestBody{r: req.Body, eof: req.Body == nil || req.Body == http.NoBody}
	if !body.eof {
		req.Body = body
	}
	resp, sent, err := f.roundTrip(x, req)
	if err != nil {
		x.settle(err)
		writeHTTPStatus(f.cl.conn, httpStatusFor(err), "")
		return false, err
	}
	x.settle(nil)
	keep = !req.Close && !resp.Close && knownLength(resp)
	resp.Close = !keep
	stripHopByHop(resp.Header)
	f.cl.conn.SetWriteDeadline(time.Time{})
	f.conn.SetReadDeadline(idleDeadline(x.cur.cfg))
	werr := resp.Write(countingWriter{f.cl.conn, down})
	resp.Body.Close()
	if berr := f.takeBack(sent); berr != nil && werr == nil {
		werr = fmt.Errorf("request body: %w", berr)
	}
	if !body.eof && werr == nil {
		werr = errors.New("request body: the origin answered before reading all of it")
	}
	if werr != nil || !keep {
		f.close()
	}
	if werr != nil {
		return false, fmt.Errorf("HTTP response: %w", werr)
	}
	return keep, nil
}

// roundTrip sends req over the outbound connection, redialed once if a
// kept-alive one turns out to be closed by the origin, and reads the
// response head. The request goes out on its own goroutine, which reads
// the body from the client while the response is read here; sent reports
// when it is done and the client connection has one reader again. What
// goes out, head and body, counts up, as the response counts down.
func (f *forwarder) roundTrip(x *exchange, req *http.Request) (*http.Response, <-chan error, error) {
	up, _ := x.counters()
	for attempt := 0; ; attempt++ {
		reused, err := f.reach(x)
		if err != nil {
			return nil, nil, err
		}
		sent := make(chan error, 1)
		go func(conn net.Conn) { sent <- req.Write(countingWriter{conn, up}) }(f.conn)
		resp, err := f.readResponse(req)
		if err == nil {
			return resp, sent, nil
		}
		bodyless := req.Body == nil || req.Body == http.NoBody
		if bodyless {
			f.close() // the sender only writes to the origin
			<-sent
		} else {
			f.abandon(sent)
			f.close()
		}
		if !reused || !bodyless || attempt > 0 || !staleConn(err) {
			return nil, nil, fmt.Errorf("HTTP %s %v via %v: %w", req.Method, x.dst, x.route, err)
		}
	}
}

// reach makes sure the forwarder holds a connection to the request's
// destination, dialed under the request's config, and reports whether it
// was kept from an earlier request.
func (f *forwarder) reach(x *exchange) (reused bool, err error) {
	key := fmt.Sprintf("%p %v", x.route, x.dst)
	if f.conn != nil && f.key == key {
		return true, nil
	}
	f.close()
	c, err := x.dial(x.dst)
	if err != nil {
		return false, err
	}
	f.conn, f.br, f.key = c, bufio.NewReader(c), key
	return false, nil
}

// readResponse reads the final response to req, passing interim (1xx)
// responses such as 100 Continue on to the client.
func (f *forwarder) readResponse(req *http.Request) (*http.Response, error) {
	f.conn.SetReadDeadline(time.Now().Add(responseHeaderTimeout))
	for {
		resp, err := http.ReadResponse(f.br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			if resp.StatusCode == http.StatusSwitchingProtocols {
				resp.Body.Close()
				return nil, errors.New("origin switched protocols without being asked to")
			}
			return resp, nil
		}
		if err := resp.Write(f.cl.conn); err != nil {
			return nil, err
		}
	}
}

// takeBack waits until the request's sender is done with the client
// connection. A body still flowing bodyGrace after its response is
// abandoned, and the error tells the caller to end the connection.
func (f *forwarder) takeBack(sent <-chan error) error {
	t := time.NewTimer(bodyGrace)
	defer t.Stop()
	select {
	case err := <-sent:
		return err
	case <-t.C:
	}
	f.abandon(sent)
	return errors.New("abandoned: the client was still sending it after the response")
}

// abandon stops the sender by pulling the deadlines of both connections it
// uses into the past, and waits for it. The client connection is then
// unusable for further requests.
func (f *forwarder) abandon(sent <-chan error) {
	f.cl.conn.SetReadDeadline(time.Now())
	if f.conn != nil {
		f.conn.SetWriteDeadline(time.Now())
	}
	<-sent
}

// staleConn is the error of a kept-alive connection the origin had closed.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// knownLength reports whether the response's end can be told without the
// connection closing.
func knownLength(resp *http.Response) bool {
	return resp.ContentLength >= 0 || len(resp.TransferEncoding) > 0 ||
		resp.Request.Method == http.MethodHead || !bodyAllowed(resp.StatusCode)
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

// prepareOutbound turns a proxy request into the request to the origin:
// origin-form target, no hop-by-hop headers, and no User-Agent added when
// the client sent none.
func prepareOutbound(req *http.Request) {
	req.RequestURI = ""
	stripHopByHop(req.Header)
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = []string{""}
	}
}

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

// requestBody is a request's body as the sender reads it from the client,
// known to have been read to its end or not. Closing it does
// not drain the rest from the client (net/http's body would): a body the
// origin did not want ends the connection instead.
type requestBody struct {
	r   io.Reader
	eof bool
}

func (b *requestBody) Read(p []byte) (int, error) {
	k, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return k, err
}

func (b *requestBody) Close() error { return nil }

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
