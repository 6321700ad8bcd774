package ui

import (
	"testing"

	"github.com/sockstray/sockstray/app/control/controltest"
)

// TestSamplerTakesOnlyWhatIsShown: a hidden window takes nothing from the
// engine (its table keeps the last rows, however the connections change),
// Throughput takes series and totals without rows, and the rows come
// back once Connections shows again.
func TestSamplerTakesOnlyWhatIsShown(t *testing.T) {
	w, c := newWindow(t)
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	echo := controltest.Echo(t)
	first := controltest.Dial(t, c.State().Addr, echo)
	defer first.Close()
	w.ShowTab(TabConnections)
	if n := len(w.Connections.Rows()); n != 1 {
		t.Fatalf("%d rows shown, want 1", n)
	}

	w.Hide()
	if _, ok := w.take(view(w.view.Load())); ok {
		t.Fatal("the sampler takes a snapshot while the window is hidden")
	}
	second := controltest.Dial(t, c.State().Addr, echo)
	defer second.Close()
	w.sample()
	if n := len(w.Connections.Rows()); n != 1 {
		t.Errorf("hidden: the table changed to %d rows", n)
	}

	w.ShowTab(TabThroughput)
	s, ok := w.take(view(w.view.Load()))
	if !ok || len(s.Conns) != 0 || s.Totals.Live != 2 {
		t.Errorf("Throughput: took %v with %d rows and %d live, want series and totals only", ok, len(s.Conns), s.Totals.Live)
	}

	w.ShowTab(TabConnections)
	if n := len(w.Connections.Rows()); n != 2 {
		t.Errorf("shown again: %d rows, want 2", n)
	}
	// A snapshot taken for another view is not shown.
	w.show(viewSummary, s)
	if n := len(w.Connections.Rows()); n != 2 {
		t.Errorf("a Throughput sample reached the Connections table: %d rows", n)
	}
}
