package rules

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// mustSet builds a Set from profile-style lines, one rule each, with
// "default" as the default route.
func mustSet(t testing.TB, lines ...string) *Set {
	t.Helper()
	var rs []Rule
	for _, l := range lines {
		r, err := ParseLine(l, "")
		if err != nil {
			t.Fatalf("ParseLine(%q): %v", l, err)
		}
		rs = append(rs, r)
	}
	s, err := New(rs, "default")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type matchCase struct {
	name  string
	q     Query
	route string
	rule  string // the matching rule's Condition, "" for the default
}

func runMatch(t *testing.T, s *Set, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.Match(c.q)
			got := ""
			if res.Rule != nil {
				got = res.Rule.Condition()
				if s.rules[res.Index].Condition() != got {
					t.Errorf("Index %d does not point at Rule", res.Index)
				}
			} else if res.Index != -1 {
				t.Errorf("default route with Index %d", res.Index)
			}
			if res.Route != c.route || got != c.rule {
				t.Errorf("Match(%+v) = %q by %q, want %q by %q", c.q, res.Route, got, c.route, c.rule)
			}
		})
	}
}

func TestMatchDomains(t *testing.T) {
	s := mustSet(t,
		"DOMAIN,host.example.com,exact",
		"DOMAIN-SUFFIX,example.com,suffix",
		"DOMAIN-KEYWORD,ads,keyword",
		"DOMAIN-SUFFIX,xn--bcher-kva.example,puny",
		"DOMAIN,Upper.Example.ORG.,folded",
		"DOMAIN,2024,digits",
	)
	runMatch(t, s, []matchCase{
		{"exact", Query{Host: "host.example.com"}, "exact", "DOMAIN,host.example.com"},
		{"suffix itself", Query{Host: "example.com"}, "suffix", "DOMAIN-SUFFIX,example.com"},
		{"suffix sub", Query{Host: "a.b.example.com"}, "suffix", "DOMAIN-SUFFIX,example.com"},
		{"suffix not mid-label", Query{Host: "badexample.com"}, "default", ""},
		{"suffix not prefix", Query{Host: "example.com.evil.net"}, "default", ""},
		{"exact not sub", Query{Host: "x.host.example.com"}, "suffix", "DOMAIN-SUFFIX,example.com"},
		{"keyword", Query{Host: "my-ads-server.net"}, "keyword", "DOMAIN-KEYWORD,ads"},
		{"keyword after suffix", Query{Host: "ads.example.com"}, "suffix", "DOMAIN-SUFFIX,example.com"},
		{"case", Query{Host: "HOST.Example.COM"}, "exact", "DOMAIN,host.example.com"},
		{"trailing dot", Query{Host: "host.example.com."}, "exact", "DOMAIN,host.example.com"},
		{"rule folded", Query{Host: "upper.example.org"}, "folded", "DOMAIN,upper.example.org"},
		{"punycode as given", Query{Host: "www.xn--bcher-kva.example"}, "puny", "DOMAIN-SUFFIX,xn--bcher-kva.example"},
		{"unicode not converted", Query{Host: "www.bücher.example"}, "default", ""},
		{"digits are a name", Query{Host: "2024"}, "digits", "DOMAIN,2024"},
		{"ip is no name", Query{Host: "93.184.216.34"}, "default", ""},
		{"empty", Query{}, "default", ""},
	})
}

func TestMatchCIDR(t *testing.T) {
	s := mustSet(t,
		"IP-CIDR,10.1.0.0/16,narrow-first,no-resolve",
		"IP-CIDR,10.0.0.0/8,wide,no-resolve",
		"IP-CIDR,10.2.3.0/24,unreachable,no-resolve",
		"IP-CIDR6,fd00::/8,v6,no-resolve",
		"IP-CIDR6,::ffff:192.168.0.0/112,mapped-rule,no-resolve",
	)
	a := netip.MustParseAddr
	runMatch(t, s, []matchCase{
		{"narrow", Query{Host: "10.1.2.3"}, "narrow-first", "IP-CIDR,10.1.0.0/16"},
		{"wide", Query{Host: "10.9.9.9"}, "wide", "IP-CIDR,10.0.0.0/8"},
		// A longer prefix later in the list loses to the earlier /8.
		{"first wins over longest", Query{Host: "10.2.3.4"}, "wide", "IP-CIDR,10.0.0.0/8"},
		{"v6", Query{Host: "fd12::1"}, "v6", "IP-CIDR6,fd00::/8"},
		{"v6 zone", Query{Host: "fd12::1%eth0"}, "v6", "IP-CIDR6,fd00::/8"},
		{"v4-mapped dest", Query{Host: "::ffff:10.1.0.1"}, "narrow-first", "IP-CIDR,10.1.0.0/16"},
		{"v4-mapped rule", Query{Host: "192.168.3.4"}, "mapped-rule", "IP-CIDR,192.168.0.0/16"},
		{"Addr field", Query{Addr: a("10.9.0.1"), Host: "ignored.example"}, "wide", "IP-CIDR,10.0.0.0/8"},
		{"miss", Query{Host: "11.0.0.1"}, "default", ""},
		{"name never matches no-resolve", Query{Host: "ten.example", Resolve: func(string) ([]netip.Addr, error) {
			t.Error("resolver called for no-resolve rules")
			return nil, nil
		}}, "default", ""},
	})
}

func TestMatchPortsClientUDP(t *testing.T) {
	s := mustSet(t,
		"SRC-IP-CIDR,192.168.1.0/24,lan",
		"NETWORK,udp,udp-route",
		"DST-PORT,22,ssh",
		"DST-PORT,8000-8999,range",
		"DST-PORT,25/465/587,mail",
		"DST-PORT,65535,top",
	)
	a := netip.MustParseAddr
	ext := a("203.0.113.5")
	runMatch(t, s, []matchCase{
		{"client net", Query{Host: "x.org", Port: 22, Client: a("192.168.1.77")}, "lan", "SRC-IP-CIDR,192.168.1.0/24"},
		{"client mapped", Query{Host: "x.org", Client: a("::ffff:192.168.1.9")}, "lan", "SRC-IP-CIDR,192.168.1.0/24"},
		{"client outside", Query{Host: "x.org", Port: 22, Client: a("192.168.2.1")}, "ssh", "DST-PORT,22"},
		{"no client", Query{Host: "x.org", Port: 1}, "default", ""},
		{"udp", Query{Host: "x.org", Port: 22, Client: ext, UDP: true}, "udp-route", "NETWORK,udp"},
		{"range low edge", Query{Host: "x.org", Port: 8000, Client: ext}, "range", "DST-PORT,8000-8999"},
		{"range high edge", Query{Host: "x.org", Port: 8999, Client: ext}, "range", "DST-PORT,8000-8999"},
		{"below range", Query{Host: "x.org", Port: 7999, Client: ext}, "default", ""},
		{"above range", Query{Host: "x.org", Port: 9000, Client: ext}, "default", ""},
		{"list", Query{Host: "1.2.3.4", Port: 465, Client: ext}, "mail", "DST-PORT,25/465/587"},
		{"max port", Query{Host: "x.org", Port: 65535}, "top", "DST-PORT,65535"},
	})
}

func TestMatchFirstWinsAcrossKinds(t *testing.T) {
	s := mustSet(t,
		"DST-PORT,25,smtp-block",
		"DOMAIN-KEYWORD,track,keyword",
		"DOMAIN-SUFFIX,corp.example,work",
		"IP-CIDR,10.0.0.0/8,work,no-resolve",
		"SRC-IP-CIDR,192.168.0.0/16,lan",
		"DOMAIN,tracker.corp.example,never",
		"NETWORK,tcp,tcp-route",
		"MATCH,final",
		"DOMAIN,after.match,dead",
	)
	lan := netip.MustParseAddr("192.168.5.5")
	runMatch(t, s, []matchCase{
		{"port before suffix", Query{Host: "mx.corp.example", Port: 25}, "smtp-block", "DST-PORT,25"},
		{"keyword before exact", Query{Host: "tracker.corp.example", Port: 443}, "keyword", "DOMAIN-KEYWORD,track"},
		{"suffix before src", Query{Host: "git.corp.example", Port: 443, Client: lan}, "work", "DOMAIN-SUFFIX,corp.example"},
		{"cidr before src", Query{Host: "10.0.0.1", Port: 443, Client: lan}, "work", "IP-CIDR,10.0.0.0/8"},
		{"src", Query{Host: "example.org", Port: 443, Client: lan}, "lan", "SRC-IP-CIDR,192.168.0.0/16"},
		{"network", Query{Host: "example.org", Port: 443}, "tcp-route", "NETWORK,tcp"},
		{"match", Query{Host: "example.org", Port: 443, UDP: true}, "final", "MATCH"},
		{"nothing after MATCH", Query{Host: "after.match", UDP: true}, "final", "MATCH"},
	})
}

func TestMatchDefaultRoute(t *testing.T) {
	s, err := New(nil, "direct")
	if err != nil {
		t.Fatal(err)
	}
	res := s.Match(Query{Host: "example.com", Port: 443})
	if res.Route != "direct" || res.Rule != nil || res.Index != -1 {
		t.Fatalf("empty set: %+v", res)
	}
}

// resolver records the names it is asked for.
type resolver struct {
	calls []string
	addrs []netip.Addr
	err   error
}

func (r *resolver) resolve(name string) ([]netip.Addr, error) {
	r.calls = append(r.calls, name)
	return r.addrs, r.err
}

func TestMatchResolve(t *testing.T) {
	s := mustSet(t,
		"DOMAIN-SUFFIX,early.example,early",
		"IP-CIDR,10.0.0.0/8,private,resolve",
		"DOMAIN-SUFFIX,late.example,late",
		"IP-CIDR6,fd00::/8,v6,no-resolve",
	)
	ten := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("10.1.1.1")}
	tests := []struct {
		name           string
		host           string
		r              *resolver // nil: no resolver
		route          string
		calls          int
		unres, resolvd bool
	}{
		{"match before resolve rule", "a.early.example", &resolver{addrs: ten}, "early", 0, false, false},
		{"ip literal needs no lookup", "10.2.2.2", &resolver{}, "private", 0, false, false},
		{"resolved into rule", "a.late.example", &resolver{addrs: ten}, "private", 1, false, true},
		{"resolved, no hit", "a.late.example", &resolver{addrs: ten[:1]}, "late", 1, false, true},
		{"resolve error", "a.late.example", &resolver{err: errors.New("nxdomain")}, "late", 1, false, true},
		{"no resolver", "a.late.example", nil, "late", 0, true, false},
		{"no resolver, miss", "other.example", nil, "default", 0, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := Query{Host: tc.host, Port: 443}
			if tc.r != nil {
				q.Resolve = tc.r.resolve
			}
			res := s.Match(q)
			calls := 0
			if tc.r != nil {
				calls = len(tc.r.calls)
				for _, c := range tc.r.calls {
					if c != strings.ToLower(tc.host) {
						t.Errorf("resolver asked for %q", c)
					}
				}
			}
			if res.Route != tc.route || calls != tc.calls || res.Unresolved != tc.unres || res.Resolved != tc.resolvd {
				t.Errorf("got route %q, %d calls, Unresolved %v, Resolved %v; want %q, %d, %v, %v",
					res.Route, calls, res.Unresolved, res.Resolved, tc.route, tc.calls, tc.unres, tc.resolvd)
			}
			if (tc.r != nil && tc.r.err != nil) != (res.ResolveErr != nil) {
				t.Errorf("ResolveErr = %v", res.ResolveErr)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	bad := []Rule{
		{Kind: KindDomain, Domain: "a.example", Source: "x.list:3"}, // no route
		{Kind: KindDomainSuffix, Domain: "a..b", Route: "r"},        // empty label
		{Kind: KindIPCIDR, Route: "r"},                              // no prefix
		{Kind: KindDstPort, Ports: []PortRange{{9, 8}}, Route: "r"}, // reversed
		{Kind: KindDstPort, Route: "r"},                             // no ports
		{Kind: Kind(99), Route: "r"},                                // unknown
		{Kind: KindDomain, Domain: "a.example", Route: " r"},
		{Kind: KindDomain, Domain: "a.example", Route: "No-Resolve"},
		{Kind: KindDomain, Domain: "10.0.0.1", Route: "r"}, // an IP
	}
	for _, r := range bad {
		if _, err := New([]Rule{r}, "d"); err == nil {
			t.Errorf("New accepted %+v", r)
		} else if r.Source != "" && !strings.HasPrefix(err.Error(), r.Source+": ") {
			t.Errorf("error %q does not start with the source", err)
		}
	}
}

func TestNewCopies(t *testing.T) {
	rs := []Rule{{Kind: KindDstPort, Ports: []PortRange{{80, 80}}, Route: "web"}}
	s, err := New(rs, "d")
	if err != nil {
		t.Fatal(err)
	}
	rs[0].Ports[0] = PortRange{1, 1}
	rs[0].Route = "changed"
	if res := s.Match(Query{Host: "x.org", Port: 80}); res.Route != "web" {
		t.Fatalf("the Set shares memory with its input: %+v", res)
	}
}

func TestMatchConcurrent(t *testing.T) {
	s := mustSet(t, "DOMAIN-SUFFIX,example.com,a", "IP-CIDR,10.0.0.0/8,b,no-resolve")
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 1000 {
				if s.Match(Query{Host: "www.example.com"}).Route != "a" || s.Match(Query{Host: "10.0.0.1"}).Route != "b" {
					t.Error("wrong route under concurrency")
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}
