package stats

import "time"

// SeriesLen is the number of one-second points the throughput series keeps:
// the last ten minutes.
const SeriesLen = 600

// Point is one point of the throughput series: the rate of all traffic,
// including connections that ended, as of the tick at Time.
type Point struct {
	Time time.Time // when the tick ran
	Up   float64   // bytes per second, client to destination
	Down float64   // bytes per second, destination to client
}

// Tick closes the current interval; the engine calls it once a second. It
// brings each live connection's rates up to date and appends one [Point]
// with the rate of all traffic, ended connections included, dropping the
// oldest point once the series holds [SeriesLen]. Rates come from a meter
// per counter (see meter.go): over one tick for nothing but a steady fast
// flow, over the counter's last few steps for a slow one, always over the
// real time elapsed (from the clock given to [New]), so a late tick does not
// inflate them.
//
// If the clock has not advanced since the previous tick, Tick does nothing and
// the bytes count in the next interval.
func (t *Table) Tick() {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if !now.After(t.lastTick) {
		return
	}
	t.lastTick = now
	at := now.Sub(t.born)
	sumUp, sumDown := t.endedUp, t.endedDown
	rated := false // whether a connection's rate changed
	for c := t.head; c != nil; c = c.next {
		up, down := c.up.Load(), c.down.Load()
		rateUp, rateDown := c.upM.update(at, up), c.downM.update(at, down)
		rated = rated || rateUp != c.rateUp || rateDown != c.rateDown
		c.rateUp, c.rateDown = rateUp, rateDown
		sumUp += up
		sumDown += down
	}
	// Counters only grow, so the sums move exactly when a live connection's
	// bytes did (an ended connection's move was counted by Done).
	if rated || sumUp != t.tickUp || sumDown != t.tickDown {
		t.changes.Add(1)
	}
	t.tickUp, t.tickDown = sumUp, sumDown
	p := Point{Time: now, Up: t.upM.update(at, sumUp), Down: t.downM.update(at, sumDown)}
	if t.ringLen < SeriesLen {
		t.ring[(t.ringStart+t.ringLen)%SeriesLen] = p
		t.ringLen++
		return
	}
	t.ring[t.ringStart] = p
	t.ringStart = (t.ringStart + 1) % SeriesLen
}

// series returns a copy of the ring, oldest first. t.mu must be held.
func (t *Table) series() []Point {
	s := make([]Point, t.ringLen)
	n := copy(s, t.ring[t.ringStart:min(t.ringStart+t.ringLen, SeriesLen)])
	copy(s[n:], t.ring[:t.ringLen-n])
	return s
}

// Latest returns the newest point of the series, zero before the first
// tick: the current rates without copying the table (the tray's tooltip).
func (t *Table) Latest() Point {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ringLen == 0 {
		return Point{}
	}
	return t.ring[(t.ringStart+t.ringLen-1)%SeriesLen]
}
