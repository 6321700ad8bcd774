package stats

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrent runs relays adding bytes from many goroutines while the
// table ticks, snapshots and closes connections, then checks that no byte was
// lost or counted twice, in the totals and in what the series measures.
func TestConcurrent(t *testing.T) {
	const (
		workers  = 8
		conns    = 40 // per worker
		chunks   = 300
		maxChunk = 32 << 10
	)
	tab, clk := newTable()
	var wantUp, wantDown atomic.Int64
	var closers sync.Map // conn ID -> *countCloser

	// relay copies one direction of a connection in random-sized chunks.
	relay := func(add func(int64), sum *atomic.Int64, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 1))
		for range chunks {
			n := r.Int64N(maxChunk) + 1
			add(n)
			sum.Add(n)
		}
	}
	var relays sync.WaitGroup
	for w := range workers {
		relays.Go(func() {
			for i := range conns {
				cl := new(countCloser)
				c := tab.Open(info("x:1"), cl)
				closers.Store(c.ID(), cl)
				c.SetReply(0)
				var dirs sync.WaitGroup
				seed := uint64(w*conns + i)
				dirs.Go(func() { relay(c.AddUp, &wantUp, 2*seed) })
				dirs.Go(func() { relay(c.AddDown, &wantDown, 2*seed+1) })
				dirs.Wait()
				tab.Done(c)
			}
		})
	}

	stop := make(chan struct{})
	var bg sync.WaitGroup
	tickOnce := func() {
		clk.Advance(time.Second)
		tab.Tick()
	}
	bg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				tickOnce()
			}
		}
	})
	bg.Go(func() {
		var prev Totals
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := tab.Snapshot()
			if err := checkSnapshot(s, prev); err != "" {
				t.Error(err)
				return
			}
			prev = s.Totals
		}
	})
	bg.Go(func() {
		r := rand.New(rand.NewPCG(9, 9))
		for {
			select {
			case <-stop:
				return
			default:
				tab.CloseConn(r.Uint64N(workers*conns) + 1)
			}
		}
	})

	relays.Wait()
	close(stop)
	bg.Wait()
	tickOnce() // the last interval, after every conn ended

	s := tab.Snapshot()
	want := Totals{Up: wantUp.Load(), Down: wantDown.Load(), Conns: workers * conns}
	if s.Totals != want {
		t.Errorf("totals = %+v, want %+v", s.Totals, want)
	}
	// The series' rates are measured on the count of all traffic: it must
	// have seen every byte once.
	lastUp, lastDown := tab.upM.at(int(tab.upM.n)-1), tab.downM.at(int(tab.downM.n)-1)
	if lastUp.count != want.Up || lastDown.count != want.Down {
		t.Errorf("series counted %d up, %d down; want %d, %d", lastUp.count, lastDown.count, want.Up, want.Down)
	}
	closers.Range(func(id, cl any) bool {
		if n := cl.(*countCloser).n.Load(); n > 1 {
			t.Errorf("conn %d: closer called %d times", id, n)
		}
		return true
	})
}

// checkSnapshot returns what is wrong with s, given the totals of an earlier
// snapshot.
func checkSnapshot(s Snapshot, prev Totals) string {
	switch {
	case len(s.Conns) != s.Totals.Live:
		return "snapshot: len(Conns) != Totals.Live"
	case len(s.Series) > SeriesLen:
		return "snapshot: series longer than SeriesLen"
	case s.Totals.Up < prev.Up || s.Totals.Down < prev.Down || s.Totals.Conns < prev.Conns:
		return "snapshot: totals went down"
	}
	for i := 1; i < len(s.Conns); i++ {
		if s.Conns[i].ID <= s.Conns[i-1].ID {
			return "snapshot: conns not sorted by ID"
		}
	}
	for i := 1; i < len(s.Series); i++ {
		if !s.Series[i].Time.After(s.Series[i-1].Time) {
			return "snapshot: series not oldest first"
		}
	}
	return ""
}
