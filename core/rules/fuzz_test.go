package rules

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseLine: no panic, and whatever ParseLine accepts prints (String)
// as a line that parses back to the same rule, and can be built into a Set.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"DOMAIN-SUFFIX,example.com,work", "DOMAIN,Host.Example.com.", "DOMAIN-KEYWORD,ads",
		"IP-CIDR,10.0.0.0/8,no-resolve", "IP-CIDR6,::ffff:1.2.3.4/120,r", "SRC-IP-CIDR,192.168.1.0/24",
		"DST-PORT,80/443/8000-8999,web", "NETWORK,udp", "MATCH,proxy", "GEOIP,CN", "ip-cidr,1.2.3.4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseLine(line, "def")
		if err != nil {
			return
		}
		again, err := ParseLine(r.String(), "")
		if err != nil {
			t.Fatalf("%q printed as %q, which fails: %v", line, r.String(), err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("%q: %+v printed as %q reads back as %+v", line, r, r.String(), again)
		}
		s, err := New([]Rule{r}, "d")
		if err != nil {
			t.Fatalf("New(%q): %v", line, err)
		}
		s.Match(Query{Host: line, Port: 80})
	})
}

// FuzzParse: a whole list never panics, and on success every rule has a
// Source and the list builds into a Set.
func FuzzParse(f *testing.F) {
	f.Add("# c\nDOMAIN,a.com\nIP-CIDR,10.0.0.0/8,no-resolve\nGEOIP,CN\n")
	f.Add("payload:\n  - 'DOMAIN,a.com'\n  - \"MATCH\" # x\n  - DST-PORT,1-2\n")
	f.Fuzz(func(t *testing.T, text string) {
		rules, _, err := Parse(strings.NewReader(text), "f", "r")
		if err != nil {
			return
		}
		for _, r := range rules {
			if r.Source == "" {
				t.Fatalf("rule %v without a source", r.String())
			}
		}
		if _, err := New(rules, "d"); err != nil {
			t.Fatalf("parsed rules do not build: %v", err)
		}
	})
}
