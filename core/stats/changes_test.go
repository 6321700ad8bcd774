package stats

import (
	"testing"
	"time"
)

// TestChanges: the count moves with every change a snapshot would show of
// the connections, and stays put while they only grow older, so a view
// can skip the copy of an idle table.
func TestChanges(t *testing.T) {
	tab, clk := newTable()
	tick := func() { clk.Advance(time.Second); tab.Tick() }
	steps := []struct {
		what   string
		do     func(c *Conn) *Conn
		change bool
	}{
		{"open", func(*Conn) *Conn { return tab.Open(info("a:1"), nil) }, true},
		{"reply", func(c *Conn) *Conn { c.SetReply(0); return c }, true},
		{"route", func(c *Conn) *Conn { c.SetRoute("proxy", "rule 1"); return c }, true},
		{"tick with nothing moved", func(c *Conn) *Conn { tick(); return c }, false},
		{"bytes, then a tick", func(c *Conn) *Conn { c.AddDown(1000); tick(); return c }, true},
		{"idle until the rate is 0", func(c *Conn) *Conn {
			for range 20 {
				tick()
			}
			return c
		}, true},
		{"idle at rate 0", func(c *Conn) *Conn { tick(); tick(); return c }, false},
		{"bytes not yet ticked", func(c *Conn) *Conn { c.AddUp(1); return c }, false},
		{"their tick", func(c *Conn) *Conn { tick(); return c }, true},
		{"done", func(c *Conn) *Conn { tab.Done(c); return c }, true},
		{"done again", func(c *Conn) *Conn { tab.Done(c); return c }, false},
	}
	var c *Conn
	for _, st := range steps {
		before := tab.Changes()
		c = st.do(c)
		if moved := tab.Changes() != before; moved != st.change {
			t.Errorf("%s: count moved %v, want %v", st.what, moved, st.change)
		}
	}
	if s := tab.Snapshot(); len(s.Conns) != 0 || s.Totals.Down != 1000 {
		t.Errorf("after the steps: %d live, %d bytes down; want 0, 1000", len(s.Conns), s.Totals.Down)
	}
}
