package stats

import (
	"runtime"
	"strconv"
	"testing"
	"time"
	"unsafe"
	"weak"
)

// churn opens and ends n connections, ticking every 1000, as a busy proxy
// would. Each moves 3 bytes up and 5 down.
func churn(tab *Table, clk *clock, n int) {
	for i := range n {
		c := tab.Open(Info{Command: "CONNECT", Dest: "host" + strconv.Itoa(i) + ".example:443"}, new(countCloser))
		c.AddUp(3)
		c.AddDown(5)
		tab.Done(c)
		if i%1000 == 999 {
			clk.Advance(time.Second)
			tab.Tick()
		}
	}
}

func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestChurnBounded(t *testing.T) {
	const n = 100_000
	tab, clk := newTable()
	churn(tab, clk, 1000) // warm up: first allocations of the runtime and the table
	before := heapInuse()
	churn(tab, clk, n)
	after := heapInuse()

	// Retaining the conns would cost at least n*Sizeof(Conn) (~25 MB); allow
	// a quarter of that for runtime noise, so the test cannot pass by slack.
	limit := n * int64(unsafe.Sizeof(Conn{})) / 4
	if growth := int64(after) - int64(before); growth > limit {
		t.Errorf("heap in use grew by %d bytes over %d ended connections (limit %d)", growth, n, limit)
	}

	tab.mu.Lock()
	head, tail, live := tab.head, tab.tail, tab.live
	tab.mu.Unlock()
	if head != nil || tail != nil || live != 0 {
		t.Errorf("live list not empty: head %p, tail %p, live %d", head, tail, live)
	}
	s := tab.Snapshot()
	if len(s.Conns) != 0 || len(s.Series) > SeriesLen {
		t.Errorf("snapshot has %d conns and %d points", len(s.Conns), len(s.Series))
	}
	want := Totals{Up: 3 * (n + 1000), Down: 5 * (n + 1000), Conns: n + 1000}
	if s.Totals != want {
		t.Errorf("totals = %+v, want %+v", s.Totals, want)
	}
}

// TestEndedConnsCollected checks that the table keeps no reference to an
// ended connection, so the garbage collector frees it.
func TestEndedConnsCollected(t *testing.T) {
	tab, _ := newTable()
	live := tab.Open(info("live:1"), nil) // a neighbour in the list that stays
	ptrs := openAndEnd(tab, 100)
	tab.Open(info("later:1"), nil)

	for range 5 {
		runtime.GC()
		if countAlive(ptrs) == 0 {
			break
		}
	}
	if n := countAlive(ptrs); n != 0 {
		t.Errorf("%d of %d ended connections still reachable", n, len(ptrs))
	}
	runtime.KeepAlive(live)
}

func openAndEnd(tab *Table, n int) []weak.Pointer[Conn] {
	ptrs := make([]weak.Pointer[Conn], n)
	for i := range ptrs {
		c := tab.Open(info("x:1"), new(countCloser))
		c.AddUp(1)
		ptrs[i] = weak.Make(c)
	}
	for _, p := range ptrs {
		tab.Done(p.Value())
	}
	return ptrs
}

func countAlive(ptrs []weak.Pointer[Conn]) (n int) {
	for _, p := range ptrs {
		if p.Value() != nil {
			n++
		}
	}
	return n
}
