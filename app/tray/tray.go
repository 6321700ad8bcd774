// Package tray is the app's system tray: the menu (proxy on/off, profiles,
// LAN sharing, system proxy, copy address, show window, start at login,
// quit) and an icon and tooltip
// that show the proxy's state. The menu is built from the controller's
// state by Menu, so tests call its items' actions directly.
package tray

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	ctl "github.com/sockstray/sockstray/app/desktop"
	"github.com/sockstray/sockstray/assets"
)

// Icons of the three states, PNG (the tray cannot show SVG).
var (
	IconOff   = fyne.NewStaticResource("tray-off.png", assets.TrayOff)
	IconOn    = fyne.NewStaticResource("tray-on.png", assets.TrayOn)
	IconError = fyne.NewStaticResource("tray-error.png", assets.TrayError)
)

// Labels of the menu items, in English: the menu shows their
// translations.
const (
	LabelProxy    = "Proxy on"
	LabelProfiles = "Profiles"
	LabelShare    = "Share on LAN"
	LabelSysProxy = "Use as system proxy"
	LabelLogin    = "Start at login"
	LabelCopy     = "Copy proxy address"
	LabelShow     = "Show Sockstray"
	LabelQuit     = "Quit"
)

// Hooks are what the menu does beyond the controller.
type Hooks struct {
	Show func()                       // show the window
	Quit func()                       // stop everything and exit
	Copy func(string)                 // put text on the clipboard
	Fail func(what string, err error) // tell the user an action failed
}

// Menu builds the tray menu for the controller's state now.
func Menu(c *ctl.Controller, h Hooks) *fyne.Menu {
	st := c.State()
	fail := func(what string, err error) {
		if err != nil && h.Fail != nil {
			h.Fail(what, err)
		}
	}
	proxy := fyne.NewMenuItem(lang.L(LabelProxy), func() { fail(lang.L("Proxy not switched"), c.SetProxy(!c.State().Running)) })
	proxy.Checked = st.Running

	var items []*fyne.MenuItem
	if es, err := c.Profiles(); err == nil {
		for _, e := range es {
			name := e.Name
			it := fyne.NewMenuItem(name, func() { fail(lang.L("Profile not applied"), c.UseProfile(name)) })
			it.Checked = name == st.Profile
			it.Disabled = e.Err != nil
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		items = append(items, &fyne.MenuItem{Label: st.Profile, Checked: true})
	}
	profs := fyne.NewMenuItem(lang.L(LabelProfiles), nil)
	profs.ChildMenu = fyne.NewMenu(lang.L(LabelProfiles), items...)

	share := fyne.NewMenuItem(lang.L(LabelShare), func() { fail(lang.L("LAN sharing not changed"), c.SetShareLAN(!c.State().ShareLAN)) })
	share.Checked = st.ShareLAN
	sys := fyne.NewMenuItem(lang.L(LabelSysProxy), func() {
		// The desktop's tools take a moment: off the UI thread.
		on := !c.SystemProxyOn()
		go func() { fail(lang.L("System proxy not changed"), c.SetSystemProxy(on)) }()
	})
	sys.Checked = c.SystemProxyOn()
	login := fyne.NewMenuItem(lang.L(LabelLogin), func() {
		fail(lang.L("Start at login not changed"), c.SetStartAtLogin(!c.StartAtLogin()))
	})
	login.Checked = c.StartAtLogin()
	cp := fyne.NewMenuItem(lang.L(LabelCopy), func() {
		if h.Copy != nil {
			h.Copy(c.State().Addr)
		}
	})
	show := fyne.NewMenuItem(lang.L(LabelShow), h.Show)
	quit := fyne.NewMenuItem(lang.L(LabelQuit), h.Quit)
	quit.IsQuit = true
	return fyne.NewMenu("Sockstray", proxy, profs, share, sys, fyne.NewMenuItemSeparator(),
		cp, show, login, fyne.NewMenuItemSeparator(), quit)
}

// Icon is the icon of a state.
func Icon(st ctl.State) fyne.Resource {
	switch {
	case st.Err != nil:
		return IconError
	case st.Running:
		return IconOn
	}
	return IconOff
}

// Title says the state and the address, for the tray's tooltip and title.
func Title(st ctl.State) string {
	switch {
	case st.Err != nil:
		return lang.L("Sockstray: error: {{.Err}}", st)
	case st.Running && st.ShareLAN:
		return lang.L("Sockstray: on, {{.Addr}} ({{.Profile}}, shared on the LAN)", st)
	case st.Running:
		return lang.L("Sockstray: on, {{.Addr}} ({{.Profile}})", st)
	}
	return lang.L("Sockstray: off ({{.Profile}}, {{.Addr}})", st)
}

// Tray keeps a desktop app's tray in step with the controller.
type Tray struct {
	app   desktop.App
	ctrl  *ctl.Controller
	hooks Hooks
	// SetTitle shows the tooltip and title; the systray library's by
	// default (see title.go).
	SetTitle func(string)
	// Menu is the menu installed last.
	Menu *fyne.Menu
}

// New returns a tray for app, which must be a desktop.App.
func New(app desktop.App, c *ctl.Controller, h Hooks) *Tray {
	return &Tray{app: app, ctrl: c, hooks: h, SetTitle: setTitle}
}

// Refresh rebuilds the menu and sets the icon and title from the state now.
// Call it on the UI thread, once to install the tray and after each change.
func (t *Tray) Refresh() {
	st := t.ctrl.State()
	t.Menu = Menu(t.ctrl, t.hooks)
	t.app.SetSystemTrayMenu(t.Menu)
	t.app.SetSystemTrayIcon(Icon(st))
	t.SetTitle(Title(st))
}
