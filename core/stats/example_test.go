package stats_test

import (
	"fmt"
	"time"

	"github.com/sockstray/sockstray/core/stats"
)

func Example() {
	// A fake clock; the engine passes nil for time.Now.
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tab := stats.New(func() time.Time { return now })

	// The server registers a connection; the relay counts bytes.
	c := tab.Open(stats.Info{Command: "CONNECT", Dest: "example.com:443", Route: "direct"}, nil)
	c.SetReply(0)
	c.AddUp(2048)
	c.AddDown(8192)

	// The engine's ticker, one second later.
	now = now.Add(time.Second)
	tab.Tick()

	// The GUI's timer.
	s := tab.Snapshot()
	for _, cs := range s.Conns {
		fmt.Printf("#%d %s %s: %d B/s up, %d B/s down\n", cs.ID, cs.Dest, cs.Route, int(cs.RateUp), int(cs.RateDown))
	}
	tab.Done(c)
	s = tab.Snapshot()
	fmt.Printf("live %d, total %d B up, %d B down\n", s.Totals.Live, s.Totals.Up, s.Totals.Down)
	// Output:
	// #1 example.com:443 direct: 2048 B/s up, 8192 B/s down
	// live 0, total 2048 B up, 8192 B down
}
