package rules

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	p := netip.MustParsePrefix
	tests := []struct {
		line string
		want Rule
		str  string // String(); "" means the line itself
	}{
		{"DOMAIN-SUFFIX,example.com,work", Rule{Kind: KindDomainSuffix, Domain: "example.com", Route: "work"}, ""},
		{"DOMAIN-SUFFIX,.Example.COM.", Rule{Kind: KindDomainSuffix, Domain: "example.com", Route: "def"}, "DOMAIN-SUFFIX,example.com,def"},
		{"domain , host.example.com , r", Rule{Kind: KindDomain, Domain: "host.example.com", Route: "r"}, "DOMAIN,host.example.com,r"},
		{"DOMAIN-KEYWORD,ads", Rule{Kind: KindDomainKeyword, Domain: "ads", Route: "def"}, "DOMAIN-KEYWORD,ads,def"},
		{"DOMAIN-KEYWORD,Ads.", Rule{Kind: KindDomainKeyword, Domain: "ads.", Route: "def"}, "DOMAIN-KEYWORD,ads.,def"},
		{"IP-CIDR,10.0.0.0/8,no-resolve", Rule{Kind: KindIPCIDR, Prefix: p("10.0.0.0/8"), Route: "def"}, "IP-CIDR,10.0.0.0/8,def"},
		{"IP-CIDR,10.0.0.0/8,direct,no-resolve", Rule{Kind: KindIPCIDR, Prefix: p("10.0.0.0/8"), Route: "direct"}, "IP-CIDR,10.0.0.0/8,direct"},
		{"IP-CIDR,10.0.0.0/8,direct,resolve", Rule{Kind: KindIPCIDR, Prefix: p("10.0.0.0/8"), Route: "direct", Resolve: true}, ""},
		{"IP-CIDR,10.1.2.3/8,direct", Rule{Kind: KindIPCIDR, Prefix: p("10.0.0.0/8"), Route: "direct"}, "IP-CIDR,10.0.0.0/8,direct"},
		{"IP-CIDR,192.0.2.1,x,NO-RESOLVE", Rule{Kind: KindIPCIDR, Prefix: p("192.0.2.1/32"), Route: "x"}, "IP-CIDR,192.0.2.1/32,x"},
		{"IP-CIDR6,fd00::/8,no-resolve", Rule{Kind: KindIPCIDR, Prefix: p("fd00::/8"), Route: "def"}, "IP-CIDR6,fd00::/8,def"},
		{"IP-CIDR,2001:db8::/32,v6,no-resolve", Rule{Kind: KindIPCIDR, Prefix: p("2001:db8::/32"), Route: "v6"}, "IP-CIDR6,2001:db8::/32,v6"},
		{"IP-CIDR6,::ffff:10.0.0.0/104,m,no-resolve", Rule{Kind: KindIPCIDR, Prefix: p("10.0.0.0/8"), Route: "m"}, "IP-CIDR,10.0.0.0/8,m"},
		{"SRC-IP-CIDR,192.168.1.0/24", Rule{Kind: KindSrcIPCIDR, Prefix: p("192.168.1.0/24"), Route: "def"}, "SRC-IP-CIDR,192.168.1.0/24,def"},
		{"SRC-IP-CIDR,192.168.1.0/24,lan,no-resolve", Rule{Kind: KindSrcIPCIDR, Prefix: p("192.168.1.0/24"), Route: "lan"}, "SRC-IP-CIDR,192.168.1.0/24,lan"},
		{"DST-PORT,443", Rule{Kind: KindDstPort, Ports: []PortRange{{443, 443}}, Route: "def"}, "DST-PORT,443,def"},
		{"DST-PORT,8000-8999,web", Rule{Kind: KindDstPort, Ports: []PortRange{{8000, 8999}}, Route: "web"}, ""},
		{"DST-PORT,0-65535,all", Rule{Kind: KindDstPort, Ports: []PortRange{{0, 65535}}, Route: "all"}, ""},
		{"DST-PORT,80/443/8000-8999,web", Rule{Kind: KindDstPort, Ports: []PortRange{{80, 80}, {443, 443}, {8000, 8999}}, Route: "web"}, ""},
		{"NETWORK,UDP,u", Rule{Kind: KindNetwork, UDP: true, Route: "u"}, "NETWORK,udp,u"},
		{"NETWORK,tcp,t", Rule{Kind: KindNetwork, Route: "t"}, ""},
		{"MATCH", Rule{Kind: KindMatch, Route: "def"}, "MATCH,def"},
		{"MATCH,proxy", Rule{Kind: KindMatch, Route: "proxy"}, ""},
		{"FINAL,proxy", Rule{Kind: KindMatch, Route: "proxy"}, "MATCH,proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got, err := ParseLine(tc.line, "def")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			want := tc.str
			if want == "" {
				want = tc.line
			}
			if got.String() != want {
				t.Errorf("String() = %q, want %q", got.String(), want)
			}
			again, err := ParseLine(got.String(), "")
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("round trip: %+v, %v", again, err)
			}
		})
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"", "empty rule"},
		{"IP-CIDR,10.0.0.0/33", `IP-CIDR "10.0.0.0/33": prefix length out of range`},
		{"IP-CIDR6,fd00::/129", `IP-CIDR6 "fd00::/129": prefix length out of range`},
		{"IP-CIDR,10.0.0.0/x", `IP-CIDR "10.0.0.0/x": bad prefix length`},
		{"IP-CIDR,10.0.0.0/+8", `IP-CIDR "10.0.0.0/+8": bad prefix length`},
		{"IP-CIDR,10.0.0.300/8", `IP-CIDR "10.0.0.300/8": not an IP address or prefix`},
		{"IP-CIDR,fe80::/10%eth0", `IP-CIDR "fe80::/10%eth0": bad prefix length`},
		{"IP-CIDR,fe80::%eth0", `IP-CIDR "fe80::%eth0": a prefix has no zone`},
		{"IP-CIDR", "IP-CIDR: missing value"},
		{"IP-CIDR,,r", "IP-CIDR: missing value"},
		{"DST-PORT,65536", `DST-PORT "65536": port 65536 out of range (0-65535)`},
		{"DST-PORT,9000-8000", `DST-PORT "9000-8000": range 9000-8000 is reversed`},
		{"DST-PORT,http", `DST-PORT "http": bad port "http"`},
		{"DST-PORT,80-", `DST-PORT "80-": bad port ""`},
		{"NETWORK,icmp", `NETWORK "icmp": want udp or tcp`},
		{"DOMAIN,a..b", `DOMAIN "a..b": empty label`},
		{"DOMAIN-SUFFIX,a..", `DOMAIN-SUFFIX "a..": empty label`},
		{"DOMAIN,.", `DOMAIN ".": empty`},
		{"DOMAIN-ſUFFIX,a.com", `unknown rule type "DOMAIN-ſUFFIX"`},
		{"DOMAIN,a.com,x\x01y", `DOMAIN,a.com: route "x\x01y" contains '\x01'`},
		{"DOMAIN,*.example.com", `DOMAIN "*.example.com": not a domain name`},
		{"DOMAIN-SUFFIX,10.0.0.1", `DOMAIN-SUFFIX "10.0.0.1": is an IP address`},
		{"DOMAIN-KEYWORD,a b", `DOMAIN-KEYWORD "a b": contains ' '`},
		{"DOMAIN-SUFFIX,example.com,no-resolve", "DOMAIN-SUFFIX: no-resolve applies to IP-CIDR rules only"},
		{"DOMAIN-SUFFIX,example.com,a,b", `DOMAIN-SUFFIX: unexpected field "b" after route "a"`},
		{"DOMAIN-SUFFIX,example.com,,a", "DOMAIN-SUFFIX: empty field"},
		{"MATCH,", "MATCH: empty field"},
		{"DOMAN-SUFFIX,example.com", `unknown rule type "DOMAN-SUFFIX" (known: DOMAIN, DOMAIN-SUFFIX,`},
		{"GEOIP,CN,direct", "GEOIP: not supported by Sockstray"},
		{"AND,((DOMAIN,a.com),(NETWORK,UDP)),x", "AND: not supported by Sockstray"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			_, err := ParseLine(tc.line, "r")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("ParseLine(%q) error = %v, want %q", tc.line, err, tc.want)
			}
		})
	}
	if _, err := ParseLine("DOMAIN,a.com", ""); err == nil || err.Error() != "DOMAIN,a.com: no route" {
		t.Errorf("no route: %v", err)
	}
	if _, err := ParseLine("GEOSITE,cn", "r"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("GEOSITE: %v is not ErrUnsupported", err)
	}
	if _, err := ParseLine("DOMIAN,a.com", "r"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("typo: %v is not ErrUnknownType", err)
	}
}

func TestParseNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"192.168.1.7/24":         "192.168.1.0/24",
		" 10.0.0.1 ":             "10.0.0.1/32",
		"fd00::1/8":              "fd00::/8",
		"::1":                    "::1/128",
		"::ffff:192.168.1.0/120": "192.168.1.0/24",
		"::ffff:10.1.2.3":        "10.1.2.3/32",
		"fe80::1%eth0":           "",
		"192.168.1.0/33":         "",
		"192.168.1.0/+8":         "",
		"example.org":            "",
		"192.168.1.0/24/8":       "",
		"":                       "",
	} {
		got, err := ParseNetwork(in)
		if want == "" {
			if err == nil {
				t.Errorf("ParseNetwork(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || got.String() != want {
			t.Errorf("ParseNetwork(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}
