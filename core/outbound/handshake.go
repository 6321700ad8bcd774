package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// Errors of the SOCKS5 client handshake, checked with errors.Is. Neither
// maps to a reply code of its own: the server's client gets general
// failure, since it is the server's upstream, not the client, that failed.
var (
	// ErrAuthFailed means the upstream refused the username or password.
	ErrAuthFailed = errors.New("authentication failed")
	// ErrNoAcceptableAuth means the upstream accepts none of the offered
	// authentication methods: typically it wants a username and password
	// and none is configured.
	ErrNoAcceptableAuth = errors.New("no acceptable authentication method")
)

// aLongTimeAgo is a deadline in the past: setting it makes blocked reads
// and writes return at once.
var aLongTimeAgo = time.Unix(1, 0)

// guardConn makes ctx bound the I/O on conn until the returned func is
// called: its deadline becomes conn's deadline, and cancelling it pulls
// the deadline into the past so that a blocked read or write returns. The
// returned func clears the deadline, after the watcher is done, so that a
// conn that outlives the handshake carries on without one.
func guardConn(ctx context.Context, conn net.Conn) (release func()) {
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	pulled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(aLongTimeAgo)
		close(pulled)
	})
	return func() {
		if !stop() {
			<-pulled // else it could set its deadline after ours is cleared
		}
		conn.SetDeadline(time.Time{})
	}
}

// ctxCause turns an I/O error caused by guardConn's deadline or
// cancellation into the context's error, which says why; other errors pass
// unchanged.
func ctxCause(ctx context.Context, err error) error {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The conn's timer for the same deadline may fire before the
	// context's does.
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}

// Handshake runs the client side of a SOCKS5 handshake on conn: greeting,
// username/password authentication when auth is non-nil and the server
// asks for it (RFC 1929), then the request for cmd and dst. It returns the
// server's bound address (BND.ADDR, BND.PORT).
//
// The context bounds the handshake: its deadline becomes conn's deadline,
// and cancelling it pulls the deadline into the past so that a blocked read
// returns. The deadline is cleared when Handshake returns, so a successful
// conn carries on without one.
//
// An error names the step that failed: "greeting: EOF", "authentication
// failed (user "alice")" (wrapping ErrAuthFailed), "connect 1.2.3.4:80:
// socks5 server replied 0x05 (connection refused)" (wrapping
// *socks5.ReplyError). When the context ended the handshake, the cause is
// the context's error. The password never appears in an error.
func Handshake(ctx context.Context, conn net.Conn, cmd socks5.Command, dst socks5.Addr, auth *socks5.UserPass) (bound socks5.Addr, err error) {
	defer guardConn(ctx, conn)()
	fail := func(step string, err error) error {
		return fmt.Errorf("%s: %w", step, ctxCause(ctx, err))
	}

	buf := make([]byte, 0, 3+1+1+255+2+1+255) // the largest message: a request or auth
	methods := []socks5.AuthMethod{socks5.AuthNone}
	if auth != nil {
		methods = append(methods, socks5.AuthUserPass)
	}
	buf, _ = socks5.Greeting{Methods: methods}.Append(buf)
	if _, err := conn.Write(buf); err != nil {
		return socks5.Addr{}, fail("greeting", err)
	}
	m, err := socks5.ReadMethodSelection(conn)
	if err != nil {
		return socks5.Addr{}, fail("greeting", err)
	}
	switch {
	case m == socks5.AuthNone:
	case m == socks5.AuthUserPass && auth != nil:
		if err := authenticate(conn, auth, buf[:0], fail); err != nil {
			return socks5.Addr{}, err
		}
	case m == socks5.AuthNoAcceptable:
		return socks5.Addr{}, fmt.Errorf("greeting: %w (offered: %s)", ErrNoAcceptableAuth, offered(methods))
	default:
		return socks5.Addr{}, fmt.Errorf("greeting: server chose %v, which was not offered", m)
	}

	step := strings.ToLower(cmd.String()) + " " + dst.String()
	buf, err = socks5.Request{Command: cmd, Addr: dst}.Append(buf[:0])
	if err != nil {
		return socks5.Addr{}, &requestError{step, err}
	}
	if _, err := conn.Write(buf); err != nil {
		return socks5.Addr{}, &requestError{step, ctxCause(ctx, err)}
	}
	// VER and REP first: on failure that is all we need, and some servers
	// send no more before they hang up.
	var head [2]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return socks5.Addr{}, &requestError{step, ctxCause(ctx, err)}
	}
	if head[0] != socks5.Version {
		return socks5.Addr{}, &requestError{step, socks5.ErrBadVersion}
	}
	if r := socks5.Reply(head[1]); r != socks5.ReplySucceeded {
		return socks5.Addr{}, &requestError{step, &socks5.ReplyError{Reply: r}}
	}
	resp, err := socks5.ReadResponse(io.MultiReader(bytes.NewReader(head[:]), conn))
	switch {
	case errors.Is(err, socks5.ErrBadAddrType), errors.Is(err, socks5.ErrEmptyDomain):
		// Not %w: the bad address is the upstream's fault, not a sign
		// that our client's address type is unsupported.
		return socks5.Addr{}, &requestError{step, fmt.Errorf("malformed reply: %v", err)}
	case err != nil:
		return socks5.Addr{}, &requestError{step, ctxCause(ctx, err)}
	}
	return resp.Bound, nil
}

// authenticate runs the RFC 1929 subnegotiation.
func authenticate(conn net.Conn, auth *socks5.UserPass, buf []byte, fail func(string, error) error) error {
	buf, err := auth.Append(buf)
	if err != nil {
		return fmt.Errorf("authentication: %w", err)
	}
	if _, err := conn.Write(buf); err != nil {
		return fail("authentication", err)
	}
	st, err := socks5.ReadUserPassReply(conn)
	if err != nil {
		return fail("authentication", err)
	}
	if st != socks5.AuthSuccess {
		return fmt.Errorf("%w (user %q)", ErrAuthFailed, auth.Username)
	}
	return nil
}

func offered(ms []socks5.AuthMethod) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.String()
	}
	return strings.Join(s, ", ")
}

// requestError is the failure of the request step: the upstream greeted
// us and took our credentials, so it works, and what went wrong concerns
// what we asked it for. A Group tells that apart from a broken upstream
// (see classify). Its message is "STEP: CAUSE", as for the other steps.
type requestError struct {
	step string
	err  error
}

func (e *requestError) Error() string { return e.step + ": " + e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }
