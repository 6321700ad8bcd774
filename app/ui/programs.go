package ui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/sockowner"
	"github.com/sockstray/sockstray/core/stats"
)

// programs knows which program on this host opened each connection. It
// looks up only the connections asked about (the rows drawn, or all of
// them while the table is filtered by program), in batches off the UI
// goroutine, and remembers each answer by connection ID for the
// connection's life: the relay never waits for it. Its fields belong to
// the UI goroutine.
type programs struct {
	// lookup is the resolver's LookupAll; it runs off the UI goroutine.
	lookup func([]sockowner.Query) []sockowner.Owner
	// shown is called on the UI goroutine when answers arrive.
	shown func()

	known     map[uint64]sockowner.Owner // by connection ID; the zero Owner: none found
	want      map[uint64]sockowner.Query // asked about, not looked up yet
	busy      bool                       // a batch runs
	next      time.Time                  // no batch starts before
	scheduled bool                       // a flush is queued on the UI goroutine
	jobs      jobs
}

func newPrograms(shown func()) *programs {
	r := &sockowner.Resolver{}
	return &programs{lookup: r.LookupAll, shown: shown}
}

// of returns the program of cs and whether it is known yet; an unknown one
// is looked up soon.
func (p *programs) of(cs *stats.ConnStat) (sockowner.Owner, bool) {
	if o, ok := p.known[cs.ID]; ok {
		return o, true
	}
	if p.want == nil {
		p.want = map[uint64]sockowner.Query{}
	}
	p.want[cs.ID] = sockowner.Query{Client: cs.Client, Server: cs.Server}
	if !p.scheduled {
		p.scheduled = true
		do(p.flush) // after the table has drawn its rows: one batch for all
	}
	return sockowner.Owner{}, false
}

// text is the Program cell: "name (PID)", "—" when none was found (a
// client on another host), "…" while it is looked up.
func (p *programs) text(cs *stats.ConnStat) string {
	o, ok := p.of(cs)
	switch {
	case !ok:
		return "…"
	case !o.Found():
		return "—"
	}
	return o.String()
}

// flush starts a batch for the connections wanted, unless one runs: its
// end starts the next.
func (p *programs) flush() {
	p.scheduled = false
	if p.busy || len(p.want) == 0 {
		return
	}
	if wait := time.Until(p.next); wait > 0 {
		p.scheduled = true
		time.AfterFunc(wait, func() { do(p.flush) })
		return
	}
	ids := make([]uint64, 0, len(p.want))
	qs := make([]sockowner.Query, 0, len(p.want))
	for id, q := range p.want {
		if _, ok := p.known[id]; ok {
			continue // asked again while its batch ran
		}
		ids, qs = append(ids, id), append(qs, q)
	}
	p.want = nil
	if len(qs) == 0 {
		return
	}
	p.busy = true
	p.jobs.run(func() func() {
		start := time.Now()
		owners := p.lookup(qs)
		took := time.Since(start)
		return func() {
			p.busy = false
			// A lookup costs more on a busy host (~100 ms with 30,000
			// sockets or a process with thousands of fds): pausing 9
			// times as long as a batch took keeps it under a tenth of a
			// core.
			p.next = time.Now().Add(9 * took)
			if p.known == nil {
				p.known = map[uint64]sockowner.Owner{}
			}
			for i, id := range ids {
				p.known[id] = owners[i]
			}
			p.shown()
			p.flush()
		}
	})
}

// prune forgets the connections that ended; conns is sorted by ID.
func (p *programs) prune(conns []stats.ConnStat) {
	live := func(id uint64) bool {
		_, ok := slices.BinarySearchFunc(conns, id, func(c stats.ConnStat, id uint64) int { return cmp.Compare(c.ID, id) })
		return ok
	}
	for id := range p.known {
		if !live(id) {
			delete(p.known, id)
		}
	}
	for id := range p.want {
		if !live(id) {
			delete(p.want, id)
		}
	}
}

// names lists the programs found, sorted, for the program filter.
func (p *programs) names() []string {
	var out []string
	for _, o := range p.known {
		if o.Found() && !slices.Contains(out, o.Name) {
			out = append(out, o.Name)
		}
	}
	slices.Sort(out)
	return out
}

// allPrograms is the program filter's choice that filters nothing.
func allPrograms() string { return lang.L("All programs") }

// matches reports whether cs's program, when known, contains q (lower
// case); the text filter does not start lookups.
func (p *programs) matches(cs *stats.ConnStat, q string) bool {
	o, ok := p.known[cs.ID]
	return ok && o.Found() && strings.Contains(strings.ToLower(o.String()), q)
}

// byProgram reports whether cs passes the program filter. Filtering asks
// for every connection's program, not only the rows drawn.
func (c *Connections) byProgram(cs *stats.ConnStat) bool {
	sel := c.Program.Selected
	if sel == "" || c.Program.SelectedIndex() == 0 {
		return true
	}
	o, ok := c.progs.of(cs)
	return ok && o.Name == sel
}

// programChoices offers the programs found so far, keeping the choice.
func (c *Connections) programChoices() {
	opts := append([]string{allPrograms()}, c.progs.names()...)
	if sel := c.Program.Selected; sel != "" && !slices.Contains(opts, sel) {
		opts = append(opts, sel) // its connections may come back
	}
	if !slices.Equal(opts, c.Program.Options) {
		c.Program.SetOptions(opts)
	}
}
