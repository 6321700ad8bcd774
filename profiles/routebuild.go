package profiles

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/core/server"
)

// routing is the profile's routing as the engine takes it: the route for
// what no rule picks and, when the profile has rules, the router that
// picks among the routes by rule.
func (p *Profile) routing(c Credentials, h Hooks) (routing, error) {
	b := &routeBuilder{p: p, c: c, h: h, built: map[string]outbound.Route{}}
	def, err := b.route(p.EffectiveDefault())
	if err != nil {
		return routing{}, err
	}
	set, err := p.ruleSet()
	if err != nil {
		return routing{}, err
	}
	routes := map[string]outbound.Route{}
	for _, r := range set.Rules() {
		if routes[r.Route], err = b.route(r.Route); err != nil {
			return routing{}, err
		}
	}
	out := routing{def: def, checks: b.checks}
	if set.Len() > 0 {
		out.router = routerOf(set, routes, def)
	}
	return out, nil
}

// routing is what the engine's config takes of the profile's routes.
type routing struct {
	def    outbound.Route
	router func(server.Query) (outbound.Route, string)
	checks []server.Checker
}

// routerOf picks a request's route by the first rule that matches it. A
// name is looked up here only for a rule that says resolve.
func routerOf(set *rules.Set, routes map[string]outbound.Route, def outbound.Route) func(server.Query) (outbound.Route, string) {
	return func(q server.Query) (outbound.Route, string) {
		res := set.Match(rules.Query{Host: q.Dst.Name, Addr: q.Dst.IP, Port: q.Dst.Port, Client: q.Client, UDP: q.UDP, Resolve: lookup})
		if res.Rule == nil {
			return def, ""
		}
		return routes[res.Route], res.Rule.Condition()
	}
}

// resolveTimeout bounds the lookup a resolving rule asks for.
const resolveTimeout = 3 * time.Second

func lookup(name string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", name)
}

// routeBuilder builds each route once, by name, the groups from their
// members (validation has refused cycles).
type routeBuilder struct {
	p      *Profile
	c      Credentials
	h      Hooks
	built  map[string]outbound.Route
	checks []server.Checker // the groups with active health checks
}

func (b *routeBuilder) route(name string) (outbound.Route, error) {
	if r, ok := b.built[name]; ok {
		return r, nil
	}
	r, err := b.build(name)
	if err != nil {
		return nil, err
	}
	b.built[name] = r
	return r, nil
}

func (b *routeBuilder) build(name string) (outbound.Route, error) {
	switch name {
	case RouteDirect:
		return &outbound.Direct{}, nil
	case RouteBlock:
		return outbound.Block{}, nil
	case implicitChain:
		if len(b.p.Routes) == 0 {
			return b.chain(nil)
		}
	}
	for _, r := range b.p.Routes {
		switch {
		case r.Name != name:
		case len(r.Group) > 0:
			return b.group(r)
		default:
			return b.chain(r.Chain)
		}
	}
	return nil, fmt.Errorf("route %q is not defined", name)
}

// chain is the chain of the named upstreams, in that order; names nil
// means all of them, in the file's order.
func (b *routeBuilder) chain(names []string) (outbound.Route, error) {
	var idx []int
	if names == nil {
		for i := range b.p.Upstreams {
			idx = append(idx, i)
		}
	}
	for _, n := range names {
		idx = append(idx, slices.IndexFunc(b.p.Upstreams, func(u Upstream) bool { return u.Name == n }))
	}
	hops := make([]outbound.Upstream, len(idx))
	for j, i := range idx {
		var err error
		if hops[j], err = b.upstream(i); err != nil {
			return nil, err
		}
	}
	return &outbound.Chain{Hops: hops}, nil
}

func (b *routeBuilder) group(r Route) (outbound.Route, error) {
	g := &outbound.Group{Name: r.Name, Policy: outbound.Failover, OnChange: b.h.GroupEvent,
		Check: outbound.HealthCheck{Interval: r.CheckInterval, Target: r.CheckTarget}}
	if r.CheckInterval > 0 {
		b.checks = append(b.checks, g)
	}
	if r.Policy == PolicyFastest {
		g.Policy = outbound.Fastest
	}
	for _, m := range r.Group {
		route, err := b.route(m)
		if err != nil {
			return nil, err
		}
		g.Members = append(g.Members, outbound.Member{Name: m, Route: route})
	}
	return g, nil
}

// upstream is the i-th upstream as the engine takes it, password and all.
func (b *routeBuilder) upstream(i int) (outbound.Upstream, error) {
	u := b.p.Upstreams[i]
	hop := outbound.Upstream{Addr: net.JoinHostPort(u.Host, strconv.Itoa(u.Port)), Username: u.Username}
	if i < len(b.c.Upstream) {
		hop.Password = b.c.Upstream[i]
	}
	if u.Username != "" && hop.Password == "" && u.kind() != KindSSH {
		return hop, fmt.Errorf("upstream[%d] (%s) user %q has no password", i+1, u.Key(), u.Username)
	}
	switch u.kind() {
	case KindSOCKS5:
		hop.Kind = outbound.SOCKS5
	case KindHTTP:
		hop.Kind = outbound.HTTP
	case KindHTTPS:
		hop.Kind = outbound.HTTPS
		if u.CAFile != "" {
			cfg, err := CAConfig(u.CAFile)
			if err != nil {
				return hop, fmt.Errorf("upstream[%d] ca_file: %w", i+1, err)
			}
			hop.TLS = cfg
		}
	case KindSSH:
		hop.Kind = outbound.SSH
		hop.SSH = &outbound.SSHConfig{KeyFile: expandHome(u.KeyFile)}
		if u.KnownHosts != "" {
			hop.SSH.KnownHosts = []string{expandHome(u.KnownHosts)}
		}
	}
	return hop, nil
}

// CAConfig is a TLS config that trusts only the CAs of a PEM file (a
// leading ~/ is the home folder).
func CAConfig(path string) (*tls.Config, error) {
	path = expandHome(path)
	data, _, err := readFileUpTo(path, MaxFileSize, "a CA file")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// expandHome turns a leading "~/" into the home folder, as people write
// key and list paths.
func expandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}

// ruleSet is the profile's rules, then its lists' rules, in order.
func (p *Profile) ruleSet() (*rules.Set, error) {
	all, err := p.profileRules()
	if err != nil {
		return nil, err
	}
	// The profile's own route names; their problems were validated already.
	routes := p.routeNames(&problems{})
	for i, l := range p.RuleLists {
		path := p.ruleListPath(l.File)
		data, _, err := readFileUpTo(path, MaxRuleListSize, "a rule list")
		if err != nil {
			return nil, fmt.Errorf("rule_list[%d]: %w", i+1, err)
		}
		got, _, err := rules.Parse(bytes.NewReader(data), filepath.Base(path), l.Route)
		if err != nil {
			return nil, fmt.Errorf("rule_list[%d]: %w", i+1, err)
		}
		for _, r := range got {
			if !routes[r.Route] {
				return nil, fmt.Errorf("%s: route %q is not a route of profile %q", r.Source, r.Route, p.Name)
			}
		}
		all = append(all, got...)
	}
	return rules.New(all, p.EffectiveDefault())
}

// profileRules parses the rules written in the profile.
func (p *Profile) profileRules() ([]rules.Rule, error) {
	out := make([]rules.Rule, 0, len(p.Rules))
	for i, line := range p.Rules {
		r, err := rules.ParseLine(line, "")
		if err != nil {
			return nil, fmt.Errorf("rules[%d]: %w", i+1, err)
		}
		r.Source = fmt.Sprintf("rules[%d]", i+1)
		out = append(out, r)
	}
	return out, nil
}

// ruleListPath is a rule list's file: relative paths are in the folder
// the profile was read from.
func (p *Profile) ruleListPath(file string) string {
	file = expandHome(file)
	if filepath.IsAbs(file) {
		return file
	}
	dir := p.dir
	if dir == "" {
		dir, _ = DefaultDir()
	}
	return filepath.Join(dir, file)
}
