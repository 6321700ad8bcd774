package rules

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// linearMatch is the obvious implementation: try each rule in order. The
// indexed Match must agree with it.
func linearMatch(rules []Rule, q Query, addrs []netip.Addr) int {
	ip, name := q.Addr, ""
	if !ip.IsValid() {
		if a, err := netip.ParseAddr(q.Host); err == nil {
			ip = a.Unmap().WithZone("")
		} else {
			name = strings.ToLower(strings.TrimSuffix(q.Host, "."))
		}
	}
	for i, r := range rules {
		ok := false
		switch r.Kind {
		case KindDomain:
			ok = name == r.Domain
		case KindDomainSuffix:
			ok = name == r.Domain || strings.HasSuffix(name, "."+r.Domain)
		case KindDomainKeyword:
			ok = name != "" && strings.Contains(name, r.Domain)
		case KindIPCIDR:
			ok = ip.IsValid() && r.Prefix.Contains(ip)
			for _, a := range addrs {
				ok = ok || (name != "" && r.Resolve && r.Prefix.Contains(a))
			}
		case KindSrcIPCIDR:
			ok = r.Prefix.Contains(q.Client.Unmap())
		case KindDstPort:
			for _, p := range r.Ports {
				ok = ok || (p.Lo <= q.Port && q.Port <= p.Hi)
			}
		case KindNetwork:
			ok = r.UDP == q.UDP
		case KindMatch:
			ok = true
		}
		if ok {
			return i
		}
	}
	return -1
}

func TestMatchAgreesWithLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	labels := []string{"a", "b", "ex", "com", "ads", "net"}
	name := func() string {
		n := 1 + rng.IntN(4)
		var parts []string
		for range n {
			parts = append(parts, labels[rng.IntN(len(labels))])
		}
		return strings.Join(parts, ".")
	}
	ip := func() netip.Addr {
		if rng.IntN(4) == 0 {
			return netip.AddrFrom16([16]byte{0xfd, byte(rng.IntN(4)), 15: byte(rng.IntN(4))})
		}
		return netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(4)), byte(rng.IntN(4))})
	}
	pfx := func() string {
		a := ip()
		return netip.PrefixFrom(a, rng.IntN(a.BitLen()+1)).Masked().String()
	}
	for round := range 200 {
		var lines []string
		for i := range 1 + rng.IntN(30) {
			var l string
			switch rng.IntN(9) {
			case 0:
				l = "DOMAIN," + name()
			case 1, 2:
				l = "DOMAIN-SUFFIX," + name()
			case 3:
				l = "DOMAIN-KEYWORD," + labels[rng.IntN(len(labels))]
			case 4, 5:
				l = "IP-CIDR," + pfx()
				if rng.IntN(2) == 0 {
					l += ",r" + fmt.Sprint(i) + ",no-resolve"
				}
			case 6:
				l = "SRC-IP-CIDR," + pfx()
			case 7:
				lo := rng.IntN(10)
				l = fmt.Sprintf("DST-PORT,%d-%d", lo, lo+rng.IntN(3))
			case 8:
				l = []string{"NETWORK,udp", "NETWORK,tcp", "MATCH"}[rng.IntN(3)]
			}
			if !strings.Contains(l, ",r") {
				l += ",r" + fmt.Sprint(i)
			}
			lines = append(lines, l)
		}
		s := mustSet(t, lines...)
		for range 50 {
			q := Query{Port: uint16(rng.IntN(12)), Client: ip(), UDP: rng.IntN(2) == 0}
			var addrs []netip.Addr
			if rng.IntN(2) == 0 {
				q.Host = ip().String()
			} else {
				q.Host = name()
				addrs = []netip.Addr{ip(), ip()}
			}
			calls := 0
			q.Resolve = func(string) ([]netip.Addr, error) { calls++; return addrs, nil }
			want := linearMatch(s.rules, q, addrs)
			if got := s.Match(q); got.Index != want || calls > 1 {
				t.Fatalf("round %d: %+v: Match = rule %d (%d lookups), linear = rule %d\nrules:\n%s",
					round, q, got.Index, calls, want, strings.Join(lines, "\n"))
			}
		}
	}
}
