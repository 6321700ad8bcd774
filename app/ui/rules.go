package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/profiles"
)

// ruleRow edits one rule line, "TYPE,VALUE,ROUTE".
type ruleRow struct {
	Line   *widget.Entry
	Errors *widget.Label
}

// listRow edits one rule list: a file of Clash rules and the route its
// lines send to.
type listRow struct {
	File   *widget.Entry
	Route  *widget.SelectEntry
	Errors *widget.Label
}

// Rules edits a profile's rules (first match wins), its rule lists (read
// after the rules) and the default route (what no rule picks).
type Rules struct {
	Lines   *ordered[*ruleRow]
	AddRule *widget.Button
	Lists   *ordered[*listRow]
	AddList *widget.Button
	Default *widget.Select
	// DefaultError shows the validator's message about the default.
	DefaultError *widget.Label

	// def is the default route as loaded or picked. It is kept apart from
	// the select, which can show only what it offers: a default naming a
	// route that was removed stays, with the validator's message.
	def      string
	routes   []string // the choices of the lists and the default
	onChange func()
	content  fyne.CanvasObject
}

// notSet is the default's choice that leaves default_route out.
func notSet() string { return lang.L("not set: the upstreams in order, or direct") }

func newRules(onChange func()) *Rules {
	r := &Rules{onChange: onChange, DefaultError: newMessage()}
	r.Lines = newOrdered[*ruleRow](onChange)
	r.Lists = newOrdered[*listRow](onChange)
	r.AddRule = widget.NewButtonWithIcon(lang.L("Add rule"), theme.ContentAddIcon(), func() {
		r.addRule("")
		onChange()
	})
	r.AddList = widget.NewButtonWithIcon(lang.L("Add rule list"), theme.ContentAddIcon(), func() {
		r.addList(profiles.RuleList{Route: profiles.RouteDirect})
		onChange()
	})
	r.Default = widget.NewSelect(nil, func(s string) {
		if s == notSet() {
			s = ""
		}
		if s != r.def {
			r.def = s
			onChange()
		}
	})
	help := widget.NewLabel(lang.L("First match wins. Types: DOMAIN, DOMAIN-SUFFIX, DOMAIN-KEYWORD, IP-CIDR and IP-CIDR6 (add ,no-resolve to never look the name up), SRC-IP-CIDR, DST-PORT, NETWORK (udp or tcp), MATCH."))
	help.Wrapping, help.Importance = fyne.TextWrapWord, widget.LowImportance
	listHelp := widget.NewLabel(lang.L("Rule lists are files of such lines (Clash's classical format), read after the rules above; a line without a route goes to the list's route. A relative path is in the profiles folder."))
	listHelp.Wrapping, listHelp.Importance = fyne.TextWrapWord, widget.LowImportance
	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	r.content = container.NewVBox(
		bold(lang.L("Rules")), help, r.Lines.box, container.NewHBox(r.AddRule),
		widget.NewSeparator(), bold(lang.L("Rule lists")), listHelp, r.Lists.box, container.NewHBox(r.AddList),
		widget.NewSeparator(), bold(lang.L("Default route")),
		r.Default, r.DefaultError)
	return r
}

// set shows p's rules, lists and default.
func (r *Rules) set(p *profiles.Profile) {
	r.Lines.Clear()
	for _, l := range p.Rules {
		r.addRule(l)
	}
	r.Lists.Clear()
	for _, l := range p.RuleLists {
		r.addList(l)
	}
	r.def = p.DefaultRoute
}

func (r *Rules) addRule(line string) {
	row := &ruleRow{Line: widget.NewEntry(), Errors: newMessage()}
	row.Line.SetPlaceHolder(lang.L("TYPE,VALUE,ROUTE such as DOMAIN-SUFFIX,example.com,direct"))
	row.Line.SetText(line)
	row.Line.OnChanged = func(string) { r.onChange() }
	r.Lines.Add(row, container.NewVBox(row.Line, row.Errors))
}

func (r *Rules) addList(l profiles.RuleList) {
	row := &listRow{File: widget.NewEntry(), Route: widget.NewSelectEntry(r.routes), Errors: newMessage()}
	row.File.SetPlaceHolder(lang.L("rule list file, such as ads.list"))
	row.File.SetText(l.File)
	row.Route.SetPlaceHolder(lang.L("route"))
	row.Route.SetText(l.Route)
	row.File.OnChanged = func(string) { r.onChange() }
	row.Route.OnChanged = func(string) { r.onChange() }
	fields := container.New(layout.NewGridLayoutWithColumns(2), row.File, row.Route)
	r.Lists.Add(row, container.NewVBox(fields, row.Errors))
}

// read puts the rules, lists and default as typed into p.
func (r *Rules) read(p *profiles.Profile) {
	p.Rules, p.RuleLists = nil, nil
	for _, row := range r.Lines.Values() {
		p.Rules = append(p.Rules, strings.TrimSpace(row.Line.Text))
	}
	for _, row := range r.Lists.Values() {
		p.RuleLists = append(p.RuleLists, profiles.RuleList{File: strings.TrimSpace(row.File.Text), Route: strings.TrimSpace(row.Route.Text)})
	}
	p.DefaultRoute = r.def
}

// setChoices offers direct, block and routes for the lists and the
// default.
func (r *Rules) setChoices(routes []string) {
	choices := append([]string{profiles.RouteDirect, profiles.RouteBlock}, routes...)
	if !slices.Equal(r.routes, choices) {
		r.routes = choices
		for _, row := range r.Lists.Values() {
			row.Route.SetOptions(choices)
		}
	}
	// Set without OnChanged: offering choices is no edit.
	r.Default.Options = append([]string{notSet()}, choices...)
	r.Default.Selected = ""
	switch {
	case r.def == "":
		r.Default.Selected = notSet()
	case slices.Contains(choices, r.def):
		r.Default.Selected = r.def
	}
	r.Default.Refresh()
}

// showProblems shows the problems of rules, lists and the default where
// they are, and returns the rest.
func (r *Rules) showProblems(ps []profiles.Problem) []profiles.Problem {
	var lines, lists []*widget.Label
	for _, row := range r.Lines.Values() {
		lines = append(lines, row.Errors)
	}
	for _, row := range r.Lists.Values() {
		lists = append(lists, row.Errors)
	}
	ps = showIndexed(ps, "rules", lines)
	ps = showIndexed(ps, "rule_list", lists)
	var def []string
	var rest []profiles.Problem
	for _, p := range ps {
		if p.Field == "default_route" {
			def = append(def, p.Msg)
			continue
		}
		rest = append(rest, p)
	}
	setMessage(r.DefaultError, strings.Join(def, "\n"))
	return rest
}
