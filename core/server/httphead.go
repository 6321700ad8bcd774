package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

var errHTTPHeadTooLarge = errors.New("HTTP request head too large")

// headLimiter lets http.ReadRequest read at most budget bytes of a head
// (plus what bufio reads ahead) before it fails.
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

// httpBadRequest answers a request head that could not be read: 408 when
// the client was too slow, 431 when the head was too large, 400
// otherwise. The error it returns says what was wrong without quoting the
// head: a malformed Proxy-Authorization line holds credentials.
func (cl *client) httpBadRequest(err error) error {
	status := http.StatusBadRequest
	var ne net.Error
	switch {
	case errors.Is(err, errHTTPHeadTooLarge):
		status = http.StatusRequestHeaderFieldsTooLarge
	case errors.As(err, &ne) && ne.Timeout():
		status = http.StatusRequestTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return fmt.Errorf("http request: %w", err)
	default:
		err = headProblem(err)
	}
	cl.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	writeHTTPStatus(cl.conn, status, "")
	return fmt.Errorf("http request: %w", err)
}

// errBadHead is a request head net/http could not parse.
var errBadHead = errors.New("malformed request head")

// headProblems are the kinds of error net/http reports while reading a
// head, in its own words, each of which it follows with the offending
// bytes.
var headProblems = []string{
	"malformed MIME header: missing colon",
	"malformed MIME header line",
	"malformed MIME header initial line",
	"malformed HTTP request",
	"malformed HTTP version",
	"malformed HTTP response",
	"invalid header field name",
	"invalid header field value",
	"too many transfer encodings",
	"unsupported transfer encoding",
	"invalid Transfer-Encoding",
	"bad Content-Length",
	"invalid Content-Length",
	"missing required Host header",
	"too many Host headers",
	"malformed MIME header",
}

// headProblem names what was wrong with a head, never the bytes.
func headProblem(err error) error {
	msg := err.Error()
	for _, p := range headProblems {
		if strings.Contains(msg, p) {
			return fmt.Errorf("%w: %s (not logged: it may hold credentials)", errBadHead, p)
		}
	}
	return errBadHead
}
