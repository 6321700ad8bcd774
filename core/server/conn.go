package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks4"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
)

// replyTimeout bounds writing one reply.
const replyTimeout = 5 * time.Second

// session is one client connection from accept to close.
type session struct {
	srv    *Server
	cfg    *Config
	creds  *credentials // cfg's, hashed once per config; nil without auth
	conn   net.Conn
	client netip.AddrPort
	user   string
	req    socks5.Request // the request, in SOCKS5 terms whatever the protocol
	label  string         // the command as the table shows it: "CONNECT", "HTTP CONNECT"…
	rec    *stats.Conn
	code   socks5.Reply // the outcome in SOCKS5 terms, for the table and the log
	start  time.Time
	// target and pending are handed from the handshake to the relay.
	target  net.Conn
	pending []byte
	// answer tells the client the outcome of its request in its own
	// protocol: err nil is success, bound the address to report.
	answer func(ss *session, err error, bound net.Addr) error
	// out is scratch space for replies, which carry IP addresses: 22
	// bytes at most. It lives as long as the connection, so it is small.
	out [24]byte
}

func (s *Server) handle(c net.Conn) {
	cur := s.cur.Load()
	ss := &session{srv: s, cfg: cur.cfg, creds: cur.creds, conn: c, client: addrPortOf(c.RemoteAddr()), start: time.Now()}
	err := ss.serve()
	if err == nil && ss.target != nil {
		go ss.runRelay()
		return
	}
	ss.finish(err)
}

// finish logs the connection's end, closes it and lets the server forget it.
func (ss *session) finish(err error) {
	if err != errKeepAliveEnd {
		ss.log(err)
	}
	ss.conn.Close()
	ss.srv.untrack(ss.conn)
}

// serve tells the protocols apart by the first byte: 05 is SOCKS5, 04
// SOCKS4/4a, a letter an HTTP proxy request. Anything else is closed
// without a word.
func (ss *session) serve() error {
	cfg := ss.cfg
	if !clientAllowed(cfg.Allow, ss.client.Addr()) {
		return errClientNotAllowed
	}
	ss.conn.SetDeadline(ss.start.Add(cfg.handshakeTimeout()))
	m := newMsgReader(ss.conn)
	first, err := m.peek()
	switch {
	case err != nil:
		m.release()
		return err
	case first == socks5.Version:
		return ss.serveSOCKS5(m)
	case first == socks4.Version && !cfg.DisableSOCKS4:
		return ss.serveSOCKS4(m)
	case isHTTPMethodStart(first) && !cfg.DisableHTTP:
		return ss.serveHTTP(m)
	}
	m.release()
	return fmt.Errorf("%w: first byte %#02x is neither SOCKS nor HTTP", socks5.ErrBadVersion, first)
}

func (ss *session) serveSOCKS5(m *msgReader) error {
	ss.answer = answerSOCKS5
	user, err := negotiate(m, ss.creds, ss.out[:])
	ss.user = user
	if err != nil {
		m.release()
		return err
	}
	req, err := readMsg(m, socks5.ParseRequest)
	pending := m.release()
	if err != nil {
		if errors.Is(err, socks5.ErrBadAddrType) {
			ss.fail(err)
		}
		return err
	}
	ss.req = req
	return ss.dispatch(pending)
}

// dispatch carries out a parsed request.
func (ss *session) dispatch(pending []byte) error {
	cfg := ss.cfg
	switch {
	case ss.req.Command == socks5.CmdConnect:
		return ss.connect(pending)
	case ss.req.Command == socks5.CmdBind && !cfg.DisableBind:
		return ss.bind(pending)
	case ss.req.Command == socks5.CmdUDPAssociate && !cfg.DisableUDP:
		return ss.associate()
	}
	ss.open()
	return ss.fail(fmt.Errorf("%v: %w", ss.req.Command, socks5.ErrCommandNotSupported))
}

// answerSOCKS5 is the RFC 1928 reply: the code the error maps to, and the
// bound address on success.
func answerSOCKS5(ss *session, err error, bound net.Addr) error {
	var a socks5.Addr
	if err == nil && bound != nil {
		a = socks5.AddrFromNet(bound)
	}
	b, aerr := socks5.Response{Reply: socks5.ReplyFor(err), Bound: a}.Append(ss.out[:0])
	if aerr != nil {
		return aerr
	}
	_, werr := ss.conn.Write(b)
	return werr
}

var errClientNotAllowed = errors.New("client address not in the allowlist")

// open records the request in the live table, once it is known.
func (ss *session) open() {
	label := ss.label
	if label == "" {
		label = ss.req.Command.String()
	}
	ss.rec = ss.srv.stats.Open(stats.Info{
		Client:  ss.client,
		User:    ss.user,
		Command: label,
		Dest:    ss.req.Addr.String(),
		Route:   ss.cfg.route().String(),
	}, ss.conn)
}

// dialContext bounds a dial by the handshake deadline and carries the
// access rule for this client's destinations to the outbound dialer, which
// applies it to the resolved address.
func (ss *session) dialContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithDeadline(context.Background(), ss.start.Add(ss.cfg.handshakeTimeout()))
	if check := targetCheck(ss.cfg, ss.client.Addr()); check != nil {
		ctx = outbound.WithTargetCheck(ctx, check)
	}
	return ctx, cancel
}

// respond tells the client the outcome of its request and records it.
func (ss *session) respond(err error, bound net.Addr) error {
	ss.code = socks5.ReplyFor(err)
	if ss.rec != nil {
		ss.rec.SetReply(byte(ss.code))
	}
	// The handshake deadline may have run out in a slow dial: the client
	// still deserves to hear why.
	ss.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	return ss.answer(ss, err, bound)
}

// fail answers a failed request and returns its error.
func (ss *session) fail(err error) error {
	ss.respond(err, nil)
	return err
}

func (ss *session) log(err error) {
	lg := ss.cfg.logger()
	level := slog.LevelInfo
	if err != nil && !isQuietEnd(err) {
		level = slog.LevelWarn
	}
	if !lg.Enabled(context.Background(), level) {
		ss.done()
		return
	}
	attrs := []slog.Attr{slog.String("client", ss.client.String())}
	if ss.user != "" {
		attrs = append(attrs, slog.String("user", ss.user))
	}
	if ss.req.Command != 0 {
		attrs = append(attrs,
			slog.String("cmd", cmp.Or(ss.label, ss.req.Command.String())),
			slog.String("dest", ss.req.Addr.String()),
			slog.String("route", ss.cfg.route().String()))
	}
	if ss.rec != nil {
		up, down := ss.rec.Bytes()
		attrs = append(attrs,
			slog.Uint64("id", ss.rec.ID()),
			slog.Int("reply", int(ss.code)),
			slog.Int64("up", up),
			slog.Int64("down", down))
	}
	attrs = append(attrs, slog.Duration("duration", time.Since(ss.start).Round(time.Millisecond)))
	if err != nil && !isQuietEnd(err) {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	ss.done()
	lg.LogAttrs(context.Background(), level, "connection", attrs...)
}

func (ss *session) done() {
	if ss.rec != nil {
		ss.srv.stats.Done(ss.rec)
	}
}

// isQuietEnd is an ordinary end of a connection, not worth a warning.
func isQuietEnd(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}
