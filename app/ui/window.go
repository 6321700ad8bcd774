// Package ui is the desktop app's window: one file per screen, each screen
// a struct holding its widgets with its build and its event handlers.
// Widgets change only on the UI thread: the sampler and the controller's
// listeners reach them through fyne.Do. Screens read engine snapshots and
// never block the relay.
package ui

import (
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
)

// Tab names: ShowTab takes them; each is its tab's label in English.
const (
	TabProfiles    = "Profiles"
	TabConnections = "Connections"
	TabThroughput  = "Throughput"
	TabLAN         = "LAN sharing"
	TabLog         = "Log"
	TabUsage       = "Usage"
)

// DefaultSize is the window's size on a first start.
var DefaultSize = fyne.NewSize(960, 640)

// Window is the main window and its screens.
type Window struct {
	Win         fyne.Window
	Status      *StatusBar
	Banner      *Banner
	Profiles    *Profiles
	Connections *Connections
	Throughput  *Throughput
	LAN         *LAN
	Log         *Log
	Usage       *Usage
	Tabs        *container.AppTabs
	Settings    *Settings

	app  fyne.App
	tabs map[string]*container.TabItem // by tab name
	ctrl *control.Controller
	stop chan struct{}
	done chan struct{}

	shown bool          // whether the window is shown; UI thread
	view  atomic.Int32  // what it shows (a view), for the sampler
	seen  atomic.Uint64 // the table's change count at the last snapshot taken
	idle  *idler        // slows the event loop while hidden
}

// New builds the window (not shown yet) for ctrl.
func New(app fyne.App, ctrl *control.Controller) *Window {
	w := &Window{app: app, ctrl: ctrl, Win: app.NewWindow("Sockstray"), idle: newIdler()}
	clip := func(s string) { app.Clipboard().SetContent(s) }
	w.Banner = NewBanner()
	w.Status = NewStatusBar(ctrl, clip)
	w.Profiles = NewProfiles(ctrl, w.Win)
	w.Connections = NewConnections(ctrl)
	w.Throughput = NewThroughput()
	w.LAN = NewLAN(ctrl, clip)
	w.Log = NewLog(ctrl.Log())
	w.Settings = NewSettings(ctrl, w.Win)
	w.Usage = NewUsage(ctrl, w.Win)
	w.tabs = map[string]*container.TabItem{
		TabProfiles:    container.NewTabItem(lang.L(TabProfiles), w.Profiles.Content()),
		TabConnections: container.NewTabItem(lang.L(TabConnections), w.Connections.Content()),
		TabThroughput:  container.NewTabItem(lang.L(TabThroughput), w.Throughput.Content()),
		TabLAN:         container.NewTabItem(lang.L(TabLAN), w.LAN.Content()),
		TabLog:         container.NewTabItem(lang.L(TabLog), w.Log.Content()),
		TabUsage:       container.NewTabItem(lang.L(TabUsage), w.Usage.Content()),
	}
	w.Tabs = container.NewAppTabs(w.tabs[TabProfiles], w.tabs[TabConnections], w.tabs[TabThroughput], w.tabs[TabLAN], w.tabs[TabUsage], w.tabs[TabLog])
	w.Tabs.OnSelected = func(t *container.TabItem) {
		w.track()
		w.sample()
		if t == w.tabs[TabUsage] {
			w.Usage.Load()
		}
	}
	top := container.NewBorder(nil, nil, nil, w.Settings.Button, w.Status.Content())
	w.Win.SetContent(container.NewBorder(container.NewVBox(top, w.Banner.Content()), nil, nil, nil, w.Tabs))
	s := ctrl.Settings()
	size := DefaultSize
	if s.WindowWidth > 0 && s.WindowHeight > 0 {
		size = fyne.NewSize(float32(s.WindowWidth), float32(s.WindowHeight))
	}
	w.Win.Resize(size)
	ctrl.OnChange(func() { do(w.refresh) })
	ctrl.OnNotice(func(n control.Notice) { do(func() { w.Banner.Show(n) }) })
	w.refresh()
	return w
}

// Show shows the window and brings it to the front.
func (w *Window) Show() {
	w.idle.end()
	w.Win.Show()
	w.Win.RequestFocus()
	w.shown = true
	w.track()
	w.sample()
}

// Hide hides the window; the app keeps running, and the sampler takes
// nothing until it shows again.
func (w *Window) Hide() {
	w.Win.Hide()
	w.shown = false
	w.track()
	w.idle.begin()
}

// ShowTabSoon is ShowTab from any goroutine, without waiting for the
// slowed event loop of a hidden window to turn; "" keeps the tab.
func (w *Window) ShowTabSoon(name string) {
	w.idle.wakeUp()
	fyne.Do(func() { w.ShowTab(name) })
}

// ShowTab shows the window on the named tab (TabProfiles, …).
func (w *Window) ShowTab(name string) {
	if t := w.tabs[name]; t != nil {
		w.Tabs.Select(t)
	}
	w.Show()
}

// refresh updates everything that shows the controller's state.
func (w *Window) refresh() {
	w.Status.Refresh()
	w.LAN.Refresh()
	w.Profiles.Refresh()
}

// Start samples the engine about once a second until Stop, taking only
// what the window shows (see view): nothing while it is hidden. The sample
// is taken off the UI thread; only the screen in view is updated. A window
// not shown yet (started hidden) slows the event loop until it shows.
func (w *Window) Start() {
	if !w.shown {
		w.idle.begin()
	}
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(w.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				v := view(w.view.Load())
				if s, ok := w.take(v); ok {
					fyne.Do(func() { w.show(v, s) })
				}
			}
		}
	}()
}

// Stop ends the sampler and waits for it.
func (w *Window) Stop() {
	w.idle.end()
	if w.stop != nil {
		close(w.stop)
		<-w.done
		w.stop = nil
	}
}

// sample takes a snapshot now and shows it; call it on the UI thread.
func (w *Window) sample() {
	v := w.currentView()
	if s, ok := w.take(v); ok {
		w.apply(s)
	}
}
