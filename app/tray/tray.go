// Package tray is the app's system tray: the menu (proxy on/off, profiles,
// LAN sharing, system proxy, copy address, show window, start at login,
// quit) and an icon and tooltip
// that show the proxy's state. The menu is built from the controller's
// state by Menu, so tests call its items' actions directly.
package tray

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
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
	LabelCopyEnv  = "Copy terminal proxy command"
	LabelShow     = "Show Sockstray"
	LabelQuit     = "Quit"
)

// Hooks are what the menu does beyond the controller.
type Hooks struct {
	Show func()                       // show the window
	Quit func()                       // stop everything and exit
	Copy func(string)                 // put text on the clipboard
	Fail func(what string, err error) // tell the user an action failed
	// Run runs an action of the controller (the keychain, the disk, the
	// engine, the desktop's tools) off the UI goroutine; nil means on a
	// new goroutine. Tray sets its own, which shows the action in progress.
	Run func(action func())
	// Busy reports whether an action runs: its items are disabled
	// meanwhile. Nil means never.
	Busy func() bool
}

// run runs action through h.Run, or on a new goroutine.
func (h Hooks) run(action func()) {
	if h.Run != nil {
		h.Run(action)
		return
	}
	go action()
}

// Menu builds the tray menu for the controller's state now.
func Menu(c *control.Controller, h Hooks) *fyne.Menu {
	st := c.State()
	fail := func(what string, err error) {
		if err != nil && h.Fail != nil {
			h.Fail(what, err)
		}
	}
	// Every action waits for the ones before it and may be slow: decide
	// decides at the tap, from the state now (cheap reads), what to do off
	// the UI goroutine.
	act := func(what string, decide func() func() error) func() {
		return func() {
			do := decide()
			h.run(func() { fail(what, do()) })
		}
	}
	busy := h.Busy != nil && h.Busy()
	proxy := fyne.NewMenuItem(lang.L(LabelProxy), act(lang.L("Proxy not switched"), func() func() error {
		on := !c.State().Running
		return func() error { return c.SetProxy(on) }
	}))
	proxy.Checked = st.Running
	proxy.Disabled = busy

	var items []*fyne.MenuItem
	if es, err := c.Profiles(); err == nil {
		for _, e := range es {
			name := e.Name
			it := fyne.NewMenuItem(name, act(lang.L("Profile not applied"), func() func() error {
				return func() error { return c.UseProfile(name) }
			}))
			it.Checked = name == st.Profile
			it.Disabled = e.Err != nil || busy
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		items = append(items, &fyne.MenuItem{Label: st.Profile, Checked: true})
	}
	profs := fyne.NewMenuItem(lang.L(LabelProfiles), nil)
	profs.ChildMenu = fyne.NewMenu(lang.L(LabelProfiles), items...)

	share := fyne.NewMenuItem(shareLabel(st), act(lang.L("LAN sharing not changed"), func() func() error {
		on := !c.State().ShareLAN
		return func() error { return c.SetShareLAN(on) }
	}))
	share.Checked = st.ShareLAN
	share.Disabled = busy
	sys := fyne.NewMenuItem(lang.L(LabelSysProxy), act(lang.L("System proxy not changed"), func() func() error {
		on := !c.SystemProxyOn()
		return func() error { return c.SetSystemProxy(on) }
	}))
	sys.Checked = c.SystemProxyOn()
	sys.Disabled = busy
	// StartAtLogin reads a file: the item's state is read once per menu.
	loginOn := c.StartAtLogin()
	login := fyne.NewMenuItem(lang.L(LabelLogin), act(lang.L("Start at login not changed"), func() func() error {
		return func() error { return c.SetStartAtLogin(!loginOn) }
	}))
	login.Checked = loginOn
	login.Disabled = busy
	cp := fyne.NewMenuItem(lang.L(LabelCopy), func() {
		if h.Copy != nil {
			h.Copy(c.State().Addr)
		}
	})
	cpEnv := fyne.NewMenuItem(lang.L(LabelCopyEnv), func() { copyTerminalCommand(c, h) })
	show := fyne.NewMenuItem(lang.L(LabelShow), h.Show)
	quit := fyne.NewMenuItem(lang.L(LabelQuit), h.Quit)
	quit.IsQuit = true
	return fyne.NewMenu("Sockstray", proxy, profs, share, shareForMenu(c, st, busy, act), sys, fyne.NewMenuItemSeparator(),
		cp, cpEnv, show, login, fyne.NewMenuItemSeparator(), quit)
}

// Icon is the icon of a state.
func Icon(st control.State) fyne.Resource {
	switch {
	case st.Err != nil:
		return IconError
	case st.Running:
		return IconOn
	}
	return IconOff
}

// Title says the state and the address, for the tray's tooltip and title.
func Title(st control.State) string {
	switch {
	case st.Err != nil:
		return lang.L("Sockstray: error: {{.Err}}", st)
	case st.Running && st.ShareLAN:
		if m, ok := minutesLeft(st); ok {
			return lang.L("Sockstray: on, {{.Addr}} ({{.Profile}}, shared on the LAN, {{.Min}} min left)",
				map[string]any{"Addr": st.Addr, "Profile": st.Profile, "Min": m})
		}
		return lang.L("Sockstray: on, {{.Addr}} ({{.Profile}}, shared on the LAN)", st)
	case st.Running:
		return lang.L("Sockstray: on, {{.Addr}} ({{.Profile}})", st)
	}
	return lang.L("Sockstray: off ({{.Profile}}, {{.Addr}})", st)
}

// Tray keeps a desktop app's tray in step with the controller.
type Tray struct {
	app   desktop.App
	ctrl  *control.Controller
	hooks Hooks
	// SetTitle shows the tooltip and title; the systray library's by
	// default (see title.go).
	SetTitle func(string)
	// Menu is the menu installed last.
	Menu *fyne.Menu
	// Shown is the title set last (see rates.go).
	Shown string

	busy int            // actions started from the menu and not finished; UI goroutine
	tick *time.Timer    // the next refresh of a share's countdown; UI goroutine
	wg   sync.WaitGroup // the goroutines running them
}

// New returns a tray for app, which must be a desktop.App. Unless h has
// its own Run, the menu's actions run off the UI goroutine with the items
// disabled and the title saying so until they end.
func New(app desktop.App, c *control.Controller, h Hooks) *Tray {
	t := &Tray{app: app, ctrl: c, hooks: h, SetTitle: setTitle}
	if t.hooks.Run == nil {
		t.hooks.Run, t.hooks.Busy = t.run, func() bool { return t.busy > 0 }
	}
	return t
}

// run runs action on a goroutine and refreshes the tray when it ends;
// call it on the UI goroutine.
func (t *Tray) run(action func()) {
	t.busy++
	t.Refresh()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		action()
		fyne.Do(func() {
			t.busy--
			t.Refresh()
		})
	}()
}

// Wait waits for the actions started from the menu.
func (t *Tray) Wait() { t.wg.Wait() }

// Refresh rebuilds the menu and sets the icon and title from the state now.
// Call it on the UI thread, once to install the tray and after each change.
func (t *Tray) Refresh() {
	st := t.ctrl.State()
	t.Menu = Menu(t.ctrl, t.hooks)
	t.app.SetSystemTrayMenu(t.Menu)
	t.app.SetSystemTrayIcon(Icon(st))
	t.tickShare(st)
	t.showTitle(st)
}
