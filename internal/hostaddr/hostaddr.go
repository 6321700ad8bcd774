// Package hostaddr lists this host's own addresses: every interface
// address with its network (for access rules and broadcast addresses),
// and those other hosts on the LAN may reach it at (for a share).
package hostaddr

import (
	"cmp"
	"net"
	"net/netip"
	"slices"
)

// All returns every address of this host's interfaces, loopback included,
// each with its network; IPv4 written in IPv6 form comes back as IPv4.
// One netlink dump on Linux.
func All() ([]netip.Prefix, error) {
	as, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(as))
	for _, a := range as {
		if p, ok := prefixOf(a); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// LAN returns the addresses other hosts may reach this host at: those of
// interfaces that are up, neither loopback nor link-local, IPv4 first,
// otherwise in the system's order.
func LAN() ([]netip.Addr, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagLoopback != 0 {
			continue
		}
		as, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range as {
			p, ok := prefixOf(a)
			if ip := p.Addr(); ok && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
				out = append(out, ip)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b netip.Addr) int { return cmp.Compare(a.BitLen(), b.BitLen()) })
	return out, nil
}

// prefixOf reads an interface address as the system gives it.
func prefixOf(a net.Addr) (netip.Prefix, bool) {
	n, ok := a.(*net.IPNet)
	if !ok {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, bits := n.Mask.Size()
	if ip.Is4In6() && bits == 128 {
		ones -= 96 // an IPv4 mask written in IPv6 form
	}
	ip = ip.Unmap()
	if bits == 0 || ones < 0 || ones > ip.BitLen() {
		ones = ip.BitLen() // no usable mask: the address alone
	}
	return netip.PrefixFrom(ip, ones), true
}
