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
	defer target.Close()
	if err := ss.respond(nil, target.LocalAddr()); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	return ss.relay(target, pending)
}

// relay copies between the client and target until both directions end.
func (ss *session) relay(target net.Conn, pending []byte) error {
	ss.conn.SetDeadline(time.Time{})
	up, down := ss.rec.Counters()
	if ss.cfg.NoCount {
		up, down = nil, nil
	}
	_, _, err := relay.TCP(ss.conn, target, up, down, pending, relay.Options{Idle: ss.cfg.IdleTimeout})
	return err
}
