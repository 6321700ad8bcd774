package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/profiles"
)

// Sections of the profile editor, one tab each: routing needs the room,
// and tabs keep Save in sight at the default window size.
const (
	sectionProxy     = "proxy"
	sectionUpstreams = "upstreams"
	sectionRoutes    = "routes"
	sectionRules     = "rules"
	sectionCheck     = "check"
)

// buildLayout puts the form's widgets in its tabs, with the problems
// that belong to no field on top and Save and Revert below.
func (f *ProfileForm) buildLayout() {
	grid := container.New(layout.NewFormLayout())
	row := func(label, field string, w fyne.CanvasObject) {
		e := newMessage()
		f.errs[field] = e
		grid.Add(widget.NewLabel(label))
		grid.Add(container.NewVBox(w, e))
	}
	row(lang.L("Name"), "name", f.Name)
	row(lang.L("Listen host"), "host", f.Host)
	row(lang.L("Port"), "port", f.Port)
	row("", "share_on_lan", f.ShareOnLAN)
	row(lang.L("LAN interface"), "lan_interface", f.LANInterface)
	row(lang.L("Username"), "username", f.Username)
	row(lang.L("Password"), "password", f.Password)
	row(lang.L("Allowed clients"), "allow", f.Allow)
	row("", "open", f.Open)
	row("", "allow_local_targets", f.AllowLocalTargets)
	row(lang.L("Handshake timeout"), "options.handshake_timeout", f.HandshakeTimeout)
	row(lang.L("Idle timeout"), "options.idle_timeout", f.IdleTimeout)
	row(lang.L("Max connections"), "options.max_connections", f.MaxConns)
	row("", "options.udp", f.DisableUDP)
	row("", "options.bind", f.DisableBind)
	// The upstreams' problems that no row owns (none today) show above
	// their list.
	upErr := newMessage()
	f.errs["upstream"] = upErr
	f.check = container.NewVBox(f.Which.content)
	tab := func(label string, o fyne.CanvasObject) *container.TabItem {
		return container.NewTabItem(label, container.NewVScroll(container.NewPadded(o)))
	}
	f.tabOf = map[string]*container.TabItem{
		sectionProxy:     tab(lang.L("Proxy"), grid),
		sectionUpstreams: tab(lang.L("Upstreams"), container.NewVBox(upErr, f.Upstreams.content)),
		sectionRoutes:    tab(lang.L("Routes"), f.Routes.content),
		sectionRules:     tab(lang.L("Rules"), f.Rules.content),
		sectionCheck:     tab(lang.L("Check"), f.check),
	}
	f.Tabs = container.NewAppTabs(f.tabOf[sectionProxy], f.tabOf[sectionUpstreams], f.tabOf[sectionRoutes],
		f.tabOf[sectionRules], f.tabOf[sectionCheck])
	f.content = container.NewBorder(f.Error, container.NewHBox(f.Save, f.Revert), nil, nil, f.Tabs)
}

// addCheck adds o to the Check tab, under "Which route?".
func (f *ProfileForm) addCheck(o ...fyne.CanvasObject) {
	for _, x := range o {
		f.check.Add(widget.NewSeparator())
		f.check.Add(x)
	}
}

// refreshChoices offers, in the routes and rules, the names as typed
// now: the upstreams' in chains; direct and the routes' in groups, rule
// lists and the default.
func (f *ProfileForm) refreshChoices() {
	f.Routes.setChoices(f.Upstreams.names())
	routes := f.Routes.names()
	if len(f.Routes.Rows) == 0 && len(f.Upstreams.Rows) > 0 {
		// With no routes the upstreams form one chain of this name.
		routes = []string{"upstreams"}
	}
	f.Rules.setChoices(routes)
}

// sectionOf is the tab that shows a problem of field.
func sectionOf(field string) string {
	switch {
	case strings.HasPrefix(field, "upstream"):
		return sectionUpstreams
	case strings.HasPrefix(field, "route"):
		return sectionRoutes
	case strings.HasPrefix(field, "rule"), field == "default_route":
		return sectionRules
	}
	return sectionProxy
}

// markTabs gives the tabs with problems an error icon.
func (f *ProfileForm) markTabs(ps []profiles.Problem) {
	bad := map[string]bool{}
	for _, p := range ps {
		bad[sectionOf(p.Field)] = true
	}
	changed := false
	for name, t := range f.tabOf {
		if (t.Icon != nil) == bad[name] {
			continue
		}
		// Compared by presence: each call of theme.ErrorIcon is a new value.
		t.Icon, changed = nil, true
		if bad[name] {
			t.Icon = theme.ErrorIcon()
		}
	}
	if changed {
		f.Tabs.Refresh()
	}
}
