package socks5

import (
	"io"
)

// Request is a client's request.
//
//	+----+-----+-------+------+----------+----------+
//	|VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
//	+----+-----+-------+------+----------+----------+
//	| 1  |  1  | X'00' |  1   | Variable |    2     |
//	+----+-----+-------+------+----------+----------+
//
// An unknown CMD decodes without error so that the server can answer it
// with ReplyCommandNotSupported; an unknown ATYP is ErrBadAddrType.
// RSV is ignored on input (robustness) and zero on output.
type Request struct {
	Command Command
	Addr    Addr
}

// Append encodes the request.
func (q Request) Append(b []byte) ([]byte, error) {
	return appendHeader(b, byte(q.Command), q.Addr)
}

// ParseRequest decodes a request from the start of b.
func ParseRequest(b []byte) (Request, int, error) {
	c, a, n, err := parseHeader(b)
	return Request{Command: Command(c), Addr: a}, n, err
}

// ReadRequest reads a request from r.
func ReadRequest(r io.Reader) (Request, error) {
	c, a, err := readHeader(r)
	return Request{Command: Command(c), Addr: a}, err
}

// Response is a server's reply to a request: the reply code and the bound
// address (BND.ADDR, BND.PORT).
//
//	+----+-----+-------+------+----------+----------+
//	|VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |
//	+----+-----+-------+------+----------+----------+
//	| 1  |  1  | X'00' |  1   | Variable |    2     |
//	+----+-----+-------+------+----------+----------+
type Response struct {
	Reply Reply
	Bound Addr
}

// Append encodes the response. An unset bound address is sent as 0.0.0.0:0.
func (p Response) Append(b []byte) ([]byte, error) {
	bound := p.Bound
	if bound.Name == "" && !bound.IP.IsValid() {
		bound.IP = ipv4Zero
	}
	return appendHeader(b, byte(p.Reply), bound)
}

// ParseResponse decodes a response from the start of b.
func ParseResponse(b []byte) (Response, int, error) {
	c, a, n, err := parseHeader(b)
	return Response{Reply: Reply(c), Bound: a}, n, err
}

// ReadResponse reads a response from r.
func ReadResponse(r io.Reader) (Response, error) {
	c, a, err := readHeader(r)
	return Response{Reply: Reply(c), Bound: a}, err
}

// Requests and responses share one layout: VER, a code, RSV, an address.
// On error b comes back as it was, without a partial header.
func appendHeader(b []byte, code byte, a Addr) ([]byte, error) {
	out, err := AppendAddr(append(b, Version, code, 0), a)
	if err != nil {
		return b, err
	}
	return out, nil
}

func parseHeader(b []byte) (code byte, a Addr, n int, err error) {
	if len(b) >= 1 && b[0] != Version {
		return 0, Addr{}, 0, ErrBadVersion
	}
	if len(b) < 3 {
		return 0, Addr{}, 0, ErrShort
	}
	a, n, err = ParseAddrBytes(b[3:])
	if err != nil {
		return b[1], Addr{}, 0, err
	}
	return b[1], a, 3 + n, nil
}

func readHeader(r io.Reader) (code byte, a Addr, err error) {
	var buf [4 + 1 + 255 + 2]byte
	if err := readFull(r, buf[:5]); err != nil {
		return 0, Addr{}, err
	}
	if buf[0] != Version {
		return 0, Addr{}, ErrBadVersion
	}
	var n int
	switch AddrType(buf[3]) {
	case AddrIPv4:
		n = 4 + 4 + 2
	case AddrIPv6:
		n = 4 + 16 + 2
	case AddrDomain:
		if buf[4] == 0 {
			return buf[1], Addr{}, ErrEmptyDomain
		}
		n = 4 + 1 + int(buf[4]) + 2
	default:
		return buf[1], Addr{}, ErrBadAddrType
	}
	if err := readRest(r, buf[5:n]); err != nil {
		return 0, Addr{}, err
	}
	code, a, _, err = parseHeader(buf[:n])
	return code, a, err
}
