package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
)

// replyTimeout bounds writing one reply.
const replyTimeout = 5 * time.Second

// session is one client connection from accept to close.
type session struct {
	srv    *Server
	cfg    *Config
	conn   net.Conn
	client netip.AddrPort
	user   string
	req    socks5.Request
	rec    *stats.Conn
	code   socks5.Reply // the reply sent, for the log
	start  time.Time
	// out is scratch space for replies; small enough for the stack.
	out [300]byte
}

func (s *Server) handle(c net.Conn) {
	defer s.untrack(c)
	defer c.Close()
	ss := &session{srv: s, cfg: s.cfg.Load(), conn: c, client: addrPortOf(c.RemoteAddr()), start: time.Now()}
	err := ss.serve()
	ss.log(err)
}

func (ss *session) serve() error {
	cfg := ss.cfg
	if !clientAllowed(cfg.Allow, ss.client.Addr()) {
		return errClientNotAllowed
	}
	ss.conn.SetDeadline(ss.start.Add(cfg.handshakeTimeout()))
	m := newMsgReader(ss.conn)
	user, err := negotiate(m, newCredentials(cfg.Username, cfg.Password), ss.out[:])
	ss.user = user
	if err != nil {
		m.release()
		return err
	}
	req, err := readMsg(m, socks5.ParseRequest)
	pending := m.release()
	if err != nil {
		if errors.Is(err, socks5.ErrBadAddrType) {
			ss.reply(socks5.ReplyAddressTypeNotSupported, socks5.Addr{})
		}
		return err
	}
	ss.req = req
	switch {
	case req.Command == socks5.CmdConnect:
		return ss.connect(pending)
	case req.Command == socks5.CmdBind && !cfg.DisableBind:
		return ss.bind(pending)
	case req.Command == socks5.CmdUDPAssociate && !cfg.DisableUDP:
		return ss.associate()
	}
	ss.open()
	return ss.fail(fmt.Errorf("%v: %w", req.Command, socks5.ErrCommandNotSupported))
}

var errClientNotAllowed = errors.New("client address not in the allowlist")

// open records the request in the live table, once it is known.
func (ss *session) open() {
	ss.rec = ss.srv.stats.Open(stats.Info{
		Client:  ss.client,
		User:    ss.user,
		Command: ss.req.Command.String(),
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

// reply sends a reply and records its code.
func (ss *session) reply(code socks5.Reply, bound socks5.Addr) error {
	ss.code = code
	if ss.rec != nil {
		ss.rec.SetReply(byte(code))
	}
	b, err := socks5.Response{Reply: code, Bound: bound}.Append(ss.out[:0])
	if err != nil {
		return err
	}
	// The handshake deadline may have run out in a slow dial: the client
	// still deserves to hear why.
	ss.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	_, err = ss.conn.Write(b)
	return err
}

// fail answers a failed request with the reply code its error maps to.
func (ss *session) fail(err error) error {
	ss.reply(socks5.ReplyFor(err), socks5.Addr{})
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
			slog.String("cmd", ss.req.Command.String()),
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
