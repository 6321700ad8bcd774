package ui

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/core/stats"
)

// TestOneRateInEveryPlace: the Connections table, the LAN clients list and
// the throughput figures show the engine's rates as they are (core/stats
// measures them; TestSteadyRatesTellTheTruth checks they are true), with
// no window of their own that could tell another story.
func TestOneRateInEveryPlace(t *testing.T) {
	test.NewTempApp(t)
	now := time.Now()
	phone := netip.MustParseAddrPort("192.168.1.5:40000")
	s := stats.Snapshot{
		Time: now,
		Conns: []stats.ConnStat{
			{ID: 1, Info: stats.Info{Client: phone, Command: "CONNECT", Dest: "a.example:443"}, Start: now.Add(-time.Minute), Down: 1 << 20, RateUp: 500, RateDown: 19_500},
			{ID: 2, Info: stats.Info{Client: phone, Command: "CONNECT", Dest: "b.example:443"}, Start: now.Add(-time.Minute), Down: 1 << 20, RateDown: 400_000},
		},
		Series: []stats.Point{{Time: now, Up: 500, Down: 419_500}},
	}
	conns := NewConnections(nil)
	conns.Update(s)
	// Three seconds on, the counters have not moved (a slow reader's bytes
	// leave in bursts): the rate is still the engine's, not a rate of
	// the table's own from the counters.
	s.Time = now.Add(3 * time.Second)
	conns.Update(s)
	cell := newConnCell()
	var shown []string
	for row := range conns.Rows() {
		conns.updateCell(widget.TableCellID{Row: row, Col: colRate}, cell)
		shown = append(shown, cell.label.Text)
	}
	if want := []string{Rate(20_000), Rate(400_000)}; strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Errorf("Connections rates %q, want %q", shown, want)
	}

	lan := NewLAN(controltest.New(t), nil)
	lan.Update(s)
	if cl := lan.ClientList(); len(cl) != 1 || cl[0].Rate != 420_000 {
		t.Errorf("LAN clients %+v, want one at 420,000 B/s", cl)
	}

	tp := NewThroughput()
	tp.Update(s)
	if want := "↓ " + Rate(419_500); !strings.Contains(tp.Current.Text, want) {
		t.Errorf("throughput now %q, want %q", tp.Current.Text, want)
	}
}
