package stats

import "testing"

func TestCloseConn(t *testing.T) {
	tab, _ := newTable()
	var cl [3]countCloser
	var conns [3]*Conn
	for i := range conns {
		conns[i] = tab.Open(info("x:1"), &cl[i])
	}
	if !tab.CloseConn(conns[1].ID()) {
		t.Fatal("CloseConn(live id) = false")
	}
	if !tab.CloseConn(conns[1].ID()) {
		t.Error("second CloseConn of a conn still live = false")
	}
	if n := cl[1].n.Load(); n != 1 {
		t.Errorf("closer called %d times, want 1", n)
	}
	if cl[0].n.Load() != 0 || cl[2].n.Load() != 0 {
		t.Error("CloseConn closed another connection")
	}
	tab.Done(conns[1])
	for _, id := range []uint64{0, conns[1].ID(), conns[2].ID() + 1} {
		if tab.CloseConn(id) {
			t.Errorf("CloseConn(%d) = true for an id that is not live", id)
		}
	}
	// A conn opened without a closer is still live and can be asked to close.
	bare := tab.Open(info("x:1"), nil)
	if !tab.CloseConn(bare.ID()) {
		t.Error("CloseConn of a conn with a nil closer = false")
	}
}

func TestCloseAll(t *testing.T) {
	tab, _ := newTable()
	var cl [5]countCloser
	for i := range cl {
		tab.Open(info("x:1"), &cl[i])
	}
	tab.Open(info("x:1"), nil)
	tab.CloseConn(2)
	if n := tab.CloseAll(); n != 4 {
		t.Errorf("CloseAll = %d, want 4 (one already closing, one without closer)", n)
	}
	for i := range cl {
		if n := cl[i].n.Load(); n != 1 {
			t.Errorf("closer %d called %d times, want 1", i, n)
		}
	}
	if n := tab.CloseAll(); n != 0 {
		t.Errorf("second CloseAll = %d, want 0", n)
	}
	// Closing does not remove: the conns stay until their owners call Done.
	if live := tab.Snapshot().Totals.Live; live != 6 {
		t.Errorf("live = %d, want 6", live)
	}
}
