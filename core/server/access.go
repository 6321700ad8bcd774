package server

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
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

func checkNotLocal(dst netip.AddrPort) error {
	ip := dst.Addr().Unmap()
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || localAddrs.has(ip) {
		return fmt.Errorf("%w: %v is this host or its local network", socks5.ErrNotAllowed, dst)
	}
	return nil
}

// hostAddrs caches this host's interface addresses; they change rarely
// (DHCP, VPN) and reading them on every request would cost a netlink dump.
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
		if as, err := net.InterfaceAddrs(); err == nil {
			for _, a := range as {
				if n, ok := a.(*net.IPNet); ok {
					if ip, ok := netip.AddrFromSlice(n.IP); ok {
						h.addrs[ip.Unmap()] = struct{}{}
					}
				}
			}
		}
	}
	_, ok := h.addrs[ip]
	return ok
}
