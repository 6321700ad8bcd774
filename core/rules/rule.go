package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Kind is what a rule looks at. Its String is the Clash rule type.
type Kind uint8

// The rule kinds Sockstray supports.
const (
	KindDomain        Kind = iota + 1 // DOMAIN: the name, exactly
	KindDomainSuffix                  // DOMAIN-SUFFIX: the name or any name under it
	KindDomainKeyword                 // DOMAIN-KEYWORD: a substring of the name
	KindIPCIDR                        // IP-CIDR, IP-CIDR6: the destination address
	KindSrcIPCIDR                     // SRC-IP-CIDR: the client's address
	KindDstPort                       // DST-PORT: the destination port
	KindNetwork                       // NETWORK: udp (UDP ASSOCIATE) or tcp
	KindMatch                         // MATCH: everything
)

var kindNames = [...]string{
	KindDomain:        "DOMAIN",
	KindDomainSuffix:  "DOMAIN-SUFFIX",
	KindDomainKeyword: "DOMAIN-KEYWORD",
	KindIPCIDR:        "IP-CIDR",
	KindSrcIPCIDR:     "SRC-IP-CIDR",
	KindDstPort:       "DST-PORT",
	KindNetwork:       "NETWORK",
	KindMatch:         "MATCH",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// PortRange is an inclusive range of ports; a single port has Lo == Hi.
type PortRange struct{ Lo, Hi uint16 }

func (p PortRange) String() string {
	if p.Lo == p.Hi {
		return strconv.Itoa(int(p.Lo))
	}
	return strconv.Itoa(int(p.Lo)) + "-" + strconv.Itoa(int(p.Hi))
}

// Rule sends the connections it matches to Route. Only the fields of its
// Kind are used.
type Rule struct {
	Kind Kind
	// Domain is the name (DOMAIN, DOMAIN-SUFFIX) or substring
	// (DOMAIN-KEYWORD); New stores it in lower case without a trailing dot.
	Domain string
	// Prefix is the network of IP-CIDR and SRC-IP-CIDR; New masks it and
	// turns an IPv4-mapped IPv6 prefix into its IPv4 form.
	Prefix netip.Prefix
	// Resolve lets an IP-CIDR rule match a name through Query.Resolve.
	// Clash's default: true unless the line says "no-resolve".
	Resolve bool
	// Ports are DST-PORT's ports: any of them matches.
	Ports []PortRange
	// UDP is NETWORK's value: true for "udp", false for "tcp".
	UDP bool
	// Route names where matching connections go; the profile knows routes.
	Route string
	// Source says where the rule came from, for logs and the connection
	// table: "ads.list:17" or "profile work, rule 3".
	Source string
}

// Condition is the rule without its route, e.g. "DOMAIN-SUFFIX,example.com":
// what the connection table shows as the rule that matched.
func (r *Rule) Condition() string {
	switch r.Kind {
	case KindDomain, KindDomainSuffix, KindDomainKeyword:
		return r.Kind.String() + "," + r.Domain
	case KindIPCIDR:
		if r.Prefix.Addr().Is6() {
			return "IP-CIDR6," + r.Prefix.String()
		}
		return "IP-CIDR," + r.Prefix.String()
	case KindSrcIPCIDR:
		return "SRC-IP-CIDR," + r.Prefix.String()
	case KindDstPort:
		var b strings.Builder
		b.WriteString("DST-PORT,")
		for i, p := range r.Ports {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(p.String())
		}
		return b.String()
	case KindNetwork:
		if r.UDP {
			return "NETWORK,udp"
		}
		return "NETWORK,tcp"
	case KindMatch:
		return "MATCH"
	}
	return r.Kind.String()
}

// String is the rule in the syntax ParseLine reads, route included:
// "DOMAIN-SUFFIX,example.com,work", "IP-CIDR,10.0.0.0/8,direct,resolve".
func (r *Rule) String() string {
	s := r.Condition()
	if r.Route != "" {
		s += "," + r.Route
	}
	if r.Kind == KindIPCIDR && r.Resolve {
		s += ",resolve"
	}
	return s
}

// normalize checks r and brings it into the canonical form Match relies on.
// Its errors read "KIND "value": what is wrong".
func (r *Rule) normalize() error {
	if err := checkRoute(r.Route); err != nil {
		return fmt.Errorf("%s: %w", r.Condition(), err)
	}
	switch r.Kind {
	case KindDomain, KindDomainSuffix, KindDomainKeyword:
		d, err := checkDomain(r.Kind, r.Domain)
		if err != nil {
			return fmt.Errorf("%s %q: %w", r.Kind, r.Domain, err)
		}
		r.Domain = d
	case KindIPCIDR, KindSrcIPCIDR:
		if !r.Prefix.IsValid() {
			return fmt.Errorf("%s: no valid prefix", r.Kind)
		}
		r.Prefix = canonPrefix(r.Prefix)
	case KindDstPort:
		if len(r.Ports) == 0 {
			return errors.New("DST-PORT: no port")
		}
		for _, p := range r.Ports {
			if p.Lo > p.Hi {
				return fmt.Errorf("DST-PORT %q: range is reversed", p.String())
			}
		}
	case KindNetwork, KindMatch:
	default:
		return fmt.Errorf("rule kind %d unknown", r.Kind)
	}
	return nil
}

// canonPrefix masks p and unmaps ::ffff:a.b.c.d/96+n to a.b.c.d/n, so that
// one IPv4 table serves both spellings.
func canonPrefix(p netip.Prefix) netip.Prefix {
	a := p.Addr().WithZone("")
	if a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return netip.PrefixFrom(a, p.Bits()).Masked()
}

// checkDomain returns d in canonical form or says what is wrong with it.
func checkDomain(k Kind, d string) (string, error) {
	if k == KindDomainKeyword {
		// A keyword is a substring: "ads." must keep its dot.
		d = asciiLower(d)
	} else {
		d = foldName(d)
	}
	if k == KindDomainSuffix {
		// ".example.com" is a common way to write a suffix elsewhere; it
		// means the same here.
		d = strings.TrimPrefix(d, ".")
	}
	if d == "" {
		return "", errors.New("empty")
	}
	if len(d) > 253 {
		return "", errors.New("longer than 253 bytes")
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c <= ' ' || c == 0x7f || c == ',' {
			return "", fmt.Errorf("contains %q", c)
		}
	}
	if k == KindDomainKeyword {
		return d, nil
	}
	if strings.ContainsAny(d, "*/:") {
		return "", errors.New("not a domain name (no wildcards: DOMAIN-SUFFIX already matches every name under it)")
	}
	if strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return "", errors.New("empty label")
	}
	if _, err := netip.ParseAddr(d); err == nil {
		return "", errors.New("is an IP address; domain rules match names only, use IP-CIDR")
	}
	return d, nil
}

// foldName lowers ASCII letters and drops one trailing dot. Only ASCII is
// folded, as DNS does (RFC 4343): IDNs compare as the client spelled them.
func foldName(s string) string {
	return asciiLower(strings.TrimSuffix(s, "."))
}

// asciiLower lowers ASCII letters only; it allocates only when there is an
// upper-case one, which names rarely have.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// checkRoute refuses route names that would not print back as the same
// rule line: the route itself is the profile's business.
func checkRoute(route string) error {
	switch {
	case route == "":
		return errors.New("no route")
	case strings.TrimSpace(route) != route:
		return fmt.Errorf("route %q has spaces around it", route)
	case strings.EqualFold(route, "no-resolve"):
		return errors.New(`"no-resolve" is not a route name`)
	}
	for _, c := range route {
		if c < ' ' || c == 0x7f || c == ',' {
			return fmt.Errorf("route %q contains %q", route, c)
		}
	}
	return nil
}
