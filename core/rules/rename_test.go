package rules

import "testing"

func TestRenameRoute(t *testing.T) {
	for _, c := range []struct {
		line, want string
		renamed    bool
	}{
		{"DOMAIN-SUFFIX,work.example,work", "DOMAIN-SUFFIX,work.example,office", true},
		{" DOMAIN , work , work ", " DOMAIN , work , office ", true},
		{"IP-CIDR,10.0.0.0/8,no-resolve,work", "IP-CIDR,10.0.0.0/8,no-resolve,office", true},
		{"IP-CIDR,10.0.0.0/8,work,resolve", "IP-CIDR,10.0.0.0/8,office,resolve", true},
		{"MATCH,work", "MATCH,office", true},
		{"DOMAIN-KEYWORD,work,direct", "DOMAIN-KEYWORD,work,direct", false},
		{"DOMAIN,a.example,workers", "DOMAIN,a.example,workers", false},
		{"DOMAIN,a.example", "DOMAIN,a.example", false},
		{"NOT-A-RULE,x,work", "NOT-A-RULE,x,work", false},
	} {
		got, renamed := RenameRoute(c.line, "work", "office")
		if got != c.want || renamed != c.renamed {
			t.Errorf("RenameRoute(%q) = %q, %v; want %q, %v", c.line, got, renamed, c.want, c.renamed)
		}
		if renamed {
			if r, err := ParseLine(got, ""); err != nil || r.Route != "office" {
				t.Errorf("%q renamed to %q, which parses as %+v, %v", c.line, got, r, err)
			}
		}
	}
}
