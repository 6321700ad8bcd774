package stats

import "time"

// ConnStat is a copy of one live connection's state.
type ConnStat struct {
	Info               // as given to Open; Route and Rule reflect the last SetRoute
	ID       uint64    // see [Conn.ID]
	Reply    byte      // RFC 1928 reply code; meaningful only if Replied
	Replied  bool      // whether SetReply was called
	Start    time.Time // when Open was called
	Up, Down int64     // bytes since Open, client to destination and back
	RateUp   float64   // bytes per second up as of the last tick (see [Table.Tick])
	RateDown float64   // bytes per second down as of the last tick
}

// Rate is the connection's rate both ways, in bytes per second: what the
// Connections table, the LAN clients list and the tray show.
func (c *ConnStat) Rate() float64 { return c.RateUp + c.RateDown }

// Totals counts everything since the Table was created.
type Totals struct {
	Up, Down int64  // bytes of all connections, live and ended
	Conns    uint64 // connections opened
	Live     int    // connections open now
}

// Snapshot is a copy of the table's state at one moment; the caller owns it.
type Snapshot struct {
	Time   time.Time  // when the snapshot was taken, for ages (Time.Sub(Start))
	Conns  []ConnStat // live connections, sorted by ID
	Series []Point    // throughput, oldest first, at most SeriesLen points
	Totals Totals
}

// Snapshot copies the table's state. It holds the table lock for one walk of
// the live list (the relay's atomic adds never wait for it); byte counts are
// read atomically, so they may be a little ahead of the rates of the last tick.
func (t *Table) Snapshot() Snapshot {
	now := t.now()
	// Allocate outside the lock so Open and Done wait only for the copy.
	t.mu.Lock()
	n := t.live
	t.mu.Unlock()
	conns := make([]ConnStat, 0, n+n/8+16)

	t.mu.Lock()
	defer t.mu.Unlock()
	s := Snapshot{
		Time:   now,
		Conns:  conns,
		Series: t.series(),
		Totals: Totals{Up: t.endedUp, Down: t.endedDown, Conns: t.lastID, Live: t.live},
	}
	// The list is in ID order because IDs increase and Open appends.
	for c := t.head; c != nil; c = c.next {
		cs := ConnStat{
			Info:     c.info,
			ID:       c.id,
			Start:    c.start,
			Up:       c.up.Load(),
			Down:     c.down.Load(),
			RateUp:   c.rateUp,
			RateDown: c.rateDown,
		}
		if r := c.route.Load(); r != nil {
			cs.Route, cs.Rule = r[0], r[1]
		}
		if r := c.reply.Load(); r&replySet != 0 {
			cs.Reply, cs.Replied = byte(r), true
		}
		s.Totals.Up += cs.Up
		s.Totals.Down += cs.Down
		s.Conns = append(s.Conns, cs)
	}
	return s
}
