package socks5

import "net/netip"

var ipv4Zero = netip.IPv4Unspecified()

// UDPHeader is the header in front of every datagram relayed through a UDP
// ASSOCIATE (RFC 1928 section 7).
//
//	+----+------+------+----------+----------+----------+
//	|RSV | FRAG | ATYP | DST.ADDR | DST.PORT |   DATA   |
//	+----+------+------+----------+----------+----------+
//	| 2  |  1   |  1   | Variable |    2     | Variable |
//	+----+------+------+----------+----------+----------+
//
// A datagram is whole or it is nothing, so ParseUDPHeader's ErrShort means a
// truncated datagram, never "read more".
type UDPHeader struct {
	Frag byte // fragment number; 0 is a standalone datagram
	Addr Addr
}

// Append encodes the header; the payload goes after it. On error b comes
// back as it was.
func (h UDPHeader) Append(b []byte) ([]byte, error) {
	out, err := AppendAddr(append(b, 0, 0, h.Frag), h.Addr)
	if err != nil {
		return b, err
	}
	return out, nil
}

// ParseUDPHeader decodes the header at the start of a datagram and returns
// its length, so that the payload is datagram[n:].
func ParseUDPHeader(b []byte) (UDPHeader, int, error) {
	if len(b) < 4 {
		return UDPHeader{}, 0, ErrShort
	}
	a, n, err := ParseAddrBytes(b[3:])
	if err != nil {
		return UDPHeader{}, 0, err
	}
	return UDPHeader{Frag: b[2], Addr: a}, 3 + n, nil
}
