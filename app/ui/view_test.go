package ui

import (
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/core/stats"
)

// TestSamplerTakesOnlyWhatIsShown: a hidden window takes nothing from the
// engine (its table keeps the last rows, however the connections change),
// Throughput takes series and totals without rows, and the rows come
// back once Connections shows again.
func TestSamplerTakesOnlyWhatIsShown(t *testing.T) {
	w, c, echo, _ := onConnections(t)
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

// TestIdleRowsAreNotCopiedAgain: while the connections stay as they were,
// the sampler takes only the time, and the table moves its ages on
// without a copy of the rows; a new connection brings the rows again.
func TestIdleRowsAreNotCopiedAgain(t *testing.T) {
	w, c, echo, _ := onConnections(t)
	if n := len(w.Connections.Rows()); n != 1 {
		t.Fatalf("%d rows shown, want 1", n)
	}

	s, ok := w.take(viewConns)
	if !ok || !s.same || s.Conns != nil {
		t.Fatalf("idle: took same=%v with %d rows; want the time only", s.same, len(s.Conns))
	}
	start := w.Connections.Rows()[0].Start
	w.show(viewConns, sample{Snapshot: stats.Snapshot{Time: start.Add(75 * time.Second)}, same: true})
	if got := ageShown(w.Connections); got != Age(75*time.Second) {
		t.Errorf("age cell after an idle sample: %q, want %q", got, Age(75*time.Second))
	}

	second := controltest.Dial(t, c.State().Addr, echo)
	defer second.Close()
	s, _ = w.take(viewConns)
	if s.same || len(s.Conns) != 2 {
		t.Errorf("after a new connection: took same=%v with %d rows; want both rows", s.same, len(s.Conns))
	}
}

// ageShown is the text of the first row's age cell.
func ageShown(c *Connections) string {
	for _, cell := range c.cells {
		if cell.col == colAge && cell.row == 0 {
			return cell.label.Text
		}
	}
	return "(no age cell)"
}
