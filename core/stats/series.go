package stats

import "time"

// SeriesLen is the number of one-second points the throughput series keeps:
// the last ten minutes.
const SeriesLen = 600

// Point is one point of the throughput series: the traffic of all
// connections, including those that ended during the interval, between the
// previous tick and Time.
type Point struct {
	Time time.Time // when the tick ran
	Up   float64   // bytes per second, client to destination
	Down float64   // bytes per second, destination to client
}

// Tick closes the current interval; the engine calls it once a second. For
// each live connection it sets the rate to the bytes moved since the previous
// tick divided by the real time elapsed (from the clock given to [New]), so a
// late tick does not inflate rates. It appends one [Point] with the sum over
// all connections, ended ones included, dropping the oldest point once the
// series holds [SeriesLen].
//
// If the clock has not advanced since the previous tick, Tick does nothing and
// the bytes count in the next interval.
func (t *Table) Tick() {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	secs := now.Sub(t.lastTick).Seconds()
	if secs <= 0 {
		return
	}
	t.lastTick = now
	sumUp, sumDown := t.pendUp, t.pendDown
	t.pendUp, t.pendDown = 0, 0
	for c := t.head; c != nil; c = c.next {
		up, down := c.up.Load(), c.down.Load()
		du, dd := up-c.seenUp, down-c.seenDown
		c.seenUp, c.seenDown = up, down
		c.rateUp, c.rateDown = float64(du)/secs, float64(dd)/secs
		sumUp += du
		sumDown += dd
	}
	p := Point{Time: now, Up: float64(sumUp) / secs, Down: float64(sumDown) / secs}
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
