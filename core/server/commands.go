package server

import (
	"fmt"
	"net"

	"github.com/sockstray/sockstray/core/socks5"
)

// replier answers a request in the client's own protocol: err nil is
// success, bound the address to report.
type replier func(err error, bound net.Addr) error

// command carries out a request's command, the same way for every
// protocol that has it.
func (x *exchange) command(cmd socks5.Command, reply replier, pending []byte) (*tunnel, error) {
	cfg := x.cur.cfg
	switch {
	case cmd == socks5.CmdConnect:
		return x.connect(reply, pending)
	case cmd == socks5.CmdBind && !cfg.DisableBind:
		return x.bind(reply, pending)
	case cmd == socks5.CmdUDPAssociate && !cfg.DisableUDP:
		return nil, x.associate(reply)
	}
	return nil, x.fail(reply, fmt.Errorf("%v: %w", cmd, socks5.ErrCommandNotSupported))
}

// connect carries out CONNECT: dial through the route, reply with the
// outbound socket's own address, and hand over to the relay.
func (x *exchange) connect(reply replier, pending []byte) (*tunnel, error) {
	target, err := x.dial(x.dst)
	if err != nil {
		return nil, x.fail(reply, err)
	}
	if err := x.answer(reply, nil, target.LocalAddr()); err != nil {
		target.Close()
		return nil, x.end(fmt.Errorf("reply: %w", err))
	}
	return &tunnel{x: x, target: target, pending: pending}, nil
}

// answer records the outcome and tells the client.
func (x *exchange) answer(reply replier, err error, bound net.Addr) error {
	x.settle(err)
	return reply(err, bound)
}

// fail answers a failed request and ends it.
func (x *exchange) fail(reply replier, err error) error {
	x.answer(reply, err, nil)
	return x.end(err)
}
