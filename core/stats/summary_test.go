package stats

import (
	"slices"
	"testing"
	"time"
)

// TestSummary checks that a summary has the snapshot's series and totals
// and no connections.
func TestSummary(t *testing.T) {
	tab, clk := newTable()
	ended := tab.Open(info("ended:1"), nil)
	ended.AddUp(10)
	tab.Done(ended)
	live := tab.Open(info("live:1"), nil)
	live.AddUp(1000)
	live.AddDown(2000)
	clk.Advance(time.Second)
	tab.Tick()
	live.AddDown(5) // after the tick: in the totals, not yet in the series

	sum, snap := tab.Summary(), tab.Snapshot()
	if len(sum.Conns) != 0 {
		t.Errorf("summary has %d connections", len(sum.Conns))
	}
	want := Totals{Up: 1010, Down: 2005, Conns: 2, Live: 1}
	if sum.Totals != want || snap.Totals != want {
		t.Errorf("totals: summary %+v, snapshot %+v, want %+v", sum.Totals, snap.Totals, want)
	}
	if !slices.Equal(sum.Series, snap.Series) || len(sum.Series) != 1 || sum.Series[0].Up != 1010 {
		t.Errorf("series: summary %+v, snapshot %+v", sum.Series, snap.Series)
	}
	if !sum.Time.Equal(clk.Now()) {
		t.Errorf("time %v, want %v", sum.Time, clk.Now())
	}
}
