package rules

import (
	"errors"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	const text = "\ufeff# ads and work\n" +
		"\n" +
		"DOMAIN-SUFFIX,ads.example\r\n" +
		"  DOMAIN-KEYWORD,tracker  \n" +
		"GEOIP,CN\n" +
		"IP-CIDR,10.0.0.0/8,work,no-resolve\n" +
		"PROCESS-NAME,curl\n"
	rules, skipped, err := Parse(strings.NewReader(text), "ads.list", "block")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.Source+" "+r.String())
	}
	want := []string{
		"ads.list:3 DOMAIN-SUFFIX,ads.example,block",
		"ads.list:4 DOMAIN-KEYWORD,tracker,block",
		"ads.list:6 IP-CIDR,10.0.0.0/8,work",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(skipped) != 2 || skipped[0].Error() != "ads.list:5: GEOIP: not supported by Sockstray" ||
		skipped[1].Line != 7 || !errors.Is(skipped[1], ErrUnsupported) {
		t.Errorf("skipped = %v", skipped)
	}
}

func TestParsePayload(t *testing.T) {
	const text = "# rule provider\n" +
		"payload:  # classical\n" +
		"  - DOMAIN-SUFFIX,plain.example # comment\n" +
		"  - 'DOMAIN,single.example'\n" +
		"  - \"IP-CIDR6,fd00::/8,no-resolve\"  # c\n" +
		"  # a comment between items\n" +
		"  -\tDST-PORT,443\n"
	rules, _, err := Parse(strings.NewReader(text), "p.yaml", "r")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.Source+" "+r.Condition())
	}
	want := "p.yaml:3 DOMAIN-SUFFIX,plain.example|p.yaml:4 DOMAIN,single.example|p.yaml:5 IP-CIDR6,fd00::/8|p.yaml:7 DST-PORT,443"
	if strings.Join(got, "|") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, "|"), want)
	}
}

func TestParseListErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"prefix", "DOMAIN,a.com\n\nIP-CIDR,10.0.0.0/33\n", `f.list:3: IP-CIDR "10.0.0.0/33": prefix length out of range`},
		{"typo", "# x\nDOMAIN-SUFIX,a.com\n", `f.list:2: unknown rule type "DOMAIN-SUFIX"`},
		{"two errors", "DST-PORT,x\nDST-PORT,1-0\n", "f.list:1: DST-PORT \"x\": bad port \"x\"\nf.list:2: "},
		{"item outside payload", "- DOMAIN,a.com\n", `f.list:1: a "- RULE" item without "payload:" before it`},
		{"not an item", "payload:\nDOMAIN,a.com\n", `f.list:2: want a "- RULE" item under "payload:"`},
		{"unterminated", "payload:\n - 'DOMAIN,a.com\n", "f.list:2: unterminated quote"},
		{"escape", "payload:\n - 'DOMAIN,it''s'\n", "f.list:2: quotes or escapes inside a quoted item"},
		{"tail", "payload:\n - 'DOMAIN,a.com' x\n", `f.list:2: unexpected "x" after the quoted item`},
		{"flow", "payload: [a, b]\n", `f.list:1: "payload:" must come first`},
		{"late payload", "DOMAIN,a.com\npayload:\n", `f.list:2: "payload:" must come first`},
		{"long", "DOMAIN," + strings.Repeat("a", 5000) + "\n", "f.list:1: line longer than 4096 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, _, err := Parse(strings.NewReader(tc.text), "f.list", "r")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want prefix %q", err, tc.want)
			}
			if rules != nil {
				t.Errorf("rules returned with an error")
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "f.list" {
				t.Errorf("error is not an *Error: %T", err)
			}
		})
	}
}

func TestParseListErrorLimit(t *testing.T) {
	text := strings.Repeat("BAD,x\n", 50)
	_, _, err := Parse(strings.NewReader(text), "f", "r")
	if n := strings.Count(err.Error(), "\n") + 1; n != maxErrors {
		t.Fatalf("%d errors reported, want %d", n, maxErrors)
	}
}

// TestParseListIntoSet is the way profiles will use the package: the
// user's rules first, then a list, then a Set whose results name the line.
func TestParseListIntoSet(t *testing.T) {
	own, err := ParseLine("DOMAIN,keep.ads.example,direct", "")
	if err != nil {
		t.Fatal(err)
	}
	own.Source = "profile work, rule 1"
	list, _, err := Parse(strings.NewReader("DOMAIN-SUFFIX,ads.example\n"), "ads.list", "block")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(append([]Rule{own}, list...), "direct")
	if err != nil {
		t.Fatal(err)
	}
	res := s.Match(Query{Host: "x.ads.example", Port: 443})
	if res.Route != "block" || res.Rule.Source != "ads.list:1" || res.Rule.Condition() != "DOMAIN-SUFFIX,ads.example" {
		t.Errorf("got %+v", res)
	}
	if res := s.Match(Query{Host: "keep.ads.example"}); res.Rule.Source != "profile work, rule 1" {
		t.Errorf("own rule: %+v", res)
	}
}
