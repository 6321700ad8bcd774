package ui

import (
	"time"

	"github.com/sockstray/sockstray/core/stats"
)

// rateWindow is how far back a connection's shown rate looks. The relay
// updates its counters about once a second, in step with the engine's
// tick, so a one-tick rate swings between zero and double; a few seconds'
// window shows what the connection really does.
const rateWindow = 3 * time.Second

// rates computes each live connection's rate (both ways) over about
// rateWindow from the byte counts of recent snapshots. It keeps the counts
// of at most a few snapshots, each only of connections live then, so its
// memory is bounded by the live connections.
type rates struct {
	past []countAt // oldest first
	rate map[uint64]float64
}

type countAt struct {
	t     time.Time
	bytes map[uint64]int64
}

// add takes a snapshot's counts and recomputes the rates.
func (r *rates) add(s stats.Snapshot) {
	cur := countAt{t: s.Time, bytes: make(map[uint64]int64, len(s.Conns))}
	for _, c := range s.Conns {
		cur.bytes[c.ID] = c.Up + c.Down
	}
	// The base is the newest past count at least rateWindow old, else the
	// oldest there is.
	for len(r.past) > 1 && s.Time.Sub(r.past[1].t) >= rateWindow {
		r.past = r.past[1:]
	}
	r.rate = make(map[uint64]float64, len(s.Conns))
	for _, c := range s.Conns {
		r.rate[c.ID] = c.RateUp + c.RateDown
		if len(r.past) == 0 {
			continue
		}
		base := r.past[0]
		if b, ok := base.bytes[c.ID]; ok {
			if dt := s.Time.Sub(base.t).Seconds(); dt >= 1 {
				r.rate[c.ID] = float64(c.Up+c.Down-b) / dt
			}
		}
	}
	if len(r.past) > 0 && s.Time.Sub(r.past[len(r.past)-1].t) < 500*time.Millisecond {
		return // a burst of samples (a tab switch): keep the spacing
	}
	r.past = append(r.past, cur)
	if len(r.past) > 8 {
		r.past = append(r.past[:0], r.past[len(r.past)-8:]...)
	}
}

// of is a connection's rate in bytes per second.
func (r *rates) of(c *stats.ConnStat) float64 {
	if v, ok := r.rate[c.ID]; ok {
		return v
	}
	return c.RateUp + c.RateDown
}
