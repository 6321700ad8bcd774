package hostaddr

import (
	"net"
	"net/netip"
	"testing"
)

func TestAllHasLoopback(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Addr() == netip.MustParseAddr("127.0.0.1") {
			if p.Bits() != 8 {
				t.Errorf("127.0.0.1 on %v, want its /8", p)
			}
			return
		}
	}
	t.Errorf("127.0.0.1 not among this host's addresses %v", all)
}

func TestLANLeavesOutLoopbackAndLinkLocal(t *testing.T) {
	lan, err := LAN()
	if err != nil {
		t.Fatal(err)
	}
	seen6 := false
	for _, ip := range lan {
		if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.Is4In6() {
			t.Errorf("LAN address %v", ip)
		}
		if ip.Is6() {
			seen6 = true
		} else if seen6 {
			t.Errorf("IPv4 %v after IPv6 in %v", ip, lan)
		}
	}
}

func TestPrefixOf(t *testing.T) {
	for _, c := range []struct {
		n    net.IPNet
		want string
	}{
		{net.IPNet{IP: net.IPv4(192, 168, 1, 7), Mask: net.CIDRMask(24, 32)}, "192.168.1.7/24"},
		{net.IPNet{IP: net.IPv4(192, 168, 1, 7), Mask: net.CIDRMask(120, 128)}, "192.168.1.7/24"},
		{net.IPNet{IP: net.ParseIP("fd00::5"), Mask: net.CIDRMask(64, 128)}, "fd00::5/64"},
		{net.IPNet{IP: net.ParseIP("10.0.0.1").To4(), Mask: nil}, "10.0.0.1/32"},
	} {
		got, ok := prefixOf(&c.n)
		if !ok || got.String() != c.want {
			t.Errorf("prefixOf(%v) = %v, %v; want %s", c.n, got, ok, c.want)
		}
	}
}
