package profiles

import (
	"fmt"
	"slices"
	"time"

	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/core/socks5"
)

// checkUpstreamKind checks an upstream's kind and the keys that belong to
// one kind only.
func checkUpstreamKind(ps *problems, field string, u Upstream) {
	switch u.kind() {
	case KindSOCKS5, KindHTTP, KindHTTPS, KindSSH:
	default:
		ps.add(field+".kind", "%q is not a kind of upstream; want socks5, http, https or ssh", u.Kind)
		return
	}
	if u.CAFile != "" && u.kind() != KindHTTPS {
		ps.add(field+".ca_file", "only an https upstream has a CA file; this one is %s", u.kind())
	}
	if u.KeyFile != "" && u.kind() != KindSSH {
		ps.add(field+".key_file", "only an ssh upstream has a key file; this one is %s", u.kind())
	}
	if u.KnownHosts != "" && u.kind() != KindSSH {
		ps.add(field+".known_hosts", "only an ssh upstream has a known_hosts file; this one is %s", u.kind())
	}
}

// validateRouting checks that names are unique and every reference
// resolves: routes to upstreams, groups to routes, rule lists and the
// default to routes, and that no group contains itself.
func (p *Profile) validateRouting(ps *problems) {
	upstreams := map[string]bool{}
	for i, u := range p.Upstreams {
		switch {
		case u.Name == "":
		case upstreams[u.Name]:
			ps.add(fmt.Sprintf("upstream[%d].name", i+1), "%q names two upstreams; give each its own name", u.Name)
		default:
			upstreams[u.Name] = true
		}
	}
	routes := p.routeNames(ps)
	for i, r := range p.Routes {
		p.validateRoute(ps, fmt.Sprintf("route[%d]", i+1), r, upstreams, routes)
	}
	p.checkGroupCycles(ps)
	for i, l := range p.RuleLists {
		f := fmt.Sprintf("rule_list[%d]", i+1)
		if l.File == "" {
			ps.add(f+".file", "empty; want the path of a rule list file")
		}
		checkRouteRef(ps, f+".route", l.Route, routes)
	}
	if p.DefaultRoute != "" {
		checkRouteRef(ps, "default_route", p.DefaultRoute, routes)
	}
	for i, line := range p.Rules {
		f := fmt.Sprintf("rules[%d]", i+1)
		// With no default route given, ParseLine refuses a rule that names
		// none.
		if r, err := rules.ParseLine(line, ""); err != nil {
			ps.add(f, "%v", err)
		} else {
			checkRouteRef(ps, f, r.Route, routes)
		}
	}
}

// routeNames are the routes the profile defines, plus the built-ins.
func (p *Profile) routeNames(ps *problems) map[string]bool {
	names := map[string]bool{RouteDirect: true, RouteBlock: true}
	if len(p.Routes) == 0 && len(p.Upstreams) > 0 {
		names[implicitChain] = true
	}
	for i, r := range p.Routes {
		f := fmt.Sprintf("route[%d].name", i+1)
		switch {
		case r.Name == "":
			ps.add(f, "empty; rules and groups refer to a route by its name")
		case r.Name == RouteDirect || r.Name == RouteBlock:
			ps.add(f, "%q is built in; pick another name", r.Name)
		case names[r.Name]:
			ps.add(f, "%q names two routes; give each its own name", r.Name)
		default:
			names[r.Name] = true
		}
	}
	return names
}

func (p *Profile) validateRoute(ps *problems, f string, r Route, upstreams, routes map[string]bool) {
	switch {
	case len(r.Chain) > 0 && len(r.Group) > 0:
		ps.add(f, "has both chain and group; a route is one or the other")
	case len(r.Chain) == 0 && len(r.Group) == 0:
		ps.add(f, "has neither chain (upstream names) nor group (route names)")
	}
	for j, name := range r.Chain {
		if !upstreams[name] {
			ps.add(fmt.Sprintf("%s.chain[%d]", f, j+1), "%q is not the name of an upstream here", name)
		}
	}
	for j, name := range r.Group {
		if name == RouteBlock {
			ps.add(fmt.Sprintf("%s.group[%d]", f, j+1), "block cannot be a member: a group carries traffic")
			continue
		}
		checkRouteRef(ps, fmt.Sprintf("%s.group[%d]", f, j+1), name, routes)
	}
	switch {
	case r.CheckInterval < 0 || (r.CheckInterval > 0 && r.CheckInterval < time.Second):
		ps.add(f+".check_interval", "%v is out of range; want 0s (no active checks) or at least 1s, such as \"30s\"", r.CheckInterval)
	case r.CheckInterval > 0 && len(r.Group) == 0:
		ps.add(f+".check_interval", "only a group has health checks")
	case r.CheckInterval > 0:
		if _, err := socks5.ParseAddr(r.CheckTarget); err != nil {
			ps.add(f+".check_target", "%q is not HOST:PORT; active checks dial it through every member", r.CheckTarget)
		}
	}
	switch r.Policy {
	case "", PolicyFailover, PolicyFastest:
		if r.Policy != "" && len(r.Group) == 0 {
			ps.add(f+".policy", "only a group has a policy")
		}
	default:
		ps.add(f+".policy", "%q is not a policy; want failover or fastest", r.Policy)
	}
}

func checkRouteRef(ps *problems, field, name string, routes map[string]bool) {
	switch {
	case name == "":
		ps.add(field, "empty; want direct, block or the name of a route")
	case !routes[name]:
		ps.add(field, "%q is not a route here; want direct, block or one of the routes", name)
	}
}

// checkGroupCycles refuses a group that contains itself, directly or
// through other groups: it could never pick a way out.
func (p *Profile) checkGroupCycles(ps *problems) {
	groups := map[string][]string{}
	for _, r := range p.Routes {
		if len(r.Group) > 0 {
			groups[r.Name] = r.Group
		}
	}
	for i, r := range p.Routes {
		if len(r.Group) > 0 && reaches(groups, r.Group, r.Name, nil) {
			ps.add(fmt.Sprintf("route[%d].group", i+1), "group %q contains itself, through its members", r.Name)
		}
	}
}

// reaches reports whether target is among members or their members.
func reaches(groups map[string][]string, members []string, target string, seen []string) bool {
	for _, m := range members {
		if m == target {
			return true
		}
		if slices.Contains(seen, m) {
			continue
		}
		if reaches(groups, groups[m], target, append(seen, m)) {
			return true
		}
	}
	return false
}
