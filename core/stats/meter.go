package stats

import "time"

// The relay moves a slow connection's counters in steps, not smoothly: a
// reader that takes 20 KB/s frees its receive buffer (and reopens the TCP
// window) only half a buffer at a time, so the relay's counter jumps by
// 64–145 KiB every 2.5–9.5 s (measured on loopback). A rate over one tick
// then reads 0, 0, 0, 64 KB/s, 0…; a fixed window long enough for that
// would make fast transfers sluggish. A meter therefore measures over the
// counter's own steps: from the step eight steps back to the latest one, or
// over the last two seconds when the counter moves every tick (a fast
// transfer, whose 100 ms flushes need no more), so the window is as long
// as the steps make necessary and no longer.
const (
	meterSteps   = 8                       // steps a window spans at most
	meterHorizon = 30 * time.Second        // steps older than this are forgotten
	denseGap     = 1500 * time.Millisecond // steps at most this far apart are a continuous flow…
	denseSpan    = 1500 * time.Millisecond // …measured over at least two ticks
	meterStop    = 2 * time.Second         // silence that ends any flow, with 3 average gaps
)

// step is a counter value and when a tick first saw it.
type step struct {
	at    time.Duration // since the table was created
	count int64
}

// meter estimates the steady rate of one byte counter from the steps
// ticks see it take. Its memory is fixed: the last meterSteps+1 steps.
type meter struct {
	ring  [meterSteps + 1]step
	first uint8 // index of the oldest step
	n     uint8
}

// newMeter starts a meter at count bytes at time at (a connection's open).
func newMeter(at time.Duration, count int64) meter {
	return meter{ring: [meterSteps + 1]step{{at: at, count: count}}, n: 1}
}

func (m *meter) at(i int) step { return m.ring[(int(m.first)+i)%len(m.ring)] }

func (m *meter) push(s step) {
	if int(m.n) < len(m.ring) {
		m.ring[(int(m.first)+int(m.n))%len(m.ring)] = s
		m.n++
		return
	}
	m.ring[m.first] = s
	m.first = uint8((int(m.first) + 1) % len(m.ring))
}

// update records the counter's value at a tick at time now and returns the
// rate in bytes per second: the bytes of the steps in the window over the
// window's time, where silence longer than the steps' average gap counts
// too, so a flow that stops fades and then reads 0 after three gaps (at
// least meterStop).
func (m *meter) update(now time.Duration, count int64) float64 {
	if m.at(int(m.n)-1).count != count {
		m.push(step{at: now, count: count})
	}
	// The newest step stays, however old: the meter always knows the
	// counter's last value.
	for m.n > 1 && now-m.at(0).at > meterHorizon {
		m.first = uint8((int(m.first) + 1) % len(m.ring))
		m.n--
	}
	n := int(m.n)
	if n < 2 {
		return 0
	}
	last := m.at(n - 1)
	j := n - 2
	for ; j > 0; j-- {
		span := last.at - m.at(j).at
		if span >= denseSpan && span <= time.Duration(n-1-j)*denseGap {
			break
		}
	}
	from := m.at(j)
	span := last.at - from.at
	gap := span / time.Duration(n-1-j)
	silent := now - last.at
	if silent >= max(meterStop, 3*gap) {
		return 0
	}
	window := span + max(0, silent-gap)
	return float64(last.count-from.count) / window.Seconds()
}
