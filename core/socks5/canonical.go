package socks5

import (
	"net/netip"
	"strconv"
	"strings"
)

// Canonical returns a with a name that resolvers read as an IP address
// turned into that address: an IP literal sent as a name (ATYP 03
// "127.0.0.1", "fe80::1%eth0"), or one of the numeric IPv4 forms that
// inet_aton, and so glibc, curl and browsers, accept ("127.1",
// "2130706433", "0x7f.1", "0177.0.0.1"). Access rules must see these as
// the addresses they are, and looking them up would send them to DNS.
func (a Addr) Canonical() Addr {
	if a.Name == "" {
		return a
	}
	if ip, err := netip.ParseAddr(a.Name); err == nil {
		return Addr{IP: ip.Unmap(), Port: a.Port}
	}
	if ip, ok := parseNumericIPv4(a.Name); ok {
		return Addr{IP: ip, Port: a.Port}
	}
	return a
}

// parseNumericIPv4 parses inet_aton's forms: one to four parts separated by
// dots, each decimal, octal (leading 0) or hexadecimal (0x); the last part
// fills the bytes the others leave (a, a.b with b 24 bits, a.b.c with c 16
// bits, a.b.c.d).
func parseNumericIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := parseInetPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		last := i == len(parts)-1
		limit := uint64(0xff)
		if last {
			limit = 1<<(8*(5-len(parts))) - 1
		}
		if n > limit {
			return netip.Addr{}, false
		}
		if last {
			v = v<<(8*(5-len(parts))) | n
		} else {
			v = v<<8 | n
		}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func parseInetPart(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 32)
	return n, err == nil
}

// IsLocalhostName reports whether name is localhost or a name below it,
// which RFC 6761 (section 6.3) reserves for loopback wherever it is
// resolved.
func IsLocalhostName(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	return name == "localhost" || strings.HasSuffix(name, ".localhost")
}
