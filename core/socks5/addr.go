package socks5

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
)

// Addr is a SOCKS address: an IP or a domain name, and a port. A domain name
// stays a name so that whoever dials it resolves it (no local DNS leak).
type Addr struct {
	Name string     // domain name; when set, IP is ignored
	IP   netip.Addr // IPv4 or IPv6 when Name is empty
	Port uint16
}

// AddrFromAddrPort returns the Addr of an IP address and port. IPv4-mapped
// IPv6 addresses become plain IPv4 so they are encoded with ATYP 01.
func AddrFromAddrPort(ap netip.AddrPort) Addr {
	return Addr{IP: ap.Addr().Unmap(), Port: ap.Port()}
}

// AddrFromNet returns the Addr of a *net.TCPAddr or *net.UDPAddr, or the zero
// IPv4 address for anything else (RFC 1928 allows 0.0.0.0:0 where no address
// applies).
func AddrFromNet(a net.Addr) Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		return AddrFromAddrPort(a.AddrPort())
	case *net.UDPAddr:
		return AddrFromAddrPort(a.AddrPort())
	}
	return Addr{IP: netip.IPv4Unspecified()}
}

// ParseAddr parses "host:port", where host is an IP literal (IPv6 in
// brackets) or a domain name.
func ParseAddr(hostport string) (Addr, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return Addr{}, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return Addr{}, &net.AddrError{Err: "invalid port", Addr: hostport}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return Addr{IP: ip.Unmap(), Port: uint16(p)}, nil
	}
	if host == "" {
		return Addr{}, ErrEmptyDomain
	}
	if len(host) > 255 {
		return Addr{}, ErrTooLong
	}
	return Addr{Name: host, Port: uint16(p)}, nil
}

// Type is the ATYP this address is encoded with.
func (a Addr) Type() AddrType {
	switch {
	case a.Name != "":
		return AddrDomain
	case a.IP.Is4():
		return AddrIPv4
	}
	return AddrIPv6
}

// Host is the name or the IP literal, without the port.
func (a Addr) Host() string {
	if a.Name != "" {
		return a.Name
	}
	return a.IP.String()
}

// String is "host:port", with IPv6 in brackets, as net.Dial takes it.
func (a Addr) String() string {
	return net.JoinHostPort(a.Host(), strconv.Itoa(int(a.Port)))
}

// AddrPort returns the IP address and port, and false for a domain name.
func (a Addr) AddrPort() (netip.AddrPort, bool) {
	if a.Name != "" || !a.IP.IsValid() {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a.IP, a.Port), true
}

// AppendAddr appends ATYP, DST.ADDR and DST.PORT.
func AppendAddr(b []byte, a Addr) ([]byte, error) {
	switch {
	case a.Name != "":
		if len(a.Name) > 255 {
			return b, ErrTooLong
		}
		b = append(b, byte(AddrDomain), byte(len(a.Name)))
		b = append(b, a.Name...)
	case a.IP.Is4():
		ip := a.IP.As4()
		b = append(b, byte(AddrIPv4))
		b = append(b, ip[:]...)
	case a.IP.Is6():
		ip := a.IP.As16()
		b = append(b, byte(AddrIPv6))
		b = append(b, ip[:]...)
	default:
		return b, ErrBadAddr
	}
	return binary.BigEndian.AppendUint16(b, a.Port), nil
}

// ParseAddrBytes decodes ATYP, address and port from the start of b and
// returns the bytes used. It returns ErrShort when b ends inside the address.
func ParseAddrBytes(b []byte) (Addr, int, error) {
	if len(b) < 1 {
		return Addr{}, 0, ErrShort
	}
	var a Addr
	n := 1
	switch AddrType(b[0]) {
	case AddrIPv4:
		if len(b) < 1+4+2 {
			return Addr{}, 0, ErrShort
		}
		a.IP = netip.AddrFrom4([4]byte(b[1:5]))
		n += 4
	case AddrIPv6:
		if len(b) < 1+16+2 {
			return Addr{}, 0, ErrShort
		}
		a.IP = netip.AddrFrom16([16]byte(b[1:17]))
		n += 16
	case AddrDomain:
		if len(b) < 2 {
			return Addr{}, 0, ErrShort
		}
		l := int(b[1])
		if l == 0 {
			return Addr{}, 0, ErrEmptyDomain
		}
		if len(b) < 2+l+2 {
			return Addr{}, 0, ErrShort
		}
		a.Name = string(b[2 : 2+l])
		n += 1 + l
	default:
		return Addr{}, 0, ErrBadAddrType
	}
	a.Port = binary.BigEndian.Uint16(b[n:])
	return a, n + 2, nil
}
