package profiles

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
)

func TestServerConfig(t *testing.T) {
	p := New("chain")
	p.Port = 1085
	p.Username = "me"
	p.AllowLocalTargets = true
	p.DisableUDP, p.DisableBind = true, true
	p.HandshakeTimeout, p.IdleTimeout, p.MaxConns = 3*time.Second, time.Minute, 7
	p.Upstreams = []Upstream{{Host: "::1", Port: 1081, Username: "u1"}, {Host: "b.example", Port: 1082}}
	cfg, err := p.ServerConfig(Credentials{Local: "L", Upstream: []string{"U1", ""}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:1085" || cfg.Username != "me" || cfg.Password != "L" || !cfg.AllowLocalTargets ||
		!cfg.DisableUDP || !cfg.DisableBind || cfg.HandshakeTimeout != 3*time.Second || cfg.IdleTimeout != time.Minute ||
		cfg.MaxConns != 7 || len(cfg.Allow) != 0 {
		t.Errorf("config %+v", cfg)
	}
	chain, ok := cfg.Route.(*outbound.Chain)
	want := []outbound.Upstream{{Addr: "[::1]:1081", Username: "u1", Password: "U1"}, {Addr: "b.example:1082"}}
	if !ok || !slices.Equal(chain.Hops, want) {
		t.Errorf("route %#v, want a chain of %#v", cfg.Route, want)
	}
	if s := fmt.Sprintf("%v %+v", cfg.Route, chain.Hops); strings.Contains(s, "U1") {
		t.Errorf("the route prints a password: %s", s)
	}

	_, err = p.ServerConfig(Credentials{Upstream: []string{"U1", ""}})
	if err == nil || err.Error() != `profile "chain": local user "me" has no password` {
		t.Errorf("no local password: %v", err)
	}
	_, err = p.ServerConfig(Credentials{Local: "L"})
	if err == nil || err.Error() != `profile "chain": upstream[1] (u1@[::1]:1081) user "u1" has no password` {
		t.Errorf("no upstream password: %v", err)
	}
	p.Port = 0
	if _, err := p.ServerConfig(Credentials{}); err == nil || !strings.Contains(err.Error(), "port: 0 is not a port") {
		t.Errorf("invalid profile: %v", err)
	}
}

func TestServerConfigLAN(t *testing.T) {
	p := New("lan")
	p.ShareOnLAN, p.Open = true, true
	cfg, err := p.ServerConfig(Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != ":1080" || !slices.Equal(cfg.Allow, PrivateNetworks) || cfg.AllowLocalTargets {
		t.Errorf("all interfaces: listen %q allow %v local %v", cfg.Listen, cfg.Allow, cfg.AllowLocalTargets)
	}

	p.LANInterface = "192.168.7.7"
	if cfg, err := p.ServerConfig(Credentials{}); err != nil || cfg.Listen != "192.168.7.7:1080" {
		t.Errorf("an address: %v, %v", cfg, err)
	}

	lo := loopbackInterface(t)
	p.LANInterface = lo
	if cfg, err := p.ServerConfig(Credentials{}); err != nil || cfg.Listen != "127.0.0.1:1080" {
		t.Errorf("interface %s: %v, %v", lo, cfg, err)
	}

	p.LANInterface = "nope0"
	_, err = p.ServerConfig(Credentials{})
	want := `profile "lan": lan_interface: no interface named "nope0" on this host (it has: `
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), lo) {
		t.Errorf("missing interface: %v", err)
	}

	// A catch-all allowlist is no allowlist: never open to the world
	// without a password, whatever the profile says.
	p.LANInterface = ""
	p.Allow = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
	for _, open := range []bool{true, false} {
		p.Open = open
		if _, err := p.ServerConfig(Credentials{}); err == nil || !strings.Contains(err.Error(), "allow: admits most of the Internet") {
			t.Errorf("catch-all allowlist, open = %v: %v", open, err)
		}
	}
}

func loopbackInterface(t *testing.T) string {
	t.Helper()
	ifs, _ := net.Interfaces()
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			addrs, _ := ifi.Addrs()
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
					return ifi.Name
				}
			}
		}
	}
	t.Fatal("no loopback interface with an IPv4 address")
	return ""
}
