package server

import (
	"fmt"
	"net"
	"time"

	"github.com/sockstray/sockstray/core/relay"
)

// connect carries out CONNECT: dial through the route, reply with the
// outbound socket's own address, relay.
func (ss *session) connect(pending []byte) error {
	ss.open()
	route := ss.cfg.route()
	ctx, cancel := ss.dialContext()
	target, err := route.Dial(ctx, ss.req.Addr)
	cancel()
	if err != nil {
		return ss.fail(fmt.Errorf("connect %v via %v: %w", ss.req.Addr, route, err))
	}
	if err := ss.respond(nil, target.LocalAddr()); err != nil {
		target.Close()
		return fmt.Errorf("reply: %w", err)
	}
	ss.handOff(target, pending)
	return nil
}

// handOff leaves the connection to the relay, which handle starts once
// the handshake's goroutine is done.
func (ss *session) handOff(target net.Conn, pending []byte) {
	ss.target, ss.pending = target, pending
}

// runRelay copies between the client and target until both directions
// end, on a goroutine of its own: the handshake grew the handler's stack
// (dialing runs deep) and an idle connection would keep that stack for
// its whole life, while a fresh goroutine parked in the relay needs a few
// KiB. Measured with make bench: 14.8 → 8.6 KiB per idle connection.
func (ss *session) runRelay() {
	ss.conn.SetDeadline(time.Time{})
	up, down := ss.rec.Counters()
	if ss.cfg.NoCount {
		up, down = nil, nil
	}
	_, _, err := relay.TCP(ss.conn, ss.target, up, down, ss.pending, relay.Options{Idle: ss.cfg.IdleTimeout})
	ss.target, ss.pending = nil, nil
	ss.finish(err)
}
