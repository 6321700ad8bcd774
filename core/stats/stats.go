// Package stats is the live statistics model of the engine: the table of open
// connections with their byte counters and rates, the per-second throughput
// series of the last ten minutes, and totals since the engine started.
//
// The relay counts bytes with atomic adds only ([Conn.AddUp], [Conn.AddDown]);
// everything else (opening, ending and closing connections, [Table.Tick],
// [Table.Snapshot]) takes one table mutex briefly, so the GUI sampling at
// about 1 Hz never slows the data path. The package starts no goroutines: the
// engine owns the ticker and calls Tick once a second.
//
// Memory is bounded by the number of live connections: an ended connection is
// unlinked from the table and only its byte counts are kept, folded into the
// totals; the series is a fixed ring of [SeriesLen] points.
package stats

import (
	"io"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Info describes a connection as the server accepted it.
type Info struct {
	Client  netip.AddrPort // the client's address
	Server  netip.AddrPort // the proxy's end of the client's connection
	User    string         // username from RFC 1929 authentication; "" without auth
	Command string         // "CONNECT", "BIND" or "UDP ASSOCIATE"
	Dest    string         // host:port as the client sent it (domain names are kept, not resolved)
	Route   string         // route taken, e.g. "direct" or "via 127.0.0.1:1081"; see [Conn.SetRoute]
	Rule    string         // the routing rule that chose Route; "" for the profile's default
}

// Conn is one live connection in a [Table]. AddUp, AddDown, SetReply and
// SetRoute are safe from any goroutine; the relay calls AddUp and AddDown on
// its hot path, and each is a single atomic add.
type Conn struct {
	// up and down are written by the two relay goroutines of the connection;
	// the padding keeps them on different cache lines so the two directions do
	// not contend for one line.
	up   atomic.Int64
	_    [56]byte
	down atomic.Int64
	_    [56]byte

	reply   atomic.Uint32             // replySet|code once SetReply was called
	route   atomic.Pointer[[2]string] // nil until SetRoute; then overrides info.Route and info.Rule
	changes *atomic.Uint64            // the table's (see [Table.Changes])

	id    uint64    // immutable
	info  Info      // immutable; Route is the initial route
	start time.Time // immutable

	// Guarded by Table.mu.
	closer           io.Closer // nil once closing started or the conn ended
	prev, next       *Conn     // live list in ID order
	ended            bool
	upM, downM       meter   // the counters' steps, for the rates
	rateUp, rateDown float64 // bytes per second as of the last tick
}

const replySet = 1 << 8

// ID returns the connection's identifier: unique within its Table and
// increasing in the order connections were opened.
func (c *Conn) ID() uint64 { return c.id }

// AddUp counts n bytes sent from the client to the destination. It is one
// atomic add, meant to be called by the relay per chunk copied.
func (c *Conn) AddUp(n int64) { c.up.Add(n) }

// AddDown counts n bytes sent from the destination to the client. It is one
// atomic add, meant to be called by the relay per chunk copied.
func (c *Conn) AddDown(n int64) { c.down.Add(n) }

// Counters returns the connection's byte counters for a relay that adds to
// them itself (one atomic add per chunk, like AddUp and AddDown). Bytes
// added after Done are not counted.
func (c *Conn) Counters() (up, down *atomic.Int64) { return &c.up, &c.down }

// Bytes returns the bytes moved so far, up and down.
func (c *Conn) Bytes() (up, down int64) { return c.up.Load(), c.down.Load() }

// SetReply records the RFC 1928 reply code sent to the client (0 is success).
// Until it is called the connection's [ConnStat.Replied] is false.
func (c *Conn) SetReply(code byte) {
	c.reply.Store(replySet | uint32(code))
	c.changes.Add(1)
}

// SetRoute replaces the route and rule given in [Info], for when they are
// only known later (a UDP association routed apart, the member of a group
// that carried the connection).
func (c *Conn) SetRoute(route, rule string) {
	c.route.Store(&[2]string{route, rule})
	c.changes.Add(1)
}

// Table is the live connection table, the throughput series and the totals.
// Create it with [New]; all methods are safe for concurrent use.
type Table struct {
	now  func() time.Time
	born time.Time // meters count time from here

	mu         sync.Mutex
	head, tail *Conn // live connections, oldest (lowest ID) first
	live       int
	lastID     uint64
	lastTick   time.Time
	endedUp    int64 // bytes of ended connections, for the totals
	endedDown  int64
	upM, downM meter // all traffic's steps, for the series
	ring       [SeriesLen]Point
	ringStart  int // index of the oldest point
	ringLen    int
	onDone     func(ConnStat) // see SetOnDone
	tickUp     int64          // all bytes at the last tick, to see a change
	tickDown   int64

	changes atomic.Uint64 // see Changes
}

// New returns an empty Table. now is the clock used for start times, ticks and
// snapshots; nil means [time.Now]. Tests pass a fake clock.
func New(now func() time.Time) *Table {
	if now == nil {
		now = time.Now
	}
	t0 := now()
	return &Table{now: now, born: t0, lastTick: t0, upM: newMeter(0, 0), downM: newMeter(0, 0)}
}

// Open registers a live connection and returns it. closer is what
// [Table.CloseConn] and [Table.CloseAll] close (usually the client's
// net.Conn); it may be nil. The caller must call [Table.Done] when the
// connection has ended, after its last AddUp or AddDown.
func (t *Table) Open(info Info, closer io.Closer) *Conn {
	c := &Conn{info: info, closer: closer, start: t.now(), changes: &t.changes}
	c.upM = newMeter(c.start.Sub(t.born), 0)
	c.downM = c.upM
	t.mu.Lock()
	t.lastID++
	c.id = t.lastID
	c.prev = t.tail
	if t.tail != nil {
		t.tail.next = c
	} else {
		t.head = c
	}
	t.tail = c
	t.live++
	t.changes.Add(1)
	t.mu.Unlock()
	return c
}

// Done removes c from the live table. Its bytes stay in the totals, and
// in the series' traffic.
// Bytes added to c after Done are not counted. Calling Done again is a no-op.
func (t *Table) Done(c *Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c.ended {
		return
	}
	c.ended = true
	up, down := c.up.Load(), c.down.Load()
	t.endedUp += up
	t.endedDown += down
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		t.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		t.tail = c.prev
	}
	c.prev, c.next, c.closer = nil, nil, nil
	t.live--
	t.changes.Add(1)
	if t.onDone != nil {
		cs := ConnStat{Info: c.info, ID: c.id, Start: c.start, Up: up, Down: down}
		if r := c.route.Load(); r != nil {
			cs.Route, cs.Rule = r[0], r[1]
		}
		t.onDone(cs)
	}
}

// SetOnDone sets a function called with the final counts of each
// connection that ends from now on; nil removes it. It runs in Done with
// the table's lock held, so that a connection is always either in a
// Snapshot or already handed to f: f must be quick and must not call the
// Table. (The usage history counts each connection's bytes once this way.)
func (t *Table) SetOnDone(f func(ConnStat)) {
	t.mu.Lock()
	t.onDone = f
	t.mu.Unlock()
}

// Changes counts the changes to what a [Snapshot] shows of the live
// connections, the time aside: one a connection opened or ended, a reply
// or route set, or a tick that found bytes moved or a rate changed. A
// view that took a snapshot at one count and finds the same count later
// need not take another: only the ages of its rows have moved. It is one
// atomic load, however many connections are open.
func (t *Table) Changes() uint64 { return t.changes.Load() }

// CloseConn closes the live connection with the given ID by calling its
// closer, outside the table lock. It reports whether id names a live
// connection. A closer is called at most once, however often CloseConn and
// CloseAll are called; the connection stays in the table until its owner
// calls Done. Close errors are ignored: the relay sees the closed connection
// and ends.
//
// The lookup walks the live list: closing is a rare user action, and a list
// (unlike a map, which never shrinks) keeps memory bounded by the live count.
func (t *Table) CloseConn(id uint64) bool {
	t.mu.Lock()
	var c *Conn
	for c = t.head; c != nil && c.id < id; c = c.next {
	}
	if c == nil || c.id != id {
		t.mu.Unlock()
		return false
	}
	closer := c.closer
	c.closer = nil
	t.mu.Unlock()
	if closer != nil {
		_ = closer.Close()
	}
	return true
}

// CloseAll closes every live connection as CloseConn does and returns how
// many closers it called.
func (t *Table) CloseAll() int {
	var closers []io.Closer
	t.mu.Lock()
	for c := t.head; c != nil; c = c.next {
		if c.closer != nil {
			closers = append(closers, c.closer)
			c.closer = nil
		}
	}
	t.mu.Unlock()
	for _, cl := range closers {
		_ = cl.Close()
	}
	return len(closers)
}
