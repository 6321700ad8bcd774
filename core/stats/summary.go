package stats

// Summary is a [Snapshot] without the connections: the series and the
// totals, for a view that shows only those. It walks the live list under
// the table lock for the byte counts, but copies and allocates nothing per
// connection.
func (t *Table) Summary() Snapshot {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Snapshot{
		Time:   now,
		Series: t.series(),
		Totals: Totals{Up: t.endedUp, Down: t.endedDown, Conns: t.lastID, Live: t.live},
	}
	for c := t.head; c != nil; c = c.next {
		s.Totals.Up += c.up.Load()
		s.Totals.Down += c.down.Load()
	}
	return s
}
