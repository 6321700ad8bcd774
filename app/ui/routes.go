package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/profiles"
)

// routeRow edits one route: a name, and either a chain of upstreams or a
// group of routes with a policy. The chain and the group are edited
// apart, so that switching the kind and back loses neither.
type routeRow struct {
	Name   *widget.Entry
	Kind   *widget.RadioGroup
	Policy *widget.Select // for a group
	Chain  *members       // upstream names, in order
	Group  *members       // route names or direct, in order
	Errors *widget.Label

	policyLine fyne.CanvasObject

	// orig is the route as loaded, so that an untouched row reads back
	// exactly (a group's empty policy stays empty).
	orig profiles.Route
	// ref is the name groups, rules and lists use for it.
	ref nameRef
}

// The kinds and policies as the radio and the select show them.
func chainLabel() string { return lang.L("chain of upstreams") }
func groupLabel() string { return lang.L("group of routes") }
func policyLabels() []string {
	return []string{lang.L("failover: the first that works"), lang.L("fastest: the quickest that works")}
}

// isGroup reports whether the row edits a group.
func (r *routeRow) isGroup() bool { return r.Kind.Selected == groupLabel() }

func (r *routeRow) kindChanged() {
	show(r.Chain.content, !r.isGroup())
	show(r.Group.content, r.isGroup())
	show(r.policyLine, r.isGroup())
}

// route is the route as typed.
func (r *routeRow) route() profiles.Route {
	out := profiles.Route{Name: strings.TrimSpace(r.Name.Text)}
	if !r.isGroup() {
		out.Chain = r.Chain.names()
		return out
	}
	out.Group = r.Group.names()
	out.Policy = profiles.PolicyFailover
	if r.Policy.SelectedIndex() == 1 {
		out.Policy = profiles.PolicyFastest
	}
	if out.Policy == profiles.PolicyFailover && r.orig.Policy == "" {
		out.Policy = "" // the default, as the file had it
	}
	return out
}

// Routes edits a profile's named routes, in order.
type Routes struct {
	Rows []*routeRow
	Add  *widget.Button

	list      *ordered[*routeRow]
	upstreams []string // the upstreams' names, for the chains' choices
	onChange  func()
	onRename  func(old, name string) // a route's references follow its name
	content   fyne.CanvasObject
}

func newRoutes(onChange func()) *Routes {
	rs := &Routes{onChange: onChange}
	rs.list = newOrdered[*routeRow](func() { rs.Rows = rs.list.Values(); rs.onChange() })
	rs.Add = widget.NewButtonWithIcon(lang.L("Add route"), theme.ContentAddIcon(), func() {
		r := rs.addRow(profiles.Route{})
		r.Chain.Add.OnTapped() // a new chain starts with one hop, the first upstream
	})
	help := widget.NewLabel(lang.L("A chain goes through its upstreams in order. A group picks one of its routes (or direct): failover takes the first that works, fastest the quickest. Rules and groups refer to routes by name; direct and block always exist."))
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	rs.content = container.NewVBox(help, rs.list.box, container.NewHBox(rs.Add))
	return rs
}

// set replaces the rows with routes.
func (rs *Routes) set(routes []profiles.Route) {
	rs.list.Clear()
	for _, r := range routes {
		rs.addRow(r)
	}
	rs.Rows = rs.list.Values()
}

func (rs *Routes) addRow(rt profiles.Route) *routeRow {
	r := &routeRow{Name: widget.NewEntry(), Errors: newMessage(), orig: rt, ref: nameRef(rt.Name)}
	r.Name.SetPlaceHolder(lang.L("name (rules use it)"))
	r.Name.SetText(rt.Name)
	r.Chain = newMembers(lang.L("Add hop"), lang.L("upstream name"), rs.onChange)
	r.Group = newMembers(lang.L("Add member"), lang.L("route name or direct"), rs.onChange)
	r.Chain.setChoices(rs.upstreams)
	r.Chain.set(rt.Chain)
	r.Group.set(rt.Group)
	r.Policy = widget.NewSelect(policyLabels(), nil)
	r.Policy.SetSelectedIndex(0)
	if rt.Policy == profiles.PolicyFastest {
		r.Policy.SetSelectedIndex(1)
	}
	// The policy gets its own line: beside the name and the kind it would
	// not fit the default window.
	r.policyLine = container.NewBorder(nil, nil, widget.NewLabel(lang.L("Policy")), nil, r.Policy)
	r.Kind = widget.NewRadioGroup([]string{chainLabel(), groupLabel()}, nil)
	r.Kind.Horizontal, r.Kind.Required = true, true
	r.Kind.SetSelected(chainLabel())
	if len(rt.Group) > 0 {
		r.Kind.SetSelected(groupLabel())
	}
	r.kindChanged()
	r.Name.OnChanged = func(s string) {
		if old, ok := r.ref.follow(strings.TrimSpace(s), countNames(rs.names, builtinRoutes...)); ok && rs.onRename != nil {
			rs.onRename(old, strings.TrimSpace(s))
		}
		rs.onChange()
	}
	r.Kind.OnChanged = func(string) { r.kindChanged(); rs.onChange() }
	r.Policy.OnChanged = func(string) { rs.onChange() }
	head := container.NewBorder(nil, nil, nil, r.Kind, r.Name)
	rs.list.Add(r, container.NewVBox(head, r.policyLine, r.Chain.content, r.Group.content, r.Errors, widget.NewSeparator()))
	rs.Rows = rs.list.Values()
	return r
}

// read returns the routes as typed.
func (rs *Routes) read() []profiles.Route {
	var out []profiles.Route
	for _, r := range rs.Rows {
		out = append(out, r.route())
	}
	return out
}

// names are the routes' names as typed.
func (rs *Routes) names() []string {
	var out []string
	for _, r := range rs.Rows {
		if n := strings.TrimSpace(r.Name.Text); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// setChoices offers the upstreams in the chains, and direct and the other
// routes in the groups (block carries nothing, and a group cannot
// contain itself).
func (rs *Routes) setChoices(upstreams []string) {
	rs.upstreams = upstreams
	routes := rs.names()
	for _, r := range rs.Rows {
		r.Chain.setChoices(upstreams)
		choices := []string{profiles.RouteDirect}
		for _, n := range routes {
			if n != strings.TrimSpace(r.Name.Text) {
				choices = append(choices, n)
			}
		}
		r.Group.setChoices(choices)
	}
}

// showProblems shows each row's problems under it and returns the rest.
func (rs *Routes) showProblems(ps []profiles.Problem) []profiles.Problem {
	labels := make([]*widget.Label, len(rs.Rows))
	for i, r := range rs.Rows {
		labels[i] = r.Errors
	}
	return showIndexed(ps, "route", labels)
}
