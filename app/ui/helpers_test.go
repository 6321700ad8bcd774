package ui

import (
	"net"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
)

// newWindow builds the window over a fresh controller with Fyne's test
// driver, sized so that tables lay out rows.
func newWindow(t *testing.T) (*Window, *control.Controller) {
	t.Helper()
	return newWindowWith(t, control.Options{})
}

// newWindowWith is newWindow over a controller with the options o.
func newWindowWith(t *testing.T, o control.Options) (*Window, *control.Controller) {
	t.Helper()
	a := test.NewTempApp(t)
	c := controltest.NewWith(t, o)
	w := New(a, c)
	t.Cleanup(w.Win.Close)
	t.Cleanup(func() { settle(w) }) // before the window closes
	// In Fyne's test driver fyne.Do runs on the caller's goroutine: the
	// tests wait for the work handlers start before touching widgets.
	settle(w)
	w.Win.Resize(fyne.NewSize(1100, 700))
	w.Show()
	return w, c
}

// onConnections is a window on the Connections tab with the proxy on and
// one proxied connection open (closed when the test ends) to an echo
// server at echo.
func onConnections(t *testing.T) (w *Window, c *control.Controller, echo string, conn net.Conn) {
	t.Helper()
	w, c = newWindow(t)
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	echo = controltest.Echo(t)
	conn = controltest.Dial(t, c.State().Addr, echo)
	t.Cleanup(func() { conn.Close() })
	w.ShowTab(TabConnections)
	return w, c, echo, conn
}

// shows are the outcomes of the handlers' work, queued for the test's
// goroutine: in the tests it plays the app's event loop (see do).
var shows struct {
	sync.Mutex
	queue []func()
}

func init() {
	do = func(f func()) {
		shows.Lock()
		defer shows.Unlock()
		shows.queue = append(shows.queue, f)
	}
}

// settle waits for the work the window's handlers started off the UI
// goroutine and shows its outcomes, until none is left.
func settle(w *Window) {
	drain(&w.Status.jobs, &w.LAN.jobs, &w.Profiles.jobs, &w.Settings.jobs, &w.Connections.progs.jobs)
}

// drain waits for js and runs the outcomes queued, until none is left.
func drain(js ...*jobs) {
	for {
		for _, j := range js {
			j.wait()
		}
		shows.Lock()
		q := shows.queue
		shows.queue = nil
		shows.Unlock()
		if len(q) == 0 {
			return
		}
		for _, f := range q {
			f()
		}
	}
}

// find returns the visible objects under o, as rendered, that match.
func find[T fyne.CanvasObject](o fyne.CanvasObject, match func(T) bool) []T {
	var out []T
	var walk func(fyne.CanvasObject)
	walk = func(x fyne.CanvasObject) {
		if x == nil || !x.Visible() {
			return
		}
		if v, ok := x.(T); ok && (match == nil || match(v)) {
			out = append(out, v)
		}
		switch c := x.(type) {
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(c).Objects() {
				walk(child)
			}
		case *fyne.Container:
			for _, child := range c.Objects {
				walk(child)
			}
		}
	}
	walk(o)
	return out
}

// eventually polls cond for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// tapAndWait taps b on the Profiles screen and waits until the save (or
// reload) it starts off the UI goroutine has shown its outcome.
func tapAndWait(t *testing.T, s *Profiles, b *widget.Button) {
	t.Helper()
	done := false
	s.afterSave = func() { done = true }
	defer func() { s.afterSave = nil }()
	test.Tap(b)
	drain(&s.jobs)
	if !done {
		t.Fatal("the save showed no outcome")
	}
}
