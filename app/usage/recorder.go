package usage

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/stats"
)

// Source is the engine's connection table as the recorder reads it
// (*engine.Engine).
type Source interface {
	// Snapshot copies the live connections.
	Snapshot() stats.Snapshot
	// SetOnDone sets the function called with each connection's final
	// counts as it ends, atomically with its leaving the snapshot.
	SetOnDone(func(stats.ConnStat))
}

// Options are a Recorder's settings. Store is required.
type Options struct {
	Store *Store
	// Retention is how many days are kept; zero means DefaultRetention.
	Retention int
	// FlushEvery is how often the counts are written; zero means a
	// minute. It bounds what a crash loses.
	FlushEvery time.Duration
	// ProgramsOf names the local programs that opened connections, one
	// name per connection in one look-up (a walk of the OS's tables);
	// nil, or "" for a connection, leaves it out of the program
	// dimension. It is called off the relay's path, about once per
	// connection: for new connections every LookEvery (while the program
	// still holds its socket), else at the flush that counts the
	// connection.
	ProgramsOf func([]stats.ConnStat) []string
	// LookEvery is how often new connections are given to ProgramsOf; zero
	// means 2 s.
	LookEvery time.Duration
	// OnError hears of a flush that failed (the counts are kept for the
	// next one); nil ignores.
	OnError func(error)
	// Now is the clock (local time decides the day); nil means time.Now.
	Now func() time.Time
}

// Recorder counts the traffic of a Source into a Store. Create it with
// Start; Stop writes what is left.
type Recorder struct {
	o         Options
	src       Source
	retention atomic.Int64

	mu    sync.Mutex       // guards ended, taken by the Source's OnDone
	ended []stats.ConnStat // connections ended since the last flush

	flushMu  sync.Mutex // one flush at a time; guards what follows
	seen     map[uint64]Bytes
	programs map[uint64]string
	unsaved  map[Key]Bytes // counts a failed write left for the next one
	pruned   string        // the day of the last prune
	looked   uint64        // the newest connection given to ProgramsOf by look

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// Start prunes the history to the retention (creating the file), hooks
// onto src and flushes every o.FlushEvery until Stop.
func Start(src Source, o Options) (*Recorder, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Minute
	}
	if o.LookEvery <= 0 {
		o.LookEvery = 2 * time.Second
	}
	r := &Recorder{o: o, src: src, seen: map[uint64]Bytes{}, programs: map[uint64]string{},
		unsaved: map[Key]Bytes{}, stop: make(chan struct{}), done: make(chan struct{})}
	r.retention.Store(int64(o.Retention))
	now := o.Now()
	if err := o.Store.Add(nil, KeepFrom(now, o.Retention)); err != nil {
		return nil, err
	}
	r.pruned = now.Format(DayLayout)
	// Connections open now count from here: what they moved before the
	// history was turned on is not history.
	for _, c := range src.Snapshot().Conns {
		r.seen[c.ID] = Bytes{c.Up, c.Down}
	}
	src.SetOnDone(r.onDone)
	go r.loop()
	return r, nil
}

// onDone runs in the Source's Done with its lock held: only an append.
func (r *Recorder) onDone(c stats.ConnStat) {
	r.mu.Lock()
	r.ended = append(r.ended, c)
	r.mu.Unlock()
}

func (r *Recorder) loop() {
	defer close(r.done)
	t := time.NewTicker(r.o.FlushEvery)
	defer t.Stop()
	var look <-chan time.Time // nil, never ready, without ProgramOf
	if r.o.ProgramsOf != nil {
		lt := time.NewTicker(r.o.LookEvery)
		defer lt.Stop()
		look = lt.C
	}
	for {
		select {
		case <-t.C:
			if err := r.Flush(); err != nil && r.o.OnError != nil {
				r.o.OnError(err)
			}
		case <-look:
			r.look()
		case <-r.stop:
			return
		}
	}
}

// look names the programs of the connections opened since the last look,
// while their programs still hold their sockets: most connections end
// well before the next flush. A name cached for a connection that has
// ended goes at the next flush, with the others not live.
func (r *Recorder) look() {
	snap := r.src.Snapshot()
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	var fresh []stats.ConnStat
	for _, c := range snap.Conns { // in ID order
		if c.ID > r.looked {
			fresh = append(fresh, c)
			r.looked = c.ID
		}
	}
	r.lookUp(fresh)
}

// SetRetention changes how many days are kept, from the next flush.
func (r *Recorder) SetRetention(days int) {
	r.retention.Store(int64(days))
	r.flushMu.Lock()
	r.pruned = ""
	r.flushMu.Unlock()
}

// Stop unhooks from the Source, ends the flushes and writes what is left.
// Calling it again only writes what is left.
func (r *Recorder) Stop() error {
	r.stopOnce.Do(func() {
		r.src.SetOnDone(nil)
		close(r.stop)
		<-r.done
	})
	return r.Flush()
}

// Flush counts the bytes moved since the last flush and writes them in
// one transaction. The snapshot is taken before the ended list is
// swapped out: a connection that ends in between is in both, and counts
// once, from its final counts.
func (r *Recorder) Flush() error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	now := r.o.Now()
	day := now.Format(DayLayout)
	snap := r.src.Snapshot()
	r.mu.Lock()
	ended := r.ended
	r.ended = nil
	r.mu.Unlock()

	r.lookUp(ended)
	r.lookUp(snap.Conns)
	counts := r.unsaved
	gone := make(map[uint64]bool, len(ended))
	for _, c := range ended {
		gone[c.ID] = true
		r.count(counts, day, c)
		delete(r.seen, c.ID)
		delete(r.programs, c.ID)
	}
	live := make(map[uint64]Bytes, len(snap.Conns))
	for _, c := range snap.Conns {
		if gone[c.ID] {
			continue
		}
		r.count(counts, day, c)
		live[c.ID] = Bytes{c.Up, c.Down}
	}
	// Connections not in the snapshot have ended: they were in this
	// ended list or an earlier one.
	r.seen = live
	for id := range r.programs {
		if _, ok := live[id]; !ok {
			delete(r.programs, id)
		}
	}
	if len(counts) == 0 && r.pruned == day {
		return nil
	}
	if err := r.o.Store.Add(counts, KeepFrom(now, int(r.retention.Load()))); err != nil {
		r.unsaved = counts
		return err
	}
	r.unsaved = map[Key]Bytes{}
	r.pruned = day
	return nil
}

// count adds what c moved since it was last seen. flushMu is held.
func (r *Recorder) count(counts map[Key]Bytes, day string, c stats.ConnStat) {
	prev := r.seen[c.ID]
	b := Bytes{Up: max(c.Up-prev.Up, 0), Down: max(c.Down-prev.Down, 0)}
	if b.Up == 0 && b.Down == 0 {
		return
	}
	addTo(counts, Key{day, ByHost, HostOf(c.Dest)}, b)
	addTo(counts, Key{day, ByClient, ClientOf(c.Client)}, b)
	if p := r.program(c); p != "" {
		addTo(counts, Key{day, ByProgram, p}, b)
	}
}

// lookUp names the programs of the connections not named yet, in one
// call of ProgramsOf. flushMu is held.
func (r *Recorder) lookUp(conns []stats.ConnStat) {
	if r.o.ProgramsOf == nil {
		return
	}
	var ask []stats.ConnStat
	for _, c := range conns {
		if _, ok := r.programs[c.ID]; !ok {
			ask = append(ask, c)
		}
	}
	if len(ask) == 0 {
		return
	}
	names := r.o.ProgramsOf(ask)
	for i, c := range ask {
		var name string
		if i < len(names) {
			name = names[i]
		}
		r.programs[c.ID] = ProgramName(name)
	}
}

// program is c's program as lookUp named it. flushMu is held.
func (r *Recorder) program(c stats.ConnStat) string { return r.programs[c.ID] }

func addTo(counts map[Key]Bytes, k Key, b Bytes) {
	old := counts[k]
	counts[k] = Bytes{Up: old.Up + b.Up, Down: old.Down + b.Down}
}
