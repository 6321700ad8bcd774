package usage_test

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/testnet"
)

// clock is a settable clock for the recorder's days.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// record starts a recorder on e that flushes only when the test says.
func record(t *testing.T, e *engine.Engine, o usage.Options) *usage.Recorder {
	t.Helper()
	if o.FlushEvery == 0 {
		o.FlushEvery = time.Hour
	}
	r, err := usage.Start(e, o)
	if err != nil {
		t.Fatalf("start recorder: %v", err)
	}
	t.Cleanup(func() { r.Stop() })
	return r
}

// waitLive waits until the engine's table holds n live connections.
func waitLive(t *testing.T, e *engine.Engine, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.Snapshot().Totals.Live != n {
		if time.Now().After(deadline) {
			t.Fatalf("live connections: %d, want %d", e.Snapshot().Totals.Live, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitBytes waits until the engine's counters (which lag the bytes by up
// to the relay's flush) show up bytes in total each way.
func waitBytes(t *testing.T, e *engine.Engine, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s := e.Snapshot(); s.Totals.Up != n || s.Totals.Down != n; s = e.Snapshot() {
		if time.Now().After(deadline) {
			t.Fatalf("engine counted %d up, %d down; want %d each", s.Totals.Up, s.Totals.Down, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func target(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// TestRecorderCountsEachConnectionOnce: an ended connection and a live one
// that keeps moving bytes across flushes each count exactly what they
// moved, by host, client and program.
func TestRecorderCountsEachConnectionOnce(t *testing.T) {
	port := testnet.EchoTCP(t, "tcp4").Port
	e := startEngine(t, &server.Config{})
	store := newStore(t)
	r := record(t, e, usage.Options{Store: store, ProgramsOf: each(func(c stats.ConnStat) string {
		if strings.HasPrefix(c.Dest, "beta.test:") {
			return "/usr/bin/curl"
		}
		return ""
	})})
	addr := e.Addr().String()

	a := dialVia(t, addr, nil, target("Alpha.Test", port))
	echo(t, a, 1000)
	a.Close()
	b := dialVia(t, addr, nil, target("beta.test", port))
	echo(t, b, 2000)
	waitLive(t, e, 1)
	waitBytes(t, e, 3000)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	echo(t, b, 3000)
	waitBytes(t, e, 6000)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	echo(t, b, 500)
	b.Close()
	waitLive(t, e, 0)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := r.Flush(); err != nil { // nothing new: nothing counted twice
		t.Fatal(err)
	}

	got := sums(t, store, time.Now())
	want := map[usage.Dim]map[string]usage.Bytes{
		usage.ByHost:    {"alpha.test": {1000, 1000}, "beta.test": {5500, 5500}},
		usage.ByClient:  {usage.ThisComputer: {6500, 6500}},
		usage.ByProgram: {"curl": {5500, 5500}},
	}
	assertSums(t, got, want)
}

func assertSums(t *testing.T, got, want map[usage.Dim]map[string]usage.Bytes) {
	t.Helper()
	for _, by := range usage.Dims {
		if len(got[by]) != len(want[by]) {
			t.Errorf("%s: %v, want %v", by, got[by], want[by])
			continue
		}
		for name, b := range want[by] {
			if got[by][name] != b {
				t.Errorf("%s %q: %+v, want %+v", by, name, got[by][name], b)
			}
		}
	}
}

// TestRecorderSplitsDays: a connection open over midnight counts its
// bytes in the day each flush saw them.
func TestRecorderSplitsDays(t *testing.T) {
	port := testnet.EchoTCP(t, "tcp4").Port
	e := startEngine(t, &server.Config{})
	store := newStore(t)
	clk := &clock{now: time.Date(2026, 3, 1, 23, 59, 30, 0, time.Local)}
	r := record(t, e, usage.Options{Store: store, Now: clk.Now})
	c := dialVia(t, e.Addr().String(), nil, target("night.test", port))
	echo(t, c, 700)
	waitBytes(t, e, 700)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2026, 3, 2, 0, 0, 30, 0, time.Local))
	echo(t, c, 300)
	waitBytes(t, e, 1000)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	rep, err := store.Read(clk.Now(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2026-03-01", "2026-03-02"}; strings.Join(rep.Days, " ") != strings.Join(want, " ") {
		t.Fatalf("days %v, want %v", rep.Days, want)
	}
	if want := []usage.Bytes{{700, 700}, {300, 300}}; rep.Daily[0] != want[0] || rep.Daily[1] != want[1] {
		t.Errorf("daily %v, want %v", rep.Daily, want)
	}
}

// TestRecorderSurvivesRestart: a second app run (a new engine, store and
// recorder on the same file) adds to what the first one wrote.
func TestRecorderSurvivesRestart(t *testing.T) {
	port := testnet.EchoTCP(t, "tcp4").Port
	path := newStore(t).Path
	for _, n := range []int{1234, 4321} {
		e := startEngine(t, &server.Config{})
		r, err := usage.Start(e, usage.Options{Store: &usage.Store{Path: path}, FlushEvery: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		c := dialVia(t, e.Addr().String(), nil, target("restart.test", port))
		echo(t, c, n)
		e.Stop() // as the app quits: the engine first, then the recorder
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	got := sums(t, &usage.Store{Path: path}, time.Now())
	if b := got[usage.ByHost]["restart.test"]; b != (usage.Bytes{Up: 5555, Down: 5555}) {
		t.Errorf("after two runs: %+v, want 5555 each way", b)
	}
}

// TestRecorderCountsFromStart: bytes a connection moved before the
// history was turned on are not history.
func TestRecorderCountsFromStart(t *testing.T) {
	port := testnet.EchoTCP(t, "tcp4").Port
	e := startEngine(t, &server.Config{})
	c := dialVia(t, e.Addr().String(), nil, target("early.test", port))
	echo(t, c, 900)
	waitBytes(t, e, 900)
	store := newStore(t)
	r := record(t, e, usage.Options{Store: store})
	echo(t, c, 100)
	waitBytes(t, e, 1000)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if b := sums(t, store, time.Now())[usage.ByHost]["early.test"]; b != (usage.Bytes{Up: 100, Down: 100}) {
		t.Errorf("%+v, want 100 each way", b)
	}
}

// TestRecorderLooksUpProgramsEarly: a connection that ends between two
// flushes still gets its program, asked for once while it was open.
func TestRecorderLooksUpProgramsEarly(t *testing.T) {
	port := testnet.EchoTCP(t, "tcp4").Port
	e := startEngine(t, &server.Config{})
	store := newStore(t)
	var mu sync.Mutex
	var calls []string // the destinations asked about, and whether still live
	r := record(t, e, usage.Options{Store: store, LookEvery: 10 * time.Millisecond, ProgramsOf: each(func(c stats.ConnStat) string {
		live := false
		for _, l := range e.Snapshot().Conns {
			live = live || l.ID == c.ID
		}
		mu.Lock()
		calls = append(calls, c.Dest+" live="+strconv.FormatBool(live))
		mu.Unlock()
		return "short-lived"
	})})
	c := dialVia(t, e.Addr().String(), nil, target("short.test", port))
	echo(t, c, 300)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(calls)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.Close()
	waitLive(t, e, 0)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "short.test:" + strconv.Itoa(port) + " live=true"; len(calls) != 1 || calls[0] != want {
		t.Errorf("ProgramsOf asked about %q, want one: %q", calls, want)
	}
	if b := sums(t, store, time.Now())[usage.ByProgram]["short-lived"]; b != (usage.Bytes{Up: 300, Down: 300}) {
		t.Errorf("program bytes %+v, want 300 each way", b)
	}
}

// each is a ProgramsOf that names each connection with f.
func each(f func(stats.ConnStat) string) func([]stats.ConnStat) []string {
	return func(cs []stats.ConnStat) []string {
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = f(c)
		}
		return names
	}
}
