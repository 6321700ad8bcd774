package ui

import (
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/stats"
)

func TestRatesOverAWindow(t *testing.T) {
	var r rates
	t0 := time.Now()
	snap := func(sec int, down int64, tickRate float64) stats.Snapshot {
		return stats.Snapshot{Time: t0.Add(time.Duration(sec) * time.Second),
			Conns: []stats.ConnStat{{ID: 7, Down: down, RateDown: tickRate}}}
	}
	// Counters that move in 2,000-byte steps every other second: the tick
	// rate swings between 0 and 2,000, the real rate is 1,000.
	r.add(snap(0, 0, 0))
	c := &stats.ConnStat{ID: 7}
	if got := r.of(c); got != 0 {
		t.Errorf("first sample: %v", got)
	}
	for sec, down := range []int64{0, 2000, 2000, 4000, 4000, 6000, 6000} {
		r.add(snap(sec+1, down, 0))
	}
	if got := r.of(c); got < 600 || got > 1400 {
		t.Errorf("rate over the window %v, want about 1000", got)
	}
	if len(r.past) > 8 {
		t.Errorf("%d samples kept", len(r.past))
	}
	// A connection that is gone is forgotten.
	r.add(stats.Snapshot{Time: t0.Add(20 * time.Second)})
	if len(r.rate) != 0 {
		t.Errorf("rates of ended connections kept: %v", r.rate)
	}
}
