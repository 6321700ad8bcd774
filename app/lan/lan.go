// Package lan says how other devices reach a profile's LAN share (its
// addresses and socks5:// link) and who uses it (the clients by host).
package lan

import (
	"net"
	"net/netip"
	"slices"
	"strconv"

	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/hostaddr"
	"github.com/sockstray/sockstray/profiles"
)

// Addrs returns the host:port addresses other devices can use to reach
// p's LAN share (or would, once it is shared): the chosen interface's address, or every address of every
// interface that is up, except loopback, IPv4 first. IPv6 link-local
// addresses are left out: a phone cannot use them without a zone.
func Addrs(p *profiles.Profile) ([]string, error) {
	shared := p.Clone() // where it would listen once shared, when it is not yet
	shared.ShareOnLAN = true
	host, err := shared.ListenHost()
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(p.Port)
	if host != "" {
		return []string{net.JoinHostPort(host, port)}, nil
	}
	ips, err := hostaddr.LAN()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = net.JoinHostPort(ip.String(), port)
	}
	return out, nil
}

// Client is one client host of the proxy and what its live connections
// have moved.
type Client struct {
	Addr     netip.Addr
	Conns    int
	Up, Down int64
	Rate     float64 // bytes per second, both ways
	IDs      []uint64
}

// Clients groups the snapshot's live connections by client host,
// leaving out clients on this host's loopback, sorted by address.
func Clients(s stats.Snapshot) []Client {
	var out []Client
	idx := map[netip.Addr]int{}
	for _, c := range s.Conns {
		ip := c.Client.Addr().Unmap()
		if !ip.IsValid() || ip.IsLoopback() {
			continue
		}
		i, ok := idx[ip]
		if !ok {
			i = len(out)
			idx[ip] = i
			out = append(out, Client{Addr: ip})
		}
		cl := &out[i]
		cl.Conns++
		cl.Up += c.Up
		cl.Down += c.Down
		cl.Rate += c.Rate()
		cl.IDs = append(cl.IDs, c.ID)
	}
	slices.SortFunc(out, func(a, b Client) int { return a.Addr.Compare(b.Addr) })
	return out
}

// ShareLink is the socks5:// link of p's share at addr (host:port), with
// its username and never its password.
func ShareLink(p *profiles.Profile, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	n, _ := strconv.Atoi(port)
	return profiles.Link{Name: p.Name, Host: host, Port: n, Username: p.Username}.Encode(false)
}
