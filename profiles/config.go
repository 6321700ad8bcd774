package profiles

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/internal/hostaddr"
)

// ServerConfig turns p and its passwords into the engine's config: the one
// place a profile becomes a server.Config. It fails when p is invalid,
// when a username has no password in c, when the chosen LAN interface is
// missing, or when the server would refuse the result.
func (p *Profile) ServerConfig(c Credentials) (*server.Config, error) {
	return p.ServerConfigWith(c, Hooks{})
}

// Hooks let the app hear what the profile's routes do.
type Hooks struct {
	// GroupEvent is told when a group's member goes down or up, when a
	// group switches member and when all its members are down; on a
	// connection's goroutine, never with a lock held.
	GroupEvent func(outbound.GroupEvent)
}

// ServerConfigWith is ServerConfig with hooks into the routes it builds.
func (p *Profile) ServerConfigWith(c Credentials, h Hooks) (*server.Config, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	host, err := p.ListenHost()
	if err != nil {
		return nil, err
	}
	cfg := &server.Config{
		Listen:            net.JoinHostPort(host, strconv.Itoa(p.Port)),
		Allow:             p.EffectiveAllow(),
		AllowLocalTargets: p.AllowLocalTargets,
		DisableUDP:        p.DisableUDP,
		DisableBind:       p.DisableBind,
		HandshakeTimeout:  p.HandshakeTimeout,
		IdleTimeout:       p.IdleTimeout,
		MaxConns:          p.MaxConns,
	}
	if p.Username != "" {
		if c.Local == "" {
			return nil, fmt.Errorf("profile %q: local user %q has no password", p.Name, p.Username)
		}
		cfg.Username, cfg.Password = p.Username, c.Local
	}
	rt, err := p.routing(c, h)
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	cfg.Route, cfg.Router, cfg.Checks = rt.def, rt.router, rt.checks
	if cfg.PAC, err = p.PAC(); err != nil {
		return nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return cfg, nil
}

// ListenHost is the address the profile listens on: Host, or for a LAN
// share "" (all interfaces) or the chosen interface's address.
func (p *Profile) ListenHost() (string, error) {
	if !p.ShareOnLAN {
		return p.Host, nil
	}
	if p.LANInterface == "" {
		return "", nil
	}
	if ip, err := netip.ParseAddr(p.LANInterface); err == nil {
		return ip.String(), nil
	}
	ip, err := interfaceAddr(p.LANInterface)
	if err != nil {
		return "", fmt.Errorf("profile %q: lan_interface: %w", p.Name, err)
	}
	return ip.String(), nil
}

// interfaceAddr is the address to listen on for the interface name: its
// first IPv4 address, else a global IPv6 one, else a link-local IPv6 one
// (with its zone).
func interfaceAddr(name string) (netip.Addr, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("no interface named %q on this host (it has: %s)", name, interfaceNames())
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("interface %q: %w", name, err)
	}
	var ips []netip.Addr
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				ips = append(ips, ip.Unmap())
			}
		}
	}
	if ip, ok := pickAddr(ips); ok {
		if ip.IsLinkLocalUnicast() && ip.Is6() {
			ip = ip.WithZone(name)
		}
		return ip, nil
	}
	return netip.Addr{}, fmt.Errorf("interface %q has no IP address (is it up and connected?)", name)
}

// pickAddr prefers IPv4, then global IPv6, then link-local IPv6.
func pickAddr(ips []netip.Addr) (netip.Addr, bool) {
	for _, pass := range []func(netip.Addr) bool{
		func(ip netip.Addr) bool { return ip.Is4() },
		func(ip netip.Addr) bool { return ip.IsGlobalUnicast() },
		func(ip netip.Addr) bool { return ip.IsLinkLocalUnicast() },
	} {
		if i := slices.IndexFunc(ips, pass); i >= 0 {
			return ips[i], true
		}
	}
	return netip.Addr{}, false
}

func interfaceNames() string {
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) == 0 {
		return "none"
	}
	names := make([]string, len(ifs))
	for i, ifi := range ifs {
		names[i] = ifi.Name
	}
	return strings.Join(names, ", ")
}

// ErrNoLANAddress is the error of a LAN share on all interfaces when no
// interface has a LAN address to show other devices.
var ErrNoLANAddress = errors.New("this host has no LAN address (is it connected?)")

// ShareAddr is the host other devices reach the profile at: the listen
// host, or for a share on all interfaces this host's first LAN address
// (private IPv4 preferred).
func (p *Profile) ShareAddr() (string, error) {
	host, err := p.ListenHost()
	if err != nil || host != "" {
		return host, err
	}
	ips, err := hostaddr.LAN()
	if err != nil {
		return "", err
	}
	if i := slices.IndexFunc(ips, func(ip netip.Addr) bool { return ip.Is4() && ip.IsPrivate() }); i >= 0 {
		return ips[i].String(), nil
	}
	if ip, ok := pickAddr(ips); ok {
		return ip.String(), nil
	}
	return "", ErrNoLANAddress
}
