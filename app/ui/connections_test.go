package ui

import (
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/core/stats"
)

func TestConnectionsShowsRealConnectionAndClosesIt(t *testing.T) {
	w, _, echo, conn := onConnections(t)
	w.sample()

	rows := w.Connections.Rows()
	if len(rows) != 1 || rows[0].Dest != echo || rows[0].Route != "direct" || !rows[0].Replied {
		t.Fatalf("rows %+v", rows)
	}
	if got := cellText(&rows[0], colReply, time.Now()); got != "00 succeeded" {
		t.Errorf("reply cell %q", got)
	}
	cells := find(w.Connections.Table, func(c *connCell) bool { return c.close.Visible() && c.row == 0 })
	if len(cells) != 1 {
		t.Fatalf("%d close buttons for row 0", len(cells))
	}
	test.Tap(cells[0].close)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("connection not closed by its row's button: %v", err)
	}
	eventually(t, "the row to go", func() bool { w.sample(); return len(w.Connections.Rows()) == 0 })
}

func synthetic(n int) stats.Snapshot {
	now := time.Now()
	s := stats.Snapshot{Time: now}
	for i := range n {
		s.Conns = append(s.Conns, stats.ConnStat{
			ID: uint64(i + 1),
			Info: stats.Info{
				Client: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(i % 200)}), uint16(1024+i)),
				Dest:   fmt.Sprintf("host%d.example:443", i), Route: "direct", Command: "CONNECT",
			},
			Up: int64(i), Down: int64(n - i), RateUp: float64(i % 7), Start: now.Add(-time.Duration(i) * time.Second),
		})
	}
	return s
}

func TestConnectionsSortFilterAndBoundedMemory(t *testing.T) {
	w, _ := newWindow(t)
	cs := w.Connections
	w.ShowTab(TabConnections)
	start := time.Now()
	cs.Update(synthetic(5000))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("an update of 5,000 connections took %v", d)
	}
	if rows := cs.Rows(); len(rows) != 5000 || rows[0].ID != 1 {
		t.Fatalf("default order: %d rows, first %d", len(rows), rows[0].ID)
	}
	cs.SortBy(colDown)
	if rows := cs.Rows(); rows[0].Down != 5000 || rows[1].Down != 4999 {
		t.Errorf("by down: %d, %d", rows[0].Down, rows[1].Down)
	}
	cs.SortBy(colDown)
	if rows := cs.Rows(); rows[0].Down != 1 {
		t.Errorf("by down, reversed: %d", rows[0].Down)
	}
	cs.SortBy(colDest)
	if rows := cs.Rows(); rows[0].Dest != "host0.example:443" || rows[1].Dest != "host1.example:443" {
		t.Errorf("by destination: %s, %s", rows[0].Dest, rows[1].Dest)
	}
	test.Type(cs.Filter, "host4999.")
	if rows := cs.Rows(); len(rows) != 1 || rows[0].ID != 5000 || cs.Count.Text != "Connections: 1 of 5000" {
		t.Errorf("filtered: %d rows, %q", len(rows), cs.Count.Text)
	}
	cs.Filter.SetText("")
	// After the burst, the index shrinks with the table.
	cs.Update(synthetic(10))
	if len(cs.rows) != 10 || cap(cs.rows) > 2048 {
		t.Errorf("rows len %d cap %d after the burst", len(cs.rows), cap(cs.rows))
	}
}

// TestConnectionsShowTheRule: the route column names the rule that chose
// the route, and the filter finds rows by it.
func TestConnectionsShowTheRule(t *testing.T) {
	w, _ := newWindow(t)
	cs := w.Connections
	w.ShowTab(TabConnections)
	s := synthetic(3)
	s.Conns[1].Route, s.Conns[1].Rule = "work via office-ssh", "DOMAIN-SUFFIX,corp.example"
	cs.Update(s)
	if got := cellText(&s.Conns[1], colRoute, s.Time); got != "work via office-ssh (DOMAIN-SUFFIX,corp.example)" {
		t.Errorf("route cell %q", got)
	}
	test.Type(cs.Filter, "corp.example")
	if rows := cs.Rows(); len(rows) != 1 || rows[0].ID != 2 {
		t.Errorf("filter by rule: %d rows", len(rows))
	}
}
