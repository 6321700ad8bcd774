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

// flow feeds a connection's up counter tick by tick: at each tick it adds
// the bytes given for it and then advances the clock by its gap; it
// returns the connection's up rate and the series' after every tick.
type tickStep struct {
	gap   time.Duration
	bytes int64
}

func flow(tab *Table, clk *clock, c *Conn, steps []tickStep) (conn, series []float64) {
	for _, st := range steps {
		c.AddUp(st.bytes)
		clk.Advance(st.gap)
		tab.Tick()
		s := tab.Snapshot()
		conn = append(conn, s.Conns[0].RateUp)
		series = append(series, s.Series[len(s.Series)-1].Up)
	}
	return conn, series
}

func repeat(n int, st tickStep) []tickStep {
	out := make([]tickStep, n)
	for i := range out {
		out[i] = st
	}
	return out
}

func TestRates(t *testing.T) {
	sec := time.Second
	// Bytes that move in 64 KiB steps at uneven gaps (2-5 s, 3.5 s on
	// average: 18,725 B/s), as a slow reader's do on loopback.
	var uneven []tickStep
	for _, gap := range []int{2, 4, 3, 5, 2, 4, 3, 5, 2, 4, 3, 5, 2, 4, 3, 5} {
		uneven = append(uneven, tickStep{sec, 64 << 10})
		uneven = append(uneven, repeat(gap-1, tickStep{sec, 0})...)
	}
	tests := []struct {
		name  string
		steps []tickStep
		from  int     // first tick checked
		want  float64 // rate at every tick checked, ±tol
		tol   float64
	}{
		{"steady from the first tick", repeat(10, tickStep{sec, 1000}), 0, 1000, 0},
		{"late tick", append(repeat(5, tickStep{sec, 1000}), tickStep{3 * sec, 3000}, tickStep{sec, 1000}), 0, 1000, 0},
		{"early tick", append(repeat(5, tickStep{sec, 1000}), tickStep{sec / 2, 500}, tickStep{sec, 1000}), 0, 1000, 0},
		{"steps of 64 KiB every 3 s", repeat(48, tickStep{sec, 0}), 0, 0, 0},
		{"uneven steps", uneven, 20, 18725, 0.2 * 18725},
		{"stopped flow reads 0 within 3 s", append(repeat(5, tickStep{sec, 5e6}), repeat(6, tickStep{sec, 0})...), 7, 0, 0},
	}
	// Steps of 64 KiB every third tick: 21,845 B/s once meterSteps steps
	// are in the window, and the same between steps (no sawtooth).
	for i := range 16 {
		tests[3].steps[i*3].bytes = 64 << 10
	}
	tests[3].from, tests[3].want = 3*meterSteps, 65536.0/3
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, clk := newTable()
			c := tab.Open(info("example.com:443"), nil)
			conn, series := flow(tab, clk, c, tt.steps)
			for i := tt.from; i < len(tt.steps); i++ {
				if d := conn[i] - tt.want; d < -tt.tol-1e-6 || d > tt.tol+1e-6 {
					t.Errorf("tick %d: rate %.1f, want %.1f±%.0f; all: %.0f", i, conn[i], tt.want, tt.tol, conn)
					break
				}
				if series[i] != conn[i] {
					t.Errorf("tick %d: series %.1f, connection %.1f: one source, one rate", i, series[i], conn[i])
				}
			}
		})
	}
}

func TestRateFollowsAChange(t *testing.T) {
	tab, clk := newTable()
	c := tab.Open(info("x:1"), nil)
	steps := append(repeat(5, tickStep{time.Second, 1e6}), repeat(5, tickStep{time.Second, 5e6})...)
	conn, _ := flow(tab, clk, c, steps)
	// A fast flow's window is two ticks: the new rate shows at the second.
	if conn[4] != 1e6 || conn[6] != 5e6 || conn[9] != 5e6 {
		t.Errorf("rates %.0f, want 1e6 until tick 4 and 5e6 from tick 6", conn)
	}
}

func TestEndedConnCountsInSeries(t *testing.T) {
	tab, clk := newTable()
	a := tab.Open(info("a:1"), nil)
	b := tab.Open(info("b:1"), nil)
	// 1,000 B/s up in all, first all from a, then a ends mid-interval
	// and b takes over: the series stays at 1,000 B/s.
	var series []float64
	for i := range 8 {
		switch {
		case i < 4:
			a.AddUp(1000)
		case i == 4:
			a.AddUp(400)
			tab.Done(a)
			a.AddUp(10_000) // after Done: not counted
			b.AddUp(600)
		default:
			b.AddUp(1000)
		}
		clk.Advance(time.Second)
		tab.Tick()
		s := tab.Snapshot()
		series = append(series, s.Series[len(s.Series)-1].Up)
	}
	for i, p := range series {
		if p != 1000 {
			t.Errorf("point %d = %.0f, want 1000; all: %.0f", i, p, series)
		}
	}
	if got := tab.Snapshot().Totals.Up; got != 8000 {
		t.Errorf("total up %d, want 8000", got)
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
		c.AddUp(1000)
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
		if p.Up != 1000 || !p.Time.Equal(epoch.Add(time.Duration(n)*time.Second)) {
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
