package stats

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a fake clock safe for concurrent use.
type clock struct{ ns atomic.Int64 }

var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func (c *clock) Now() time.Time          { return epoch.Add(time.Duration(c.ns.Load())) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func newTable() (*Table, *clock) {
	c := new(clock)
	return New(c.Now), c
}

func info(dest string) Info { return Info{Command: "CONNECT", Dest: dest, Route: "direct"} }

// countCloser counts calls to Close.
type countCloser struct{ n atomic.Int32 }

func (c *countCloser) Close() error { c.n.Add(1); return nil }

func liveIDs(s Snapshot) (ids []uint64) {
	for _, c := range s.Conns {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestRates(t *testing.T) {
	tests := []struct {
		name     string
		up, down int64
		elapsed  time.Duration
		wantUp   float64
		wantDown float64
	}{
		{"one second", 1000, 500, time.Second, 1000, 500},
		{"late tick", 3000, 0, 3 * time.Second, 1000, 0},
		{"early tick", 100, 100, 500 * time.Millisecond, 200, 200},
		{"idle", 0, 0, time.Second, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, clk := newTable()
			c := tab.Open(info("example.com:443"), nil)
			// A first interval with other traffic, so the test also checks
			// that rates use only the bytes since the previous tick.
			c.AddUp(7777)
			c.AddDown(8888)
			clk.Advance(time.Second)
			tab.Tick()

			c.AddUp(tt.up)
			c.AddDown(tt.down)
			clk.Advance(tt.elapsed)
			tab.Tick()

			s := tab.Snapshot()
			if len(s.Conns) != 1 {
				t.Fatalf("got %d conns, want 1", len(s.Conns))
			}
			got := s.Conns[0]
			if got.RateUp != tt.wantUp || got.RateDown != tt.wantDown {
				t.Errorf("rate = %v/%v, want %v/%v", got.RateUp, got.RateDown, tt.wantUp, tt.wantDown)
			}
			last := s.Series[len(s.Series)-1]
			if last.Up != tt.wantUp || last.Down != tt.wantDown {
				t.Errorf("series point = %v/%v, want %v/%v", last.Up, last.Down, tt.wantUp, tt.wantDown)
			}
			if got.Up != 7777+tt.up || got.Down != 8888+tt.down {
				t.Errorf("bytes = %d/%d, want %d/%d", got.Up, got.Down, 7777+tt.up, 8888+tt.down)
			}
		})
	}
}

func TestEndedConnCountsInSeries(t *testing.T) {
	tab, clk := newTable()
	a := tab.Open(info("a:1"), nil)
	b := tab.Open(info("b:1"), nil)
	a.AddUp(100)
	b.AddUp(50)
	clk.Advance(time.Second)
	tab.Tick() // a's 100 bytes are now seen; 50 of b's too

	a.AddUp(400)
	a.AddDown(40)
	tab.Done(a) // ends mid-interval: 400 up, 40 down still belong to this second
	b.AddUp(10)
	clk.Advance(time.Second)
	tab.Tick()

	s := tab.Snapshot()
	want := []Point{
		{Time: epoch.Add(time.Second), Up: 150, Down: 0},
		{Time: epoch.Add(2 * time.Second), Up: 410, Down: 40},
	}
	if len(s.Series) != len(want) {
		t.Fatalf("series has %d points, want %d", len(s.Series), len(want))
	}
	for i, p := range s.Series {
		if !p.Time.Equal(want[i].Time) || p.Up != want[i].Up || p.Down != want[i].Down {
			t.Errorf("point %d = %+v, want %+v", i, p, want[i])
		}
	}
	// The ended connection's bytes count once, not again at the next tick.
	clk.Advance(time.Second)
	tab.Tick()
	if p := tab.Snapshot().Series[2]; p.Up != 0 || p.Down != 0 {
		t.Errorf("third point = %+v, want no traffic", p)
	}
}

func TestTotals(t *testing.T) {
	tab, _ := newTable()
	for i := range 3 {
		c := tab.Open(info("ended:1"), nil)
		c.AddUp(int64(10 * (i + 1)))
		c.AddDown(1)
		tab.Done(c)
	}
	live := tab.Open(info("live:1"), nil)
	live.AddUp(1000)
	live.AddDown(2000)

	got := tab.Snapshot().Totals
	want := Totals{Up: 10 + 20 + 30 + 1000, Down: 3 + 2000, Conns: 4, Live: 1}
	if got != want {
		t.Errorf("totals = %+v, want %+v", got, want)
	}
	tab.Done(live)
	tab.Done(live) // a second Done must not count the bytes twice
	want.Live = 0
	if got := tab.Snapshot().Totals; got != want {
		t.Errorf("after Done: totals = %+v, want %+v", got, want)
	}
}

func TestSeriesCapped(t *testing.T) {
	tab, clk := newTable()
	c := tab.Open(info("x:1"), nil)
	const ticks = SeriesLen + 250
	for i := 1; i <= ticks; i++ {
		c.AddUp(int64(i)) // point i has rate i, so order is visible
		clk.Advance(time.Second)
		tab.Tick()
		s := tab.Snapshot()
		if want := min(i, SeriesLen); len(s.Series) != want {
			t.Fatalf("after %d ticks: %d points, want %d", i, len(s.Series), want)
		}
	}
	s := tab.Snapshot()
	for j, p := range s.Series {
		n := ticks - SeriesLen + 1 + j // the tick that produced this point
		if p.Up != float64(n) || !p.Time.Equal(epoch.Add(time.Duration(n)*time.Second)) {
			t.Fatalf("point %d = %+v, want tick %d", j, p, n)
		}
	}
}

func TestTickWithoutElapsedTime(t *testing.T) {
	tab, clk := newTable()
	c := tab.Open(info("x:1"), nil)
	c.AddUp(100)
	tab.Tick() // clock did not move: no point, no division by zero
	if n := len(tab.Snapshot().Series); n != 0 {
		t.Fatalf("got %d points after a tick with no elapsed time, want 0", n)
	}
	clk.Advance(2 * time.Second)
	tab.Tick()
	s := tab.Snapshot()
	if len(s.Series) != 1 || s.Series[0].Up != 50 || s.Conns[0].RateUp != 50 {
		t.Errorf("series %+v, rate %v; want one point and rate of 50 B/s", s.Series, s.Conns[0].RateUp)
	}
}

func TestConnStat(t *testing.T) {
	tab, clk := newTable()
	in := Info{
		Client:  netip.MustParseAddrPort("192.0.2.7:50000"),
		User:    "alice",
		Command: "CONNECT",
		Dest:    "Example.COM:443",
		Route:   "direct",
	}
	c := tab.Open(in, nil)
	clk.Advance(5 * time.Second)
	s := tab.Snapshot()
	got := s.Conns[0]
	if got.Info != in || got.ID != c.ID() || got.Replied || !got.Start.Equal(epoch) {
		t.Errorf("before reply: %+v", got)
	}
	if age := s.Time.Sub(got.Start); age != 5*time.Second {
		t.Errorf("age = %v, want 5s", age)
	}

	c.SetReply(0) // success is code 0: Replied tells it from "no reply yet"
	c.SetRoute("via 127.0.0.1:1081", "DOMAIN-SUFFIX,example.com")
	got = tab.Snapshot().Conns[0]
	if !got.Replied || got.Reply != 0 || got.Route != "via 127.0.0.1:1081" || got.Rule != "DOMAIN-SUFFIX,example.com" {
		t.Errorf("after SetReply(0), SetRoute: %+v", got)
	}
	c.SetReply(5)
	if got := tab.Snapshot().Conns[0]; got.Reply != 5 {
		t.Errorf("Reply = %d, want 5", got.Reply)
	}
}

func TestSnapshotOrder(t *testing.T) {
	tab, _ := newTable()
	var conns []*Conn
	for range 6 {
		conns = append(conns, tab.Open(info("x:1"), nil))
	}
	// End the first, a middle one and the last to exercise every unlink case.
	for _, i := range []int{0, 3, 5} {
		tab.Done(conns[i])
	}
	later := tab.Open(info("x:1"), nil)
	got := liveIDs(tab.Snapshot())
	want := []uint64{conns[1].ID(), conns[2].ID(), conns[4].ID(), later.ID()}
	if len(got) != len(want) {
		t.Fatalf("live IDs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("live IDs = %v, want %v", got, want)
		}
	}
	if later.ID() <= conns[5].ID() {
		t.Errorf("ID %d after %d: IDs must increase", later.ID(), conns[5].ID())
	}
}

func TestNilClock(t *testing.T) {
	before := time.Now()
	tab := New(nil)
	tab.Open(info("x:1"), nil)
	s := tab.Snapshot()
	after := time.Now()
	if st := s.Conns[0].Start; st.Before(before) || st.After(after) {
		t.Errorf("start %v not within [%v, %v]", st, before, after)
	}
}
