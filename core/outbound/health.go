package outbound

import (
	"cmp"
	"slices"
	"time"
)

const (
	defaultMinBackoff = 5 * time.Second
	defaultMaxBackoff = 5 * time.Minute
)

// memberState is what a Group knows of one member's health; g.mu guards
// it.
type memberState struct {
	up      bool
	since   time.Time // when up last changed
	reason  string    // the last failure's error
	latency time.Duration
	backoff time.Duration // the current backoff, while down
	until   time.Time     // down: no request tries it before then
	trial   uint64        // the request trying it while half-open, or 0
}

// MemberStatus is one member's health, for the GUI and the CLI.
type MemberStatus struct {
	Name string
	Up   bool
	// Since is when the member last went up or down (or the group's first
	// use).
	Since time.Time
	// Reason is the last failure's error, kept after recovery; "" if none.
	Reason string
	// Latency is the moving average of successful dials (and probes), the
	// destination's connect time included; 0 until measured.
	Latency time.Duration
	// BackoffUntil is, while down, when requests try the member again.
	BackoffUntil time.Time
	// Current marks the member that carried the last connection (before
	// any, the first member).
	Current bool
}

// EventKind says what a GroupEvent reports.
type EventKind uint8

const (
	// MemberDown: a member failed and is left alone for a backoff.
	MemberDown EventKind = iota + 1
	// MemberUp: a down member carried a request or passed a probe.
	MemberUp
	// MemberSwitched: a connection went through another member than the
	// last one (at first, the group's first member counts as the last).
	MemberSwitched
	// AllDown: every member is down; requests still try them all.
	AllDown
)

func (k EventKind) String() string {
	switch k {
	case MemberDown:
		return "member down"
	case MemberUp:
		return "member up"
	case MemberSwitched:
		return "member switched"
	case AllDown:
		return "all members down"
	}
	return "event?"
}

// GroupEvent is a change in a Group's health, for OnChange.
type GroupEvent struct {
	Kind  EventKind
	Group string
	// Member is the member concerned: for MemberSwitched, the new one.
	Member string
	// From is, for MemberSwitched, the member used before.
	From string
	// Err is, for MemberDown, the failure.
	Err  error
	Time time.Time
}

func (g *Group) init() {
	g.initOnce.Do(func() {
		now := time.Now()
		g.st = make([]memberState, len(g.Members))
		for i := range g.st {
			g.st[i] = memberState{up: true, since: now}
		}
	})
}

// plan orders the members for one request: the healthy ones and those
// whose backoff has passed, by the policy; then the rest, soonest
// recovery first. A member whose backoff has passed is claimed for this
// request (token), so that the others do not all wait on a member that
// may still hang.
func (g *Group) plan(token uint64) []int {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	var ready, waiting []int
	for i := range g.st {
		s := &g.st[i]
		switch {
		case s.up:
			ready = append(ready, i)
		case s.trial == 0 && !now.Before(s.until):
			s.trial = token
			ready = append(ready, i)
		default:
			waiting = append(waiting, i)
		}
	}
	if g.Policy == Fastest {
		slices.SortStableFunc(ready, func(a, b int) int { return cmp.Compare(g.speed(a), g.speed(b)) })
	}
	slices.SortStableFunc(waiting, func(a, b int) int { return g.st[a].until.Compare(g.st[b].until) })
	return append(ready, waiting...)
}

// speed is member i's sort key under Fastest. A member on trial sorts
// first: its old figure predates its failure, and it can only come back
// by being measured. The current member's figure counts 20% less, so
// that two members of about equal speed do not take turns (each turn an
// event for the GUI).
func (g *Group) speed(i int) time.Duration {
	s := g.st[i]
	switch {
	case !s.up:
		return 0
	case i == g.current:
		return s.latency * 4 / 5
	}
	return s.latency
}

// release ends the trials that request token claimed.
func (g *Group) release(token uint64) {
	g.mu.Lock()
	for i := range g.st {
		if g.st[i].trial == token {
			g.st[i].trial = 0
		}
	}
	g.mu.Unlock()
}

// succeeded records that member i works; rtt, when not 0, is a latency
// sample, and carried says a client's connection went through it.
func (g *Group) succeeded(i int, rtt time.Duration, carried bool) {
	now := time.Now()
	g.mu.Lock()
	s := &g.st[i]
	if !s.up {
		s.up, s.since, s.backoff, s.until = true, now, 0, time.Time{}
		g.allDown = false
		g.emit(GroupEvent{Kind: MemberUp, Member: g.memberName(i), Time: now})
	}
	if rtt > 0 {
		if s.latency == 0 {
			s.latency = rtt
		} else {
			s.latency = (3*s.latency + rtt) / 4 // recent samples count, one outlier does not rule
		}
	}
	if carried && i != g.current {
		g.emit(GroupEvent{Kind: MemberSwitched, Member: g.memberName(i), From: g.memberName(g.current), Time: now})
		g.current = i
	}
	g.mu.Unlock()
	g.deliver()
}

// failed records that member i failed with err. The backoff doubles only
// when a retry after the backoff failed: the many requests that were
// already on their way to a member when it died must not push it to the
// cap at once.
func (g *Group) failed(i int, err error) {
	now := time.Now()
	g.mu.Lock()
	s := &g.st[i]
	s.reason = err.Error()
	switch {
	case s.up:
		s.up, s.since, s.backoff = false, now, g.minBackoff()
		s.until = now.Add(s.backoff)
		g.emit(GroupEvent{Kind: MemberDown, Member: g.memberName(i), Err: err, Time: now})
	case !now.Before(s.until):
		s.backoff = min(2*s.backoff, g.maxBackoff())
		s.until = now.Add(s.backoff)
	}
	if !g.allDown && !slices.ContainsFunc(g.st, func(s memberState) bool { return s.up }) {
		g.allDown = true
		g.emit(GroupEvent{Kind: AllDown, Time: now})
	}
	g.mu.Unlock()
	g.deliver()
}

func (g *Group) minBackoff() time.Duration {
	if g.MinBackoff > 0 {
		return g.MinBackoff
	}
	return defaultMinBackoff
}

func (g *Group) maxBackoff() time.Duration {
	m := g.MaxBackoff
	if m <= 0 {
		m = defaultMaxBackoff
	}
	return max(m, g.minBackoff())
}

// emit queues ev; g.mu is held, so events queue in the order the changes
// happened.
func (g *Group) emit(ev GroupEvent) {
	if g.OnChange != nil {
		ev.Group = g.label()
		g.queue = append(g.queue, ev)
	}
}

// deliver hands queued events to OnChange without holding g.mu. One
// goroutine delivers at a time, which keeps the order; the others leave
// their events to it.
func (g *Group) deliver() {
	g.mu.Lock()
	if g.delivering {
		g.mu.Unlock()
		return
	}
	g.delivering = true
	for len(g.queue) > 0 {
		ev := g.queue[0]
		g.queue = g.queue[1:]
		g.mu.Unlock()
		g.OnChange(ev)
		g.mu.Lock()
	}
	g.delivering = false
	g.mu.Unlock()
}

// Status reports every member's health, in the configured order.
func (g *Group) Status() []MemberStatus {
	g.init()
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]MemberStatus, len(g.st))
	for i, s := range g.st {
		out[i] = MemberStatus{Name: g.memberName(i), Up: s.up, Since: s.since, Reason: s.reason,
			Latency: s.latency, Current: i == g.current}
		if !s.up {
			out[i].BackoffUntil = s.until
		}
	}
	return out
}
