package stats

import (
	"sync"
	"testing"
)

// TestOnDone: each ending connection is handed over once with its final
// counts, and a snapshot taken at any moment holds every connection not
// yet handed over (none is in neither, whatever the interleaving).
func TestOnDone(t *testing.T) {
	tab, _ := newTable()
	var mu sync.Mutex
	ended := map[uint64]ConnStat{}
	tab.SetOnDone(func(c ConnStat) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := ended[c.ID]; dup {
			t.Errorf("connection %d handed over twice", c.ID)
		}
		ended[c.ID] = c
	})
	const n = 200
	conns := make([]*Conn, n)
	for i := range conns {
		conns[i] = tab.Open(info("x:1"), nil)
		conns[i].AddUp(int64(i))
		conns[i].AddDown(2 * int64(i))
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, c := range conns {
			tab.Done(c)
			tab.Done(c) // again: a no-op
		}
	}()
	for range 50 {
		s := tab.Snapshot()
		mu.Lock()
		live := map[uint64]bool{}
		for _, c := range s.Conns {
			live[c.ID] = true
		}
		for _, c := range conns {
			if _, gone := ended[c.ID()]; !gone && !live[c.ID()] {
				t.Fatalf("connection %d is neither in the snapshot nor handed over", c.ID())
			}
		}
		mu.Unlock()
	}
	wg.Wait()
	for i, c := range conns {
		if got := ended[c.ID()]; got.Up != int64(i) || got.Down != 2*int64(i) || got.Dest != "x:1" {
			t.Errorf("connection %d handed over as %+v", c.ID(), got)
		}
	}
	tab.SetOnDone(nil)
	tab.Done(tab.Open(info("y:1"), nil))
	if len(ended) != n {
		t.Errorf("%d handed over after SetOnDone(nil), want %d", len(ended), n)
	}
}
