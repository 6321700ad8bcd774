package profiles

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidName(t *testing.T) {
	for _, ok := range []string{"Direct", "work", "Home LAN", "café", "a.b", "x-1_(2)", strings.Repeat("n", 64)} {
		if err := ValidName(ok); err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", ok, err)
		}
	}
	for _, tc := range []struct{ name, want string }{
		{"", "a name is needed (1–64 characters)"},
		{strings.Repeat("n", 65), "is longer than 64 characters"},
		{"a/b", `"a/b" holds one of / \ : * ? " < > |, which file names cannot`},
		{`a\b`, `holds one of /`},
		{"a:b", `holds one of /`},
		{"a\tb", `"a\tb" holds a control character`},
		{".hidden", `".hidden" starts with '.'; start with a letter or digit`},
		{"-x", `starts with '-'`},
		{"trail.", "ends with a dot or a space"},
		{"trail ", "ends with a dot or a space"},
		{"CON", `"CON" is a device name on Windows`},
		{"lpt1.x", "is a device name on Windows"},
		{"bad\xff", "is not valid UTF-8"},
	} {
		err := ValidName(tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidName(%q) = %v, want it to say %q", tc.name, err, tc.want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	p := New("a/b")
	p.Host = "10.0.0.1"
	p.Port = 0
	p.Username = strings.Repeat("u", 256)
	p.Allow = []netip.Prefix{{}}
	p.Upstreams = []Upstream{{Host: "", Port: 1080}, {Host: "bad host", Port: 70000}}
	p.HandshakeTimeout = 0
	p.IdleTimeout = -time.Second
	p.MaxConns = -1
	err := p.Validate()
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("Validate = %v, want *InvalidError", err)
	}
	want := []string{
		`name: "a/b" holds one of / \ : * ? " < > |, which file names cannot`,
		`host: "10.0.0.1" is not a loopback address (127.0.0.1, ::1, localhost); to listen on the LAN set share_on_lan = true`,
		`port: 0 is not a port (1–65535)`,
		`username: longer than 255 bytes (RFC 1929)`,
		`allow[1]: not a CIDR such as 192.168.1.0/24`,
		`upstream[1].host: empty; want a host name or IP address`,
		`upstream[2].host: "bad host" is not an IP address or host name`,
		`upstream[2].port: 70000 is not a port (1–65535)`,
		`options.handshake_timeout: 0s is out of range; want more than 0s and at most 1h, such as "10s"`,
		`options.idle_timeout: -1s is negative; want 0s (never) or a duration such as "5m"`,
		`options.max_connections: -1 is out of range; want 0 (no limit) to 1000000`,
	}
	var got []string
	for _, pr := range ie.Problems {
		got = append(got, pr.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(err.Error(), `profile "a/b": name: `) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Error() = %q, want one line starting with the profile", err)
	}
}

func TestLANShareSafety(t *testing.T) {
	const openMsg = "share_on_lan: sharing on the LAN with no username and no narrowed allowlist"
	const catchAllMsg = "allow: admits most of the Internet, which is as open as no allowlist"
	for _, tc := range []struct {
		name string
		edit func(*Profile)
		want string // "" for valid
	}{
		{"no password, default allowlist", func(p *Profile) {}, openMsg + " lets anyone on the private networks use the proxy"},
		{"no password, catch-all allowlist", func(p *Profile) { p.Allow = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")} }, catchAllMsg},
		{"no password, halves that cover the Internet, even open", func(p *Profile) {
			p.Allow = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/1"), netip.MustParsePrefix("128.0.0.0/1")}
			p.Open = true
		}, catchAllMsg},
		{"no password, IPv6 global unicast", func(p *Profile) { p.Allow = []netip.Prefix{netip.MustParsePrefix("2000::/3")} }, catchAllMsg},
		{"open acknowledged", func(p *Profile) { p.Open = true }, ""},
		{"username", func(p *Profile) { p.Username = "me" }, ""},
		{"narrowed allowlist", func(p *Profile) { p.Allow = []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")} }, ""},
		{"username and catch-all", func(p *Profile) {
			p.Username = "me"
			p.Allow = []netip.Prefix{netip.MustParsePrefix("::/0")}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New("lan")
			p.ShareOnLAN = true
			tc.edit(p)
			err := p.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEffectiveAllow(t *testing.T) {
	p := New("x")
	if got := p.EffectiveAllow(); len(got) != 0 {
		t.Errorf("loopback profile: allow %v, want none (anyone on this host)", got)
	}
	p.ShareOnLAN = true
	got := p.EffectiveAllow()
	if !slices.Equal(got, PrivateNetworks) {
		t.Errorf("LAN default allow = %v, want the private ranges", got)
	}
	for _, pr := range got {
		if pr.Bits() == 0 {
			t.Errorf("default allowlist holds catch-all %v", pr)
		}
	}
	want := []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"}
	for i, w := range want {
		if got[i].String() != w {
			t.Errorf("default allow[%d] = %v, want %s", i, got[i], w)
		}
	}
	got[0] = netip.MustParsePrefix("0.0.0.0/0")
	if PrivateNetworks[0].Bits() == 0 {
		t.Error("EffectiveAllow returned the package's slice; callers could change the default")
	}
}

func TestRoutingValidation(t *testing.T) {
	base := func() *Profile {
		p := New("r")
		p.Upstreams = []Upstream{{Name: "a", Host: "a.example", Port: 1080}, {Name: "s", Kind: KindSSH, Host: "s.example", Port: 22}}
		p.Routes = []Route{{Name: "c", Chain: []string{"a", "s"}}, {Name: "g", Group: []string{"c", "direct"}}}
		p.DefaultRoute = "g"
		return p
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("valid routing: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Profile)
		want string
	}{
		{"unknown kind", func(p *Profile) { p.Upstreams[0].Kind = "socks4" }, `upstream[1].kind: "socks4" is not a kind of upstream`},
		{"key file on socks5", func(p *Profile) { p.Upstreams[0].KeyFile = "k" }, "upstream[1].key_file: only an ssh upstream has a key file"},
		{"CA file on ssh", func(p *Profile) { p.Upstreams[1].CAFile = "ca" }, "upstream[2].ca_file: only an https upstream"},
		{"two upstreams one name", func(p *Profile) { p.Upstreams[1].Name = "a" }, `upstream[2].name: "a" names two upstreams`},
		{"chain to a missing upstream", func(p *Profile) { p.Routes[0].Chain = []string{"a", "x"} }, `route[1].chain[2]: "x" is not the name of an upstream here`},
		{"route named direct", func(p *Profile) { p.Routes[0].Name = "direct" }, `route[1].name: "direct" is built in`},
		{"chain and group", func(p *Profile) { p.Routes[0].Group = []string{"direct"} }, "route[1]: has both chain and group"},
		{"empty route", func(p *Profile) { p.Routes[0].Chain = nil }, "route[1]: has neither chain"},
		{"block in a group", func(p *Profile) { p.Routes[1].Group = []string{"block"} }, "route[2].group[1]: block cannot be a member"},
		{"bad policy", func(p *Profile) { p.Routes[1].Policy = "random" }, `route[2].policy: "random" is not a policy`},
		{"policy on a chain", func(p *Profile) { p.Routes[0].Policy = "fastest" }, "route[1].policy: only a group has a policy"},
		{"group contains itself", func(p *Profile) {
			p.Routes = append(p.Routes, Route{Name: "h", Group: []string{"g"}})
			p.Routes[1].Group = []string{"h"}
		}, `route[2].group: group "g" contains itself`},
		{"missing default", func(p *Profile) { p.DefaultRoute = "nowhere" }, `default_route: "nowhere" is not a route here`},
		{"rule list without file", func(p *Profile) { p.RuleLists = []RuleList{{Route: "block"}} }, "rule_list[1].file: empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.edit(p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}
