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
func (cl *client) serveSOCKS4(cur *served, m *msgReader) (*tunnel, error) {
	q, err := readMsg(m, socks4.Parse)
	pending := m.release()
	if err != nil {
		if !errors.Is(err, socks5.ErrShort) && !errors.Is(err, socks4.ErrShort) {
			cl.reply4(err, nil)
		}
		return nil, fmt.Errorf("socks4 request: %w", err)
	}
	dst := socks5.Addr{Name: q.Host, IP: q.IP, Port: q.Port}
	var cmd socks5.Command
	switch q.Command {
	case socks4.CmdConnect:
		cmd = socks5.CmdConnect
	case socks4.CmdBind:
		cmd = socks5.CmdBind
	default:
		x := cl.begin(cur, "", fmt.Sprintf("SOCKS4 command %d", q.Command), dst)
		return nil, x.fail(cl.reply4, fmt.Errorf("SOCKS4 command %d: %w", q.Command, socks5.ErrCommandNotSupported))
	}
	x := cl.begin(cur, "", "SOCKS4 "+cmd.String(), dst)
	if cur.creds != nil {
		return nil, x.fail(cl.reply4, errSOCKS4NeedsAuth)
	}
	if err := cl.srv.admit(cl.conn, nil); err != nil {
		return nil, x.fail(cl.reply4, fmt.Errorf("%w: %w", socks5.ErrNotAllowed, err))
	}
	return x.command(cmd, cl.reply4, pending)
}

// reply4 has only "granted" and "rejected or failed".
func (cl *client) reply4(err error, bound net.Addr) error {
	code := byte(socks4.Granted)
	if err != nil {
		code = socks4.Rejected
	}
	_, werr := cl.conn.Write(socks4.AppendReply(cl.out[:0], code, addrPortOf(bound)))
	return werr
}
