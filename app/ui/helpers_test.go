package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/desktop"
	"github.com/sockstray/sockstray/app/desktop/desktoptest"
)

// newWindow builds the window over a fresh controller with Fyne's test
// driver, sized so that tables lay out rows.
func newWindow(t *testing.T) (*Window, *desktop.Controller) {
	t.Helper()
	a := test.NewTempApp(t)
	c := desktoptest.New(t)
	w := New(a, c)
	w.Win.Resize(fyne.NewSize(1100, 700))
	w.Show()
	t.Cleanup(w.Win.Close)
	return w, c
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
	done := make(chan struct{}, 1)
	s.afterSave = func() { done <- struct{}{} }
	defer func() { s.afterSave = nil }()
	test.Tap(b)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the save did not finish within 10s")
	}
}
