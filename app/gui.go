package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/instance"
	"github.com/sockstray/sockstray/app/tray"
	"github.com/sockstray/sockstray/app/ui"
	"github.com/sockstray/sockstray/assets"
	"github.com/sockstray/sockstray/profiles"
)

// hiddenFlag opens the desktop app in the tray only.
const hiddenFlag = control.HiddenFlag

// appID names the app to Fyne (its preferences folder) and to the control.
const appID = "io.github.sockstray.Sockstray"

// openDesktop runs the desktop app until the user quits it (the tray's or
// the window's Quit) or the process gets SIGINT or SIGTERM, which Fyne's
// driver turns into the same quit. Either way the engine stops, its port
// is released and the settings are saved before it returns. With hidden
// (control.HiddenFlag, how start at login opens it) the window stays
// hidden until asked for, where a tray icon is there to ask.
func openDesktop(stderr io.Writer, hidden bool) int {
	if msg := noDisplay(); msg != "" {
		fmt.Fprintln(stderr, msg)
		return 2
	}
	sys, err := claimSystem(stderr)
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintf(stderr, "sockstray: already running; its window was brought to the front\n")
		return 0
	}
	defer sys.release()
	if _, err := ui.LoadTranslations(languageSetting()); err != nil {
		fmt.Fprintf(stderr, "sockstray: translations: %v\n", err)
	}
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	ctrl, err := control.Open(sys.opts)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray: %v\n", err)
		return 1
	}
	a.Settings().SetTheme(ui.ThemeFor(ctrl.Settings().Theme))
	for _, n := range sys.notice {
		ctrl.Notify(slog.LevelWarn, n)
	}
	win := ui.New(a, ctrl)
	sys.showWith(func() { win.ShowTabSoon("") })
	refreshTray, inTray := setUpTray(a, ctrl, win)
	win.Start()
	followUIControl(win)
	a.Lifecycle().SetOnStarted(func() {
		refreshTray() // the tray library sets its own title once ready
		go ctrl.Restore()
	})
	if !hidden || !inTray {
		win.Show()
	}
	a.Run()

	size := win.Win.Canvas().Size()
	win.Stop()
	if err := ctrl.Close(int(size.Width), int(size.Height)); err != nil {
		return 1
	}
	return 0
}

// languageSetting is the language the settings choose, "" for the
// system's. It is read before the controller opens, for the controller's
// notices are the first strings shown; a settings file that does not load
// means the system's language, and the controller reports the problem.
func languageSetting() string {
	path, err := profiles.SettingsPath()
	if err != nil {
		return ""
	}
	s, err := profiles.LoadSettings(path)
	if err != nil {
		return ""
	}
	return s.Language
}

// setUpTray installs the tray where one can work and decides what closing
// the window does: hide it when a tray icon is the way back in, quit
// otherwise. Without a session D-Bus the tray is not set up at all: the
// tray library would panic on quit. It returns what refreshes the tray,
// and whether a tray host shows the icon.
func setUpTray(a fyne.App, ctrl *control.Controller, win *ui.Window) (refresh func(), inTray bool) {
	st := tray.Check()
	da, ok := a.(desktop.App)
	if !ok || !st.Usable() {
		win.Win.SetCloseIntercept(a.Quit)
		why := lang.L("this platform has none")
		if st.BusErr != nil {
			why = st.BusErr.Error()
		}
		ctrl.Notify(slog.LevelWarn, lang.L("No system tray ({{.Why}}): this window is the way in, and closing it quits Sockstray.", map[string]any{"Why": why}))
		return func() {}, false
	}
	t := tray.New(da, ctrl, tray.Hooks{
		Show: win.Show,
		Quit: a.Quit,
		Copy: func(s string) { a.Clipboard().SetContent(s) },
		Fail: func(what string, err error) {
			a.SendNotification(fyne.NewNotification("Sockstray", lang.L("{{.What}}: {{.Err}}", map[string]any{"What": what, "Err": err})))
		},
	})
	t.Refresh()
	ctrl.OnChange(func() { fyne.Do(t.Refresh) })
	stopRates := t.ShowRates()
	// Fyne keeps one OnStopped: no rates or countdown for a tray that is gone.
	a.Lifecycle().SetOnStopped(func() { stopRates(); t.Stop() })
	if st.Host {
		da.SetSystemTrayWindow(win.Win)
		win.Win.SetCloseIntercept(win.Hide)
		return t.Refresh, true
	}
	win.Win.SetCloseIntercept(a.Quit)
	ctrl.Notify(slog.LevelWarn, lang.L("No tray host on this desktop shows tray icons: this window is the way in, and closing it quits Sockstray."))
	return t.Refresh, false
}
