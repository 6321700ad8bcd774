package profiles

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/testnet"

	"github.com/sockstray/sockstray/internal/winetest"
)

// TestRoutingFromProfile: the profile's rules, then its list's, pick the
// routes it defines; the rest takes the default.
func TestRoutingFromProfile(t *testing.T) {
	list := filepath.Join(winetest.TempDir(t), "ads.list")
	os.WriteFile(list, []byte("# ads\nDOMAIN-SUFFIX,ads.example\nDOMAIN-KEYWORD,tracker\n"), 0o600)
	p := New("r")
	p.Upstreams = []Upstream{
		{Name: "corp", Kind: KindHTTP, Host: "127.0.0.1", Port: 3128},
		{Name: "socks", Host: "127.0.0.1", Port: 1081},
	}
	p.Routes = []Route{
		{Name: "work", Chain: []string{"corp", "socks"}},
		{Name: "auto", Group: []string{"work", "direct"}, Policy: PolicyFastest},
	}
	p.Rules = []string{
		"DOMAIN-SUFFIX,corp.example,work",
		"IP-CIDR,10.20.0.0/16,work",
		"SRC-IP-CIDR,192.168.7.0/24,block",
		"NETWORK,udp,direct",
		"DST-PORT,25,block",
	}
	p.RuleLists = []RuleList{{File: list, Route: "block"}}
	p.DefaultRoute = "auto"
	cfg, err := p.ServerConfig(Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	local := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		dst, client string
		udp         bool
		route, rule string
	}{
		{"www.corp.example:443", "", false, "via 127.0.0.1:3128 → 127.0.0.1:1081", "DOMAIN-SUFFIX,corp.example"},
		{"10.20.1.2:22", "", false, "via 127.0.0.1:3128 → 127.0.0.1:1081", "IP-CIDR,10.20.0.0/16"},
		{"example.org:443", "192.168.7.9", false, "block", "SRC-IP-CIDR,192.168.7.0/24"},
		{"10.20.1.2:22", "192.168.7.9", false, "via 127.0.0.1:3128 → 127.0.0.1:1081", "IP-CIDR,10.20.0.0/16"}, // first match wins
		{"dns.example:53", "", true, "direct", "NETWORK,udp"},
		{"mail.example:25", "", false, "block", "DST-PORT,25"},
		{"x.ads.example:443", "", false, "block", "DOMAIN-SUFFIX,ads.example"},
		{"a.tracker.example:443", "", false, "block", "DOMAIN-KEYWORD,tracker"},
		{"other.example:443", "", false, "fastest[work, direct]", ""},
		// A CIDR rule never makes a name be looked up unless it says resolve.
		{"intranet.example:80", "", false, "fastest[work, direct]", ""},
	} {
		dst, _ := socks5.ParseAddr(tc.dst)
		client := local
		if tc.client != "" {
			client = netip.MustParseAddr(tc.client)
		}
		route, rule := cfg.Router(server.Query{Dst: dst, Client: client, UDP: tc.udp})
		if route.String() != tc.route || rule != tc.rule {
			t.Errorf("%s from %v (udp %v): %q by %q, want %q by %q", tc.dst, client, tc.udp, route, rule, tc.route, tc.rule)
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	dir := winetest.TempDir(t)
	bad := filepath.Join(dir, "bad.list")
	os.WriteFile(bad, []byte("DOMAIN,ok.example\nIP-CIDR,10.0.0.0/33\n"), 0o600)
	other := filepath.Join(dir, "other.list")
	os.WriteFile(other, []byte("DOMAIN,x.example,nowhere\n"), 0o600)
	for _, tc := range []struct {
		name string
		edit func(*Profile)
		want string
	}{
		{"bad profile rule", func(p *Profile) { p.Rules = []string{"DOMAIN-SUFIX,a.example,direct"} }, `rules[1]: unknown rule type "DOMAIN-SUFIX"`},
		{"rule without route", func(p *Profile) { p.Rules = []string{"DOMAIN,a.example"} }, `rules[1]: DOMAIN,a.example: no route`},
		{"rule to a missing route", func(p *Profile) { p.Rules = []string{"DOMAIN,a.example,work"} }, `rules[1]: "work" is not a route here`},
		{"bad list line", func(p *Profile) { p.RuleLists = []RuleList{{File: bad, Route: "block"}} }, "bad.list:2: IP-CIDR"},
		{"list line to a missing route", func(p *Profile) { p.RuleLists = []RuleList{{File: other, Route: "block"}} }, `route "nowhere" is not a route of profile "r"`},
		{"missing list", func(p *Profile) { p.RuleLists = []RuleList{{File: filepath.Join(dir, "gone.list"), Route: "block"}} }, "rule_list[1]: open"},
		{"list that is a folder", func(p *Profile) { p.RuleLists = []RuleList{{File: dir, Route: "block"}} }, "is a folder, not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New("r")
			tc.edit(p)
			_, err := p.ServerConfig(Credentials{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ServerConfig: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestRelativeRuleListInStoreFolder: a relative rule list path is read
// from the folder of the store the profile came from, not the default
// profiles folder.
func TestRelativeRuleListInStoreFolder(t *testing.T) {
	s := newStore(t)
	writeProfile(t, s, "r", "version = 2\n[[rule_list]]\nfile = \"ads.list\"\nroute = \"block\"\n")
	if err := os.WriteFile(filepath.Join(s.Dir, "ads.list"), []byte("DOMAIN,ads.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load("r")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.ServerConfig(Credentials{})
	if err != nil {
		t.Fatalf("a list next to the profile: %v", err)
	}
	if r, _ := cfg.Pick(server.Query{Dst: socks5.Addr{Name: "ads.example", Port: 443}}); r.String() != "block" {
		t.Errorf("ads.example goes %s, want block", r)
	}
	if _, err := p.Clone().ServerConfig(Credentials{}); err != nil {
		t.Errorf("a clone lost the folder: %v", err)
	}
}

// TestWatchRuleListChange: editing a rule list a profile uses reports the
// profile as changed, so the new rules apply live; a broken list is
// reported with its line by the config that would use it, and the
// profile file itself stays valid (the last good config stays in force).
func TestWatchRuleListChange(t *testing.T) {
	s := newStore(t)
	writeProfile(t, s, "r", "version = 2\n")
	list := filepath.Join(s.Dir, "ads.list")
	os.WriteFile(list, []byte("DOMAIN,one.example\n"), 0o600)
	writeProfile(t, s, "r", "version = 2\n[[rule_list]]\nfile = "+jsString(list)+"\nroute = \"block\"\n")
	writeProfile(t, s, "other", "version = 2\n")
	w, err := s.Watch()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	route := func(p *Profile, host string) string {
		cfg, err := p.ServerConfig(Credentials{})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := cfg.Pick(server.Query{Dst: socks5.Addr{Name: host, Port: 443}})
		return r.String()
	}

	os.WriteFile(list, []byte("DOMAIN,one.example\nDOMAIN,two.example\n"), 0o600)
	ev := nextEvent(t, w)
	if ev.Kind != Changed || ev.Name != "r" || route(ev.Profile, "two.example") != "block" {
		t.Fatalf("after the list grew: %v %s", ev.Kind, ev.Name)
	}
	os.WriteFile(list, []byte("IP-CIDR,10.0.0.0/40\n"), 0o600)
	ev = nextEvent(t, w)
	if ev.Kind != Changed || ev.Name != "r" {
		t.Fatalf("after the list broke: %v %s", ev.Kind, ev.Name)
	}
	if _, err := ev.Profile.ServerConfig(Credentials{}); err == nil || !strings.Contains(err.Error(), "ads.list:1: IP-CIDR") {
		t.Errorf("a broken list: %v, want its file:line", err)
	}
	select {
	case ev := <-w.Events():
		t.Errorf("an event for a profile that uses no list: %v %s", ev.Kind, ev.Name)
	case <-time.After(2 * Debounce):
	}
}

// TestGroupHealthChecks: a group with check_interval probes its members
// without any client traffic while its config is in force, and stops
// when the server does; without it, nothing is probed.
func TestGroupHealthChecks(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4").String()
	dead := freePort(t)
	p := New("checked")
	p.Upstreams = []Upstream{{Name: "dead", Host: "127.0.0.1", Port: dead}}
	p.Routes = []Route{
		{Name: "via-dead", Chain: []string{"dead"}},
		{Name: "auto", Group: []string{"via-dead", "direct"}, CheckInterval: time.Second, CheckTarget: echo},
	}
	p.DefaultRoute = "auto"
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	events := make(chan outbound.GroupEvent, 16)
	cfg, err := p.ServerConfigWith(Credentials{}, Hooks{GroupEvent: func(e outbound.GroupEvent) { events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Checks) != 1 {
		t.Fatalf("%d checkers, want the group's", len(cfg.Checks))
	}
	srv := server.New(cfg, stats.New(nil))
	select {
	case e := <-events:
		if e.Kind != outbound.MemberDown || e.Member != "via-dead" {
			t.Errorf("first event %+v, want via-dead down", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the dead member was not found out without traffic")
	}
	srv.Close()

	p.Routes[1].CheckInterval, p.Routes[1].CheckTarget = 0, ""
	if cfg, err := p.ServerConfig(Credentials{}); err != nil || len(cfg.Checks) != 0 {
		t.Errorf("checks off: %v, %d checkers", err, len(cfg.Checks))
	}
	p.Routes[1].CheckInterval = time.Minute
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "check_target") {
		t.Errorf("checks without a target: %v", err)
	}
}
