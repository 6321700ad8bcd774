package rules

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strings"
	"testing"
)

// bigRules is the load: 10,000 DOMAIN-SUFFIX rules, then 10,000
// IP-CIDR rules (a fifth IPv6), then a few keyword and port rules, which
// Match scans linearly, so that misses pay for them.
func bigRules() []Rule {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
		}
		return string(b)
	}
	var lines []string
	for i := range 10000 {
		if i%3 == 0 {
			lines = append(lines, fmt.Sprintf("DOMAIN-SUFFIX,%s.%s.net,s", word(6), word(8)))
		} else {
			lines = append(lines, fmt.Sprintf("DOMAIN-SUFFIX,%s-%d.com,s", word(8), i))
		}
	}
	for i := range 10000 {
		if i%5 == 0 {
			a := netip.AddrFrom16([16]byte{0x20, 0x01, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			lines = append(lines, fmt.Sprintf("IP-CIDR6,%s/%d,c,no-resolve", a, 32+rng.IntN(33)))
		} else {
			a := netip.AddrFrom4([4]byte{byte(11 + rng.IntN(200)), byte(rng.IntN(256)), byte(rng.IntN(256)), 0})
			lines = append(lines, fmt.Sprintf("IP-CIDR,%s/%d,c,no-resolve", a, 16+rng.IntN(9)))
		}
	}
	for i := range 10 {
		lines = append(lines, fmt.Sprintf("DOMAIN-KEYWORD,kw%sx,k", word(4)))
		if i < 5 {
			lines = append(lines, fmt.Sprintf("DST-PORT,%d,p", 60000+i))
		}
	}
	rules := make([]Rule, len(lines))
	for i, l := range lines {
		r, err := ParseLine(l, "")
		if err != nil {
			panic(err)
		}
		rules[i] = r
	}
	return rules
}

func BenchmarkMatch(b *testing.B) {
	rules := bigRules()
	s, err := New(rules, "default")
	if err != nil {
		b.Fatal(err)
	}
	late4 := rules[19999-1].Prefix.Addr().Next() // the last IPv4 rule
	if !late4.Is4() {
		late4 = rules[19998].Prefix.Addr().Next()
	}
	cases := []struct {
		name string
		q    Query
	}{
		{"name-early", Query{Host: "www." + rules[0].Domain, Port: 443}},
		{"name-late", Query{Host: "cdn.img.www." + rules[9999].Domain, Port: 443}},
		{"name-miss", Query{Host: "cdn.img.www.nowhere.example.org", Port: 443}},
		{"name-upper", Query{Host: "WWW." + strings.ToUpper(rules[5000].Domain) + ".", Port: 443}},
		{"ip4-early", Query{Host: rules[10001].Prefix.Addr().Next().String(), Port: 443}},
		{"ip4-late", Query{Host: late4.String(), Port: 443}},
		{"ip4-miss", Query{Host: "1.2.3.4", Port: 443}},
		{"ip4-parsed", Query{Addr: late4, Port: 443}},
		{"ip6-late", Query{Host: rules[19995].Prefix.Addr().Next().String(), Port: 443}},
		{"ip6-miss", Query{Host: "2a00::1", Port: 443}},
	}
	for _, c := range cases {
		res := s.Match(c.q)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Match(c.q)
			}
			b.ReportMetric(float64(res.Index), "rule")
		})
	}
}

// BenchmarkSetMemory builds the 10k+10k Set and reports the heap it keeps
// (MiB/set), measured with runtime.ReadMemStats around New.
func BenchmarkSetMemory(b *testing.B) {
	rules := bigRules()
	var keep *Set
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep, err := New(rules, "default")
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	mib := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	for b.Loop() {
		if _, err := New(rules, "default"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(mib, "MiB/set")
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for _, r := range bigRules() {
		sb.WriteString(r.Condition())
		sb.WriteString("\n")
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, _, err := Parse(strings.NewReader(text), "big.list", "r"); err != nil {
			b.Fatal(err)
		}
	}
}
