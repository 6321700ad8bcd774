package main

import (
	"fmt"
	"io"
	"log/slog"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	fynedesktop "fyne.io/fyne/v2/driver/desktop"

	"github.com/sockstray/sockstray/app/desktop"
	"github.com/sockstray/sockstray/app/tray"
	"github.com/sockstray/sockstray/app/ui"
	"github.com/sockstray/sockstray/assets"
)

// appID names the app to Fyne (its preferences folder) and to the desktop.
const appID = "io.github.sockstray.Sockstray"

// openDesktop runs the desktop app until the user quits it (the tray's or
// the window's Quit) or the process gets SIGINT or SIGTERM, which Fyne's
// driver turns into the same quit. Either way the engine stops, its port
// is released and the settings are saved before it returns.
func openDesktop(stderr io.Writer) int {
	if msg := noDisplay(); msg != "" {
		fmt.Fprintln(stderr, msg)
		return 2
	}
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	ctrl, err := desktop.Open(desktop.Options{Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "sockstray: %v\n", err)
		return 1
	}
	win := ui.New(a, ctrl)
	refreshTray := setUpTray(a, ctrl, win)
	win.Start()
	a.Lifecycle().SetOnStarted(func() {
		refreshTray() // the tray library sets its own title once ready
		go ctrl.Restore()
	})
	win.Show()
	a.Run()

	size := win.Win.Canvas().Size()
	win.Stop()
	if err := ctrl.Close(int(size.Width), int(size.Height)); err != nil {
		return 1
	}
	return 0
}

// setUpTray installs the tray where one can work and decides what closing
// the window does: hide it when a tray icon is the way back in, quit
// otherwise. Without a session D-Bus the tray is not set up at all: the
// tray library would panic on quit. It returns what refreshes the tray.
func setUpTray(a fyne.App, ctrl *desktop.Controller, win *ui.Window) func() {
	st := desktop.CheckTray()
	da, ok := a.(fynedesktop.App)
	if !ok || !st.Usable() {
		win.Win.SetCloseIntercept(a.Quit)
		why := "this platform has none"
		if st.BusErr != nil {
			why = st.BusErr.Error()
		}
		ctrl.Notify(slog.LevelWarn, "No system tray ("+why+"): this window is the way in, and closing it quits Sockstray.")
		return func() {}
	}
	t := tray.New(da, ctrl, tray.Hooks{
		Show: win.Show,
		Quit: a.Quit,
		Copy: func(s string) { a.Clipboard().SetContent(s) },
		Fail: func(what string, err error) {
			a.SendNotification(fyne.NewNotification("Sockstray", what+": "+err.Error()))
		},
	})
	t.Refresh()
	ctrl.OnChange(func() { fyne.Do(t.Refresh) })
	if st.Host {
		da.SetSystemTrayWindow(win.Win)
		win.Win.SetCloseIntercept(win.Hide)
		return t.Refresh
	}
	win.Win.SetCloseIntercept(a.Quit)
	ctrl.Notify(slog.LevelWarn, "No tray host on this desktop shows tray icons: this window is the way in, and closing it quits Sockstray.")
	return t.Refresh
}
