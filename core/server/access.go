package server

import (
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/hostaddr"
)

// clientAllowed reports whether a client may use the proxy at all. The
// allowlist is about other hosts: this host's own programs (loopback)
// always pass it, or sharing on the LAN with the default private ranges
// would lock out the user's own browser.
func clientAllowed(allow []netip.Prefix, client netip.Addr) bool {
	client = client.Unmap()
	if len(allow) == 0 || client.IsLoopback() {
		return true
	}
	for _, p := range allow {
		if p.Contains(client) {
			return true
		}
	}
	return false
}

// targetCheck returns the rule for the destinations of one client: nil when
// it may reach anything. Clients on this host may reach its loopback
// anyway, so the rule only guards clients from other hosts.
func targetCheck(cfg *Config, client netip.Addr) func(netip.AddrPort) error {
	if cfg.AllowLocalTargets || client.Unmap().IsLoopback() {
		return nil
	}
	return checkNotLocal
}

// checkNotLocal refuses what a client from another host may not reach:
// this host (its addresses, loopback, the unspecified address), its
// link-local networks, and everything that would reach this host among
// others: broadcast (limited, and directed to one of its subnets) and
// multicast.
func checkNotLocal(dst netip.AddrPort) error {
	ip := dst.Addr().Unmap()
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() ||
		ip.IsMulticast() || ip == limitedBroadcast || localAddrs.has(ip) {
		return fmt.Errorf("%w: %v is this host or its local network", socks5.ErrNotAllowed, dst)
	}
	return nil
}

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// hostAddrs caches this host's interface addresses and the directed
// broadcast addresses of its IPv4 subnets; they change rarely (DHCP, VPN)
// and reading them on every request would cost a netlink dump.
type hostAddrs struct {
	mu      sync.Mutex
	addrs   map[netip.Addr]struct{}
	fetched time.Time
}

var localAddrs hostAddrs

const hostAddrsTTL = 10 * time.Second

func (h *hostAddrs) has(ip netip.Addr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.addrs == nil || time.Since(h.fetched) > hostAddrsTTL {
		h.addrs = map[netip.Addr]struct{}{}
		h.fetched = time.Now()
		if all, err := hostaddr.All(); err == nil {
			for _, p := range all {
				h.add(p)
			}
		}
	}
	_, ok := h.addrs[ip]
	return ok
}

// add records an interface address and, for IPv4, its subnet's broadcast
// address.
func (h *hostAddrs) add(p netip.Prefix) {
	ip := p.Addr()
	h.addrs[ip] = struct{}{}
	if !ip.Is4() || p.Bits() >= 31 {
		return
	}
	b := ip.As4()
	host := ^uint32(0) >> p.Bits()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	h.addrs[netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})] = struct{}{}
}
