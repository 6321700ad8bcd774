package server

import (
	"errors"
	"fmt"
	"net"

	"github.com/sockstray/sockstray/core/socks5"
)

// serveSOCKS5 serves one SOCKS5 request: method negotiation and
// authentication, the request, its command.
func (cl *client) serveSOCKS5(cur *served, m *msgReader) (*tunnel, error) {
	user, err := cl.negotiate(cur, m)
	if err != nil {
		m.release()
		return nil, err
	}
	req, err := readMsg(m, socks5.ParseRequest)
	pending := m.release()
	if err != nil {
		if errors.Is(err, socks5.ErrBadAddrType) {
			cl.reply5(err, nil)
		}
		return nil, fmt.Errorf("request: %w", err)
	}
	x := cl.begin(cur, user, req.Command.String(), req.Addr)
	return x.command(req.Command, cl.reply5, pending)
}

// reply5 is the RFC 1928 reply: the code the error maps to, and the bound
// address on success.
func (cl *client) reply5(err error, bound net.Addr) error {
	var a socks5.Addr
	if err == nil && bound != nil {
		a = socks5.AddrFromNet(bound)
	}
	b, aerr := socks5.Response{Reply: socks5.ReplyFor(err), Bound: a}.Append(cl.out[:0])
	if aerr != nil {
		return aerr
	}
	_, werr := cl.conn.Write(b)
	return werr
}
