package outbound

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// Policy is how a Group picks among its healthy members.
type Policy uint8

const (
	// Failover uses the first healthy member, in the order configured.
	Failover Policy = iota
	// Fastest uses the healthy member with the lowest measured latency;
	// ties go by order.
	Fastest
)

// String is "failover" or "fastest".
func (p Policy) String() string {
	if p == Fastest {
		return "fastest"
	}
	return "failover"
}

// Member is one route of a Group and the name people know it by.
type Member struct {
	// Name names the member in Status, events, errors and Via; "" means
	// Route.String().
	Name  string
	Route Route
}

// Group is a Route that spreads requests over member routes (chains,
// direct, other groups) and steps around members that fail.
//
// Health is passive: a request that fails through a member because of
// the member (see classify) marks it down, and the same request goes on
// to the next member at once, so the client sees a failure only when no
// member works. A down member is left alone for a backoff (MinBackoff,
// doubling on each failed retry up to MaxBackoff, reset by a success),
// then tried again by one request while the others go elsewhere. When
// every member is down, all are tried anyway, the soonest to recover
// first: a slow answer beats none. A destination's own answer through a
// working member (connection refused, not allowed) goes to the client as
// it is and counts against nobody. Direct has no upstream to blame, so
// requests never mark it down; active checks can.
//
// Active checks (Check, off by default) probe every member on a timer;
// they run between Start and Close.
//
// Set the fields before the first use and leave them alone afterwards; a
// new configuration is a new Group.
type Group struct {
	// Name names the group in events and errors; "" means String().
	Name    string
	Policy  Policy
	Members []Member
	// Timeout bounds one Dial or ListenPacket over all its attempts when
	// the caller's context allows longer; 0 means 30 s.
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound how long a failed member is left
	// alone; 0 means 5 s and 5 min.
	MinBackoff, MaxBackoff time.Duration
	// Check configures active health checks; the zero value is off.
	Check HealthCheck
	// OnChange, if set, hears of members going down and up, the group
	// switching members and every member being down. Events come one at
	// a time, in the order they happened, on the goroutine of a request or
	// probe, with no lock held: it may call Status, and it must return
	// quickly, since a request may be waiting.
	OnChange func(GroupEvent)

	initOnce sync.Once
	trials   atomic.Uint64 // issues the tokens of half-open trials

	mu         sync.Mutex
	st         []memberState
	current    int // the member that carried the last request
	allDown    bool
	queue      []GroupEvent
	delivering bool // a goroutine is calling OnChange

	checker
}

const (
	defaultGroupTimeout = 30 * time.Second
	// minGroupAttempt keeps a member late in the order from getting a
	// uselessly short share of the time.
	minGroupAttempt = time.Second
)

// ErrNoMembers is the error of a Group without members.
var ErrNoMembers = errors.New("group has no members")

var _ Route = (*Group)(nil)

// String is "failover[a, b]": the policy and the members' names.
func (g *Group) String() string {
	names := make([]string, len(g.Members))
	for i := range g.Members {
		names[i] = g.memberName(i)
	}
	return g.Policy.String() + "[" + strings.Join(names, ", ") + "]"
}

func (g *Group) memberName(i int) string {
	if m := g.Members[i]; m.Name != "" {
		return m.Name
	}
	return g.Members[i].Route.String()
}

func (g *Group) label() string {
	if g.Name != "" {
		return g.Name
	}
	return g.String()
}

// Dial connects to dst through the first member that can, in the
// policy's order. Each attempt gets its share of the time left, so a
// member that hangs cannot use up the client's. A destination's answer
// through a working member is returned as it is (wrapped, for errors.As
// and socks5.ReplyFor it is the member's error); when no member carries
// the request, the error is a *GroupError naming each member's failure.
//
// The connection is the member's own, unwrapped, so a relay keeps its
// fast path; to learn which member carried it, pass a Via (WithVia) or
// use DialVia.
func (g *Group) Dial(ctx context.Context, dst socks5.Addr) (net.Conn, error) {
	var conn net.Conn
	err := g.try(ctx, false, func(ctx context.Context, m Route) (err error) {
		conn, err = m.Dial(ctx, dst)
		return err
	})
	return conn, err
}

// DialVia is Dial that also returns which member carried the connection,
// as Via.String gives it ("office-ssh", or "backup/office-ssh" through a
// nested group).
func (g *Group) DialVia(ctx context.Context, dst socks5.Addr) (net.Conn, string, error) {
	var v Via
	conn, err := g.Dial(WithVia(ctx, &v), dst)
	return conn, v.String(), err
}

// ListenPacket sets up UDP through the first member that can. Members
// that cannot carry UDP (a chain with a hop other than SOCKS5), or whose
// upstream refuses the association, are skipped without counting against
// their health; only a member that fails to be reached is marked down.
func (g *Group) ListenPacket(ctx context.Context) (PacketConn, error) {
	var pc PacketConn
	err := g.try(ctx, true, func(ctx context.Context, m Route) (err error) {
		pc, err = m.ListenPacket(ctx)
		return err
	})
	return pc, err
}

// try runs attempt through the members in the order plan gives, until
// one succeeds, one brings back the destination's answer (TCP only: a UDP
// association has no destination yet), or none is left.
func (g *Group) try(ctx context.Context, udp bool, attempt func(context.Context, Route) error) error {
	if len(g.Members) == 0 {
		return ErrNoMembers
	}
	g.init()
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = defaultGroupTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	token := g.trials.Add(1)
	order := g.plan(token)
	defer g.release(token)
	gerr := &GroupError{Group: g.label()}
	for k, i := range order {
		actx, acancel := context.WithDeadline(ctx, share(deadline, len(order)-k))
		start := time.Now()
		err := attempt(actx, g.Members[i].Route)
		acancel()
		if err == nil {
			g.succeeded(i, time.Since(start), !udp)
			recordVia(ctx, g.memberName(i))
			return nil
		}
		gerr.Failures = append(gerr.Failures, MemberError{Member: g.memberName(i), Err: err})
		if ctx.Err() != nil {
			break // the caller's time is up: nobody's fault
		}
		switch classify(g.Members[i].Route, err) {
		case memberFault:
			g.failed(i, err)
		case answer:
			if !udp {
				g.succeeded(i, 0, false) // its upstream answered, so it works
				recordVia(ctx, g.memberName(i))
				return &answerError{err}
			}
		}
	}
	return gerr
}

// share is the deadline of one of left attempts, given the time until
// deadline.
func share(deadline time.Time, left int) time.Time {
	now := time.Now()
	remaining := deadline.Sub(now)
	d := remaining / time.Duration(left)
	if d < minGroupAttempt {
		d = min(minGroupAttempt, remaining)
	}
	return now.Add(d)
}

// GroupError is the failure of a request that no member of a Group
// carried. It unwraps to the last member's error, which decides the
// client's reply code.
type GroupError struct {
	Group string
	// Failures are the members' errors in the order tried.
	Failures []MemberError
}

// MemberError is one member's failure.
type MemberError struct {
	Member string
	Err    error
}

// Error is "group G: no member could carry it: a: …; b: …".
func (e *GroupError) Error() string {
	parts := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		parts[i] = f.Member + ": " + f.Err.Error()
	}
	return "group " + e.Group + ": no member could carry it: " + strings.Join(parts, "; ")
}

func (e *GroupError) Unwrap() error {
	if len(e.Failures) == 0 {
		return nil
	}
	return e.Failures[len(e.Failures)-1].Err
}

// Via is filled in by the groups a request passes through with the
// members that carried it, outermost group first. It is how a server
// learns "route work-group via office-ssh" for its connection table and
// log without the connection being wrapped (which would cost the relay
// its splice fast path), and it works through any route that hands its
// context on (rules, nested groups). It is set on success, and also when
// a member brought back the destination's answer.
type Via struct{ Members []string }

type viaKey struct{}

// WithVia returns a context that has the groups on a request's way fill
// in v. One Via serves one request.
func WithVia(ctx context.Context, v *Via) context.Context {
	return context.WithValue(ctx, viaKey{}, v)
}

// String is the members joined by "/", or "" when no group was passed.
func (v *Via) String() string { return strings.Join(v.Members, "/") }

// recordVia puts name in front: an inner group records before the outer
// one, since its Dial returns first.
func recordVia(ctx context.Context, name string) {
	if v, _ := ctx.Value(viaKey{}).(*Via); v != nil {
		v.Members = append([]string{name}, v.Members...)
	}
}
