package outbound

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// HealthCheck configures a Group's active health checks. They are off
// unless Interval is set: every probe tells whoever watches the network
// which upstreams the profile uses, so a user has to ask for them.
type HealthCheck struct {
	// Interval is the time between rounds of probes; 0 means no checks.
	Interval time.Duration
	// Target is the "host:port" each member dials through itself. It
	// should be reachable through every member: any failure to reach it
	// marks the member down, whoever's fault it is.
	Target string
	// Timeout bounds one probe; 0 means the smaller of Interval and 10 s.
	Timeout time.Duration
}

const defaultCheckTimeout = 10 * time.Second

// ErrCheckTarget is the error of Start when active checks are on without
// a usable target.
var ErrCheckTarget = errors.New("health check needs a target host:port")

// checker is the state of a Group's active checks.
type checker struct {
	checkMu   sync.Mutex
	stopCheck context.CancelFunc // nil when not running
	checkDone chan struct{}
}

// Start starts the active health checks when Check asks for them (and
// does nothing otherwise): a round of probes at once, then one every
// Interval, until Close. Each member dials Check.Target through itself,
// the members in parallel; a success marks the member up and measures its
// latency, a failure marks it down. Starting a running group is a no-op.
func (g *Group) Start() error {
	if g.Check.Interval <= 0 {
		return nil
	}
	target, err := socks5.ParseAddr(g.Check.Target)
	if err != nil || target.Port == 0 {
		return fmt.Errorf("group %s: %w (got %q)", g.label(), ErrCheckTarget, g.Check.Target)
	}
	g.init()
	g.checkMu.Lock()
	defer g.checkMu.Unlock()
	if g.stopCheck != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.stopCheck, g.checkDone = cancel, make(chan struct{})
	go g.runChecks(ctx, target, g.checkDone)
	return nil
}

// Close stops the active health checks and waits until their probes have
// ended. The Group still carries requests. Close is safe to call without
// Start and more than once.
func (g *Group) Close() error {
	g.checkMu.Lock()
	stop, done := g.stopCheck, g.checkDone
	g.stopCheck, g.checkDone = nil, nil
	g.checkMu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	return nil
}

func (g *Group) runChecks(ctx context.Context, target socks5.Addr, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(g.Check.Interval)
	defer tick.Stop()
	for {
		g.probeAll(ctx, target)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// probeAll probes every member at once and waits for all of them, so
// that no probe outlives Close.
func (g *Group) probeAll(ctx context.Context, target socks5.Addr) {
	timeout := g.Check.Timeout
	if timeout <= 0 {
		timeout = min(g.Check.Interval, defaultCheckTimeout)
	}
	var wg sync.WaitGroup
	for i := range g.Members {
		wg.Go(func() { g.probe(ctx, i, target, timeout) })
	}
	wg.Wait()
}

func (g *Group) probe(ctx context.Context, i int, target socks5.Addr, timeout time.Duration) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	conn, err := g.Members[i].Route.Dial(pctx, target)
	rtt := time.Since(start)
	if conn != nil {
		conn.Close()
	}
	switch {
	case ctx.Err() != nil:
		// Closing: a probe cut short says nothing about the member.
	case err != nil:
		g.failed(i, fmt.Errorf("health check: %w", err))
	default:
		g.succeeded(i, rtt, false)
	}
}
