package ui

import (
	"strings"

	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/profiles"
)

// nameRef is the name that references to a row use (a chain's hops name
// upstreams; groups, rules and lists name routes). While the row's name
// is typed they follow it, keystroke by keystroke, but only while both
// names are the row's alone: references to a name another row also has
// belong to that row.
type nameRef string

// follow moves the reference to now, the name as typed. It returns the
// name references had and true when they should be renamed; count tells
// how many rows bear a name (a built-in name counts as borne).
func (n *nameRef) follow(now string, count func(string) int) (string, bool) {
	old := string(*n)
	if now == "" || now == old || count(now) > 1 {
		return "", false // references stay until the name is the row's own
	}
	*n = nameRef(now)
	if old == "" || count(old) > 0 {
		return "", false
	}
	return old, true
}

// countNames returns how many of names equal a name, as count for follow;
// builtins count once more.
func countNames(names func() []string, builtins ...string) func(string) int {
	return func(name string) int {
		n := 0
		for _, b := range builtins {
			if b == name {
				n++
			}
		}
		for _, have := range names() {
			if have == name {
				n++
			}
		}
		return n
	}
}

// rename sets every member named old to name.
func (m *members) rename(old, name string) {
	for _, e := range m.list.Values() {
		if strings.TrimSpace(e.Text) == old {
			e.SetText(name)
		}
	}
}

// renameUpstream makes the chains' hops follow an upstream's new name.
func (rs *Routes) renameUpstream(old, name string) {
	for _, r := range rs.Rows {
		r.Chain.rename(old, name)
	}
}

// renameRoute makes the groups' members, the rules, the rule lists and
// the default follow a route's new name.
func (f *ProfileForm) renameRoute(old, name string) {
	for _, r := range f.Routes.Rows {
		r.Group.rename(old, name)
	}
	f.Rules.renameRoute(old, name)
}

func (r *Rules) renameRoute(old, name string) {
	for _, row := range r.Lines.Values() {
		if line, ok := rules.RenameRoute(row.Line.Text, old, name); ok {
			row.Line.SetText(line)
		}
	}
	for _, row := range r.Lists.Values() {
		if strings.TrimSpace(row.Route.Text) == old {
			row.Route.SetText(name)
		}
	}
	if r.def == old {
		r.def = name
	}
}

// builtinRoutes are the route names every profile has.
var builtinRoutes = []string{profiles.RouteDirect, profiles.RouteBlock}
