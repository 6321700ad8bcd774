package server

import (
	"errors"
	"fmt"
	"net"

	"github.com/sockstray/sockstray/core/socks4"
	"github.com/sockstray/sockstray/core/socks5"
)

// errSOCKS4NeedsAuth refuses SOCKS4 where a password is required: SOCKS4
// has no way to carry one.
var errSOCKS4NeedsAuth = fmt.Errorf("%w: SOCKS4 cannot authenticate and this proxy requires a password", socks5.ErrNotAllowed)

// serveSOCKS4 serves a SOCKS4 or 4a request: CONNECT or BIND, with the
// same routes, access rules and statistics as SOCKS5.
func (ss *session) serveSOCKS4(m *msgReader) error {
	ss.answer = answerSOCKS4
	q, err := readMsg(m, socks4.Parse)
	pending := m.release()
	if err != nil {
		if !errors.Is(err, socks5.ErrShort) && !errors.Is(err, socks4.ErrShort) {
			ss.fail(err)
		}
		return fmt.Errorf("socks4 request: %w", err)
	}
	ss.req.Addr = socks5.Addr{Name: q.Host, IP: q.IP, Port: q.Port}
	switch q.Command {
	case socks4.CmdConnect:
		ss.req.Command, ss.label = socks5.CmdConnect, "SOCKS4 CONNECT"
	case socks4.CmdBind:
		ss.req.Command, ss.label = socks5.CmdBind, "SOCKS4 BIND"
	default:
		ss.label = fmt.Sprintf("SOCKS4 command %d", q.Command)
		ss.open()
		return ss.fail(fmt.Errorf("SOCKS4 command %d: %w", q.Command, socks5.ErrCommandNotSupported))
	}
	if ss.cfg.Username != "" {
		ss.open()
		return ss.fail(errSOCKS4NeedsAuth)
	}
	return ss.dispatch(pending)
}

// answerSOCKS4 has only "granted" and "rejected or failed".
func answerSOCKS4(ss *session, err error, bound net.Addr) error {
	code := byte(socks4.Granted)
	if err != nil {
		code = socks4.Rejected
	}
	_, werr := ss.conn.Write(socks4.AppendReply(ss.out[:0], code, addrPortOf(bound)))
	return werr
}
