package server

import (
	"net/netip"
	"slices"
)

// An allowlist protects a shared proxy only if it leaves most of the
// Internet out. These are the limits past which it counts as no allowlist
// at all: more public IPv4 addresses than a /8 holds, or more of IPv6's
// global unicast space (2000::/3) than a /32 (one provider's allocation).
const (
	maxPublicV4      = 1 << 24
	maxPublicV6Nets  = 1 << 32 // in /64 networks
	globalUnicastLen = 3
)

// nonPublicV4 are the IPv4 networks that are not the public Internet:
// private (RFC 1918), shared address space (RFC 6598), loopback,
// link-local, and this network.
var nonPublicV4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

var globalUnicast = netip.MustParsePrefix("2000::/3")

// OpenAllowlist reports whether an allowlist admits so much of the public
// Internet, alone or together (0.0.0.0/0, ::/0, 0.0.0.0/1 with
// 128.0.0.0/1, …), that it protects nothing: a listener shared beyond
// loopback with such a list and no password is as open as one with none.
func OpenAllowlist(allow []netip.Prefix) bool {
	var v4, v6 uint64
	for _, p := range disjoint(allow) {
		if p.Addr().Is4() {
			v4 += publicV4(p)
		} else {
			v6 += publicV6Nets(p)
		}
	}
	return v4 > maxPublicV4 || v6 > maxPublicV6Nets
}

// disjoint returns the prefixes, masked, without those inside another.
func disjoint(allow []netip.Prefix) []netip.Prefix {
	ps := make([]netip.Prefix, 0, len(allow))
	for _, p := range allow {
		if p.IsValid() {
			ps = append(ps, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p)).Masked())
		}
	}
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Contains(p.Addr()) && out[n-1].Bits() <= p.Bits() {
			continue
		}
		out = append(out, p)
	}
	return out
}

// unmapBits is how many bits of p's length the IPv4-mapped prefix adds.
func unmapBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		return min(96, p.Bits())
	}
	return 0
}

// publicV4 counts the public addresses in p.
func publicV4(p netip.Prefix) uint64 {
	n := uint64(1) << (32 - p.Bits())
	for _, q := range nonPublicV4 {
		switch {
		case p.Bits() <= q.Bits() && p.Contains(q.Addr()):
			n -= uint64(1) << (32 - q.Bits())
		case q.Bits() < p.Bits() && q.Contains(p.Addr()):
			return 0
		}
	}
	return n
}

// publicV6Nets counts the /64 networks of global unicast space in p.
func publicV6Nets(p netip.Prefix) uint64 {
	switch {
	case p.Bits() <= globalUnicastLen && p.Contains(globalUnicast.Addr()):
		return 1 << (64 - globalUnicastLen)
	case p.Bits() > globalUnicastLen && globalUnicast.Contains(p.Addr()) && p.Bits() <= 64:
		return 1 << (64 - p.Bits())
	}
	return 0
}
