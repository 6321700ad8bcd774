package outbound

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// A Chain hands destination names to its last upstream, which resolves
// them out of our sight, so the target check cannot see the address a name
// ends at. destCheck closes that gap as far as this host can without a DNS
// query the route would not make:
//
//   - IP literals are checked as they are;
//   - names that mean this host wherever they are resolved (localhost,
//     *.localhost, this host's name) and names in the hosts file are checked
//     at the addresses they stand for;
//   - when every hop runs on this host, the last hop resolves with this
//     host's resolver anyway: the name is resolved here and every address
//     checked, which sends no query the hop would not send itself.
//
// A name that a remote upstream resolves to its own loopback is that
// host's business, not ours. destCheck is nil when ctx has no check.
func (c *Chain) destCheck(ctx context.Context) func(context.Context, socks5.Addr) error {
	check, _ := ctx.Value(targetCheckKey{}).(func(netip.AddrPort) error)
	if check == nil {
		return nil
	}
	hopsLocal := c.hopsOnThisHost(check)
	return func(ctx context.Context, dst socks5.Addr) error {
		dst = dst.Canonical()
		if dst.Name == "" {
			return checkIP(check, dst)
		}
		for _, ip := range hostNames.addrs(dst.Name) {
			if err := check(netip.AddrPortFrom(ip, dst.Port)); err != nil {
				return err
			}
		}
		if !hopsLocal {
			return nil
		}
		ips, err := c.forward().lookup(ctx, dst)
		if err != nil {
			return nil // the hop will fail to resolve it the same way
		}
		for _, ip := range ips {
			if err := check(netip.AddrPortFrom(ip, dst.Port)); err != nil {
				return err
			}
		}
		return nil
	}
}

// hopsOnThisHost reports whether every hop runs on this host: the target
// check refuses its address (it is this host's own), or its name means
// this host.
func (c *Chain) hopsOnThisHost(check func(netip.AddrPort) error) bool {
	for _, h := range c.Hops {
		a, err := socks5.ParseAddr(h.Addr)
		if err != nil {
			return false
		}
		ips := []netip.Addr{a.IP}
		if a.Name != "" {
			ips = hostNames.addrs(a.Name)
		}
		local := false
		for _, ip := range ips {
			if ip.IsValid() && check(netip.AddrPortFrom(ip.Unmap(), a.Port)) != nil {
				local = true
			}
		}
		if !local {
			return false
		}
	}
	return true
}

// hostsFile is where the system keeps names it resolves without DNS.
var hostsFile = func() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("SystemRoot"), "System32", "drivers", "etc", "hosts")
	}
	return "/etc/hosts"
}()

// localNames knows the names this host resolves without asking DNS: the
// hosts file (re-read at most every few seconds), the reserved localhost
// names (RFC 6761) and the host's own name.
type localNames struct {
	mu      sync.Mutex
	names   map[string][]netip.Addr
	fetched time.Time
}

var hostNames localNames

const hostNamesTTL = 10 * time.Second

var loopbacks = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}

// addrs returns the addresses name stands for on this host without DNS,
// or nil.
func (l *localNames) addrs(name string) []netip.Addr {
	if socks5.IsLocalhostName(name) {
		return loopbacks
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.names == nil || time.Since(l.fetched) > hostNamesTTL {
		l.names = readHosts(hostsFile)
		if h, err := os.Hostname(); err == nil && h != "" {
			h = strings.ToLower(h)
			if _, ok := l.names[h]; !ok {
				// Debian maps it to 127.0.1.1; elsewhere it resolves to an
				// address of this host: loopback stands for both.
				l.names[h] = loopbacks
			}
		}
		l.fetched = time.Now()
	}
	return l.names[name]
}

// readHosts parses a hosts file: "ADDRESS NAME [ALIAS…]" lines, # comments.
func readHosts(path string) map[string][]netip.Addr {
	names := map[string][]netip.Addr{}
	f, err := os.Open(path)
	if err != nil {
		return names
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(fields[0])
		if err != nil {
			continue
		}
		for _, n := range fields[1:] {
			n = strings.TrimSuffix(strings.ToLower(n), ".")
			names[n] = append(names[n], ip.WithZone("").Unmap())
		}
	}
	return names
}
