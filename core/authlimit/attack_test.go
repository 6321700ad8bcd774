package authlimit

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// attack runs an attacker from one address with conns parallel connections
// that all try again the moment the limiter allows it (the best an
// attacker can do: trying more often only adds refusals), and returns how
// many guesses were checked in each hour.
func attack(l *Limiter, conns int, hours int) []int {
	checked := make([]int, hours)
	end := t0.Add(time.Duration(hours) * time.Hour)
	for now := t0; now.Before(end); {
		next := end
		for range conns {
			v := l.Check(lanA, now)
			if v.Allowed {
				l.Failed(lanA, now)
				checked[now.Sub(t0)/time.Hour]++
				next = now // this instant may allow more
				continue
			}
			if next.After(now) {
				next = v.Until
			}
		}
		l.Flush(now)
		now = next
	}
	return checked
}

// TestAttackerHour measures the effect: without the limiter a LAN client
// makes about 11,000 guesses a second, 39.6 million an hour.
func TestAttackerHour(t *testing.T) {
	for _, conns := range []int{1, 100} {
		got := attack(New(Config{}), conns, 3)
		t.Logf("%d connection(s): %v guesses checked in hours 1, 2, 3", conns, got)
		// 5 free, 14 spaced over 10 min, the 20th locks out, then one
		// every 10 min: at 20, 30, 40, 50 min.
		if got[0] != 24 || got[1] != 6 || got[2] != 6 {
			t.Errorf("%d connection(s): %v checked per hour, want [24 6 6]", conns, got)
		}
	}
}

// TestAttackerFast tries every 10 ms of fake time for an hour (360,000
// attempts) and gets no more checked than the attacker who knows when.
func TestAttackerFast(t *testing.T) {
	l, rec := newRecorded(Config{})
	checked, refused := 0, 0
	for now := t0; now.Before(t0.Add(time.Hour)); now = now.Add(10 * time.Millisecond) {
		if guess(l, lanA, now).Allowed {
			checked++
		} else {
			refused++
		}
		if now.Sub(t0)%time.Second == 0 {
			l.Flush(now)
		}
	}
	lines := len(rec.take())
	t.Logf("every 10 ms for an hour: %d checked, %d refused unchecked, %d report events", checked, refused, lines)
	if checked != 24 {
		t.Errorf("%d checked, want 24", checked)
	}
	// A summary a minute, the failures that open a window at once, and
	// the lockouts: a few dozen lines, where there were 360,000.
	if lines > 100 {
		t.Errorf("%d report events for one attacker in an hour", lines)
	}
}

// TestConcurrent hammers one limiter from many goroutines. At a fixed time
// parallel attempts on one key get exactly the free failures, however many
// connections try; then a mixed load runs under the race detector.
func TestConcurrent(t *testing.T) {
	l, rec := newRecorded(Config{MaxKeys: 64})
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 100 {
				if guess(l, lanA, t0).Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Fatalf("%d parallel guesses checked at one instant, want 5", n)
	}

	var clock atomic.Int64 // fake nanoseconds since t0
	now := func() time.Time { return t0.Add(time.Duration(clock.Add(int64(time.Millisecond)))) }
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				a := netip.AddrFrom4([4]byte{10, 0, byte(g), byte(i % 100)})
				if i%3 == 0 {
					a = lanB // shared by all goroutines
				}
				v := l.Check(a, now())
				switch {
				case !v.Allowed:
				case i%50 == 0:
					l.Succeeded(a, now())
				default:
					l.Failed(a, now())
				}
			}
		})
	}
	wg.Go(func() {
		for range 200 {
			l.Flush(now())
			if n := l.Len(); n > 64 {
				t.Errorf("%d keys, want at most 64", n)
			}
		}
	})
	wg.Wait()
	l.Flush(now().Add(time.Hour))
	if len(rec.take()) == 0 {
		t.Error("no events reported")
	}
}
