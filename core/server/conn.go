package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/relay"
	"github.com/sockstray/sockstray/core/socks4"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
)

// replyTimeout bounds writing one reply.
const replyTimeout = 5 * time.Second

// client is one accepted connection, from accept to close. Only the
// goroutine serving it reads from conn, and only one at a time.
type client struct {
	srv   *Server
	conn  net.Conn
	addr  netip.AddrPort // the client's end
	local netip.AddrPort // ours: where the client reached the proxy
	// out is scratch space for replies, which carry IP addresses: 22
	// bytes at most. It lives as long as the connection, so it is small.
	out [24]byte
}

// handle serves one client connection: the protocol its first byte names,
// then, for a tunnel, the relay on a fresh goroutine.
func (s *Server) handle(c net.Conn, cur *served) {
	cl := &client{srv: s, conn: c, addr: addrPortOf(c.RemoteAddr()), local: addrPortOf(c.LocalAddr())}
	t, err := cl.serve(cur)
	if t != nil {
		// The handshake grew this goroutine's stack (dialing runs deep) and
		// an idle connection would keep that stack for its whole life; a
		// fresh goroutine parked in the relay needs a few KiB. Measured
		// with make bench: 14.8 → 8.6 KiB per idle connection.
		go t.run()
		return
	}
	// Failed logins are logged in aggregate by the limiter, so that a
	// guesser cannot flood the log and rotate older lines away.
	if err != nil && !errors.Is(err, errEnded) && !errors.Is(err, errAuthFailed) {
		cl.logEnd(cur, err)
	}
	cl.close()
}

func (cl *client) close() {
	cl.conn.Close()
	cl.srv.untrack(cl.conn)
}

// errEnded is returned by a protocol whose exchanges have logged how the
// connection ended: there is nothing more to say.
var errEnded = errors.New("connection ended")

// serve tells the protocols apart by the first byte: 05 is SOCKS5, 04
// SOCKS4/4a, a letter an HTTP proxy request. Anything else is closed
// without a word.
func (cl *client) serve(cur *served) (*tunnel, error) {
	cl.conn.SetDeadline(time.Now().Add(cur.cfg.handshakeTimeout()))
	m := newMsgReader(cl.conn)
	first, err := m.peek()
	switch {
	case err != nil:
		m.release()
		return nil, err
	case first == socks5.Version:
		return cl.serveSOCKS5(cur, m)
	case first == socks4.Version && !cur.cfg.DisableSOCKS4:
		return cl.serveSOCKS4(cur, m)
	case isHTTPMethodStart(first) && !cur.cfg.DisableHTTP:
		return cl.serveHTTP(m)
	}
	m.release()
	return nil, fmt.Errorf("%w: first byte %#02x is neither SOCKS nor HTTP", socks5.ErrBadVersion, first)
}

// logEnd logs a connection that ended before any request was known.
func (cl *client) logEnd(cur *served, err error) {
	level := slog.LevelWarn
	if isQuietEnd(err) {
		level = slog.LevelInfo
	}
	cur.cfg.logger().LogAttrs(context.Background(), level, "connection",
		slog.String("client", cl.addr.String()), slog.String("error", err.Error()))
}

// exchange is one request: what the connection table shows while it runs
// and what its log line says when it ends.
type exchange struct {
	cl    *client
	cur   *served // the config the request is served with
	user  string
	label string // the command as the table shows it: "CONNECT", "HTTP GET"…
	dst   socks5.Addr
	route outbound.Route
	rule  string // the rule that picked route; "" for the default
	via   string // the members of groups that carried it ("office-ssh")
	rec   *stats.Conn
	code  socks5.Reply
	start time.Time
}

// begin records a request in the live table. A destination name that is
// an address in disguise (socks5.Addr.Canonical) is taken as the address,
// so that the access rules see it.
func (cl *client) begin(cur *served, user, label string, dst socks5.Addr) *exchange {
	dst = dst.Canonical()
	x := &exchange{cl: cl, cur: cur, user: user, label: label, dst: dst, start: time.Now()}
	x.route, x.rule = cur.cfg.Pick(Query{Dst: dst, Client: cl.addr.Addr().Unmap()})
	x.rec = cl.srv.stats.Open(stats.Info{
		Client:  cl.addr,
		Server:  cl.local,
		User:    user,
		Command: label,
		Dest:    dst.String(),
		Route:   x.route.String(),
		Rule:    x.rule,
	}, cl.conn)
	return x
}

// repick decides the route again as a UDP association: rules may send UDP
// elsewhere than TCP to the same destination.
func (x *exchange) repickUDP() {
	x.route, x.rule = x.cur.cfg.Pick(Query{Dst: x.dst, Client: x.cl.addr.Addr().Unmap(), UDP: true})
	x.rec.SetRoute(x.route.String(), x.rule)
}

// counters are the row's byte counters, nil when counting is off.
func (x *exchange) counters() (up, down *atomic.Int64) {
	if x.cur.cfg.NoCount {
		return nil, nil
	}
	return x.rec.Counters()
}

// settle records the outcome of the request in the row, in SOCKS5 terms
// whatever the protocol, and gives the client a moment to hear it: the
// handshake deadline may have run out in a slow dial.
func (x *exchange) settle(err error) {
	x.code = socks5.ReplyFor(err)
	x.rec.SetReply(byte(x.code))
	x.cl.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
}

// dial reaches the destination through the route, bounded by the
// handshake deadline, under the rule for this client's destinations (the
// route applies it to resolved addresses).
func (x *exchange) dial(dst socks5.Addr) (net.Conn, error) {
	ctx, cancel := x.dialContext()
	defer cancel()
	var via outbound.Via
	c, err := x.route.Dial(outbound.WithVia(ctx, &via), dst)
	if err != nil {
		return nil, fmt.Errorf("connect %v, route %v: %w", dst, x.route, err)
	}
	if x.via = via.String(); x.via != "" {
		x.rec.SetRoute(x.route.String()+" via "+x.via, x.rule)
	}
	return c, nil
}

func (x *exchange) dialContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), x.cur.cfg.handshakeTimeout())
	if check := targetCheck(x.cur.cfg, x.cl.addr.Addr()); check != nil {
		ctx = outbound.WithTargetCheck(ctx, check)
	}
	return ctx, cancel
}

// end removes the request's row and logs its line. It returns errEnded,
// for the protocol to return: the connection's end is told.
func (x *exchange) end(err error) error {
	x.done()
	x.log(err)
	return errEnded
}

// done removes the request's row from the live table; again is a no-op.
func (x *exchange) done() { x.cl.srv.stats.Done(x.rec) }

// log writes the request's one log line.
func (x *exchange) log(err error) {
	lg := x.cur.cfg.logger()
	level := slog.LevelInfo
	if err != nil && !isQuietEnd(err) {
		level = slog.LevelWarn
	}
	if lg.Enabled(context.Background(), level) {
		up, down := x.rec.Bytes()
		attrs := []slog.Attr{slog.String("client", x.cl.addr.String())}
		if x.user != "" {
			attrs = append(attrs, slog.String("user", x.user))
		}
		if x.rule != "" {
			attrs = append(attrs, slog.String("rule", x.rule))
		}
		if x.via != "" {
			attrs = append(attrs, slog.String("via", x.via))
		}
		attrs = append(attrs,
			slog.String("cmd", x.label),
			slog.String("dest", x.dst.String()),
			slog.String("route", x.route.String()),
			slog.Uint64("id", x.rec.ID()),
			slog.Int("reply", int(x.code)),
			slog.Int64("up", up),
			slog.Int64("down", down),
			slog.Duration("duration", time.Since(x.start).Round(time.Millisecond)))
		if err != nil && !isQuietEnd(err) {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		lg.LogAttrs(context.Background(), level, "connection", attrs...)
	}
}

// tunnel is a request whose reply was sent: what the relay needs.
type tunnel struct {
	x       *exchange
	target  net.Conn
	pending []byte // bytes the client sent early, owed to the target
}

// run copies between the client and the target until both directions
// end, then ends the exchange and the connection.
func (t *tunnel) run() {
	cl := t.x.cl
	cl.conn.SetDeadline(time.Time{})
	up, down := t.x.counters()
	_, _, err := relay.TCP(cl.conn, t.target, up, down, t.pending, relay.Options{Idle: t.x.cur.cfg.IdleTimeout})
	t.x.end(err)
	cl.close()
}

// isQuietEnd is an ordinary end of a connection, not worth a warning.
func isQuietEnd(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}
