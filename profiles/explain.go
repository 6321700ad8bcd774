package profiles

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/core/socks5"
)

// Decision is which rule and route a destination takes, for people
// (`sockstray route`, the GUI's "Which route?" box).
type Decision struct {
	Rule   string // "DOMAIN-SUFFIX,example.com", "" for the default route
	Source string // where the rule is written: "rules[2]", "ads.list:17"
	Route  string // the route's name
	// Steps say what the route is, one line each: the route, then the
	// members of its groups and chains, indented.
	Steps []string
	// Unresolved says a rule that resolves names was passed over because
	// the destination is a name and nothing is looked up here.
	Unresolved bool
}

// Explain says which rule and route dst takes from client (UDP for a UDP
// association). It reads the rule lists but looks no name up.
func (p *Profile) Explain(dst socks5.Addr, client netip.Addr, udp bool) (Decision, error) {
	if err := p.Validate(); err != nil {
		return Decision{}, err
	}
	set, err := p.ruleSet()
	if err != nil {
		return Decision{}, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	dst = dst.Canonical()
	res := set.Match(rules.Query{Host: dst.Name, Addr: dst.IP, Port: dst.Port, Client: client, UDP: udp})
	d := Decision{Route: res.Route, Unresolved: res.Unresolved}
	if res.Rule != nil {
		d.Rule, d.Source = res.Rule.Condition(), res.Rule.Source
	}
	d.Steps = p.describeRoute(res.Route, "")
	return d, nil
}

// describeRoute is one line for the route and, indented, its members.
func (p *Profile) describeRoute(name, indent string) []string {
	switch {
	case name == RouteDirect:
		return []string{indent + "direct: straight from this host"}
	case name == RouteBlock:
		return []string{indent + "block: refused (SOCKS reply 02, HTTP 403)"}
	case name == implicitChain && len(p.Routes) == 0:
		return []string{indent + "upstreams: chain " + p.describeHops(nil)}
	}
	for _, r := range p.Routes {
		if r.Name != name {
			continue
		}
		if len(r.Chain) > 0 {
			return []string{indent + name + ": chain " + p.describeHops(r.Chain)}
		}
		lines := []string{fmt.Sprintf("%s%s: %s group of %s", indent, name, cmp.Or(r.Policy, PolicyFailover), strings.Join(r.Group, ", "))}
		for _, m := range r.Group {
			lines = append(lines, p.describeRoute(m, indent+"  ")...)
		}
		return lines
	}
	return []string{indent + name + ": not defined"}
}

// describeHops is "corp (http alice@proxy:3128) → office (ssh …)"; names
// nil means every upstream.
func (p *Profile) describeHops(names []string) string {
	var parts []string
	for _, u := range p.Upstreams {
		if names == nil {
			parts = append(parts, describeHop(u))
		}
	}
	for _, n := range names {
		for _, u := range p.Upstreams {
			if u.Name == n {
				parts = append(parts, describeHop(u))
			}
		}
	}
	return strings.Join(parts, " → ")
}

func describeHop(u Upstream) string {
	s := hopAddress(u)
	if u.Name != "" {
		s = u.Name + " (" + s + ")"
	}
	return s
}

// hopAddress is "http alice@proxy:3128": kind, user and address.
func hopAddress(u Upstream) string {
	addr := net.JoinHostPort(u.Host, strconv.Itoa(u.Port))
	if u.Username != "" {
		addr = u.Username + "@" + addr
	}
	return u.kind() + " " + addr
}
