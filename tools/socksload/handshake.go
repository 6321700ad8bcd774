package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// maxHandshakes bounds each worker's loop, whatever the clock says.
const maxHandshakes = 1 << 22

// targetName is the destination name of the "by name" rows: the proxy
// resolves it (from /etc/hosts) to the targets' 127.0.0.1.
const targetName = "localhost"

// hsKind is what one handshake run does per connection.
type hsKind struct {
	workers int
	byName  bool // CONNECT to targetName:port instead of 127.0.0.1:port
	// echo: CONNECT to an echo target, one byte there and back, then a
	// clean close (half-close, wait for the proxy's EOF, close) instead of
	// a target that closes at once and a reset: a whole short connection,
	// the unit of the CPU per connection figure.
	echo bool
}

// hs is what one handshake run measured.
type hs struct {
	rate     float64 // completed handshakes per second in the window
	p50, p99 time.Duration
	errs     int
	firstErr error
	// conns is every connection completed, warm-up included, and cpu the
	// server's CPU time over the whole run (hasCPU: it was read).
	conns  int
	cpu    time.Duration
	hasCPU bool
}

// measureHandshakes runs workers that each, until d is over, connect to
// the proxy, greet (and authenticate), CONNECT to a target, read the reply
// and close. Latency is from dial to reply (with echo, to the echoed
// byte); for direct it is the TCP connect alone. Handshakes begun in the
// warm-up (d/10, at most 200 ms) are not counted in the rate.
//
// Ephemeral ports: without echo the client side resets its connections (no
// TIME_WAIT), the target closes first so the TIME_WAIT of the proxy's
// outbound leg sits on the target's side, and the targets listen on several
// ports. With echo the proxy closes the client leg first, so its TIME_WAIT
// is on the proxy's listening port.
func measureHandshakes(ctx context.Context, p *proxy, t *targets, k hsKind, d time.Duration) (hs, error) {
	dsts := t.closers
	if k.echo {
		dsts = t.echoes
	}
	start := time.Now()
	from := start.Add(min(d/10, 200*time.Millisecond))
	end := from.Add(d)
	lats := make([][]time.Duration, k.workers)
	conns := make([]int, k.workers)
	errs := make([]int, k.workers)
	firstErr := make([]error, k.workers)
	cpu0, cpuErr := p.cpu()
	var wg sync.WaitGroup
	for w := range k.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxHandshakes && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				lat, err := oneConn(ctx, p, dsts[(w+i)%len(dsts)], k)
				if err != nil {
					errs[w]++
					if firstErr[w] == nil {
						firstErr[w] = err
					}
					time.Sleep(time.Millisecond) // no busy loop on a dead server
					continue
				}
				conns[w]++
				if !t0.Before(from) {
					lats[w] = append(lats[w], lat)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return hs{}, err
	}
	var r hs
	if cpu1, err := p.cpu(); err == nil && cpuErr == nil {
		r.cpu, r.hasCPU = cpu1-cpu0, true
	}
	all := slices.Concat(lats...)
	for w := range k.workers {
		r.errs += errs[w]
		r.conns += conns[w]
		if r.firstErr == nil {
			r.firstErr = firstErr[w]
		}
	}
	if len(all) == 0 {
		return r, fmt.Errorf("no handshake completed: %v", r.firstErr)
	}
	slices.Sort(all)
	r.rate = float64(len(all)) / time.Since(from).Seconds()
	r.p50, r.p99 = percentile(all, 50), percentile(all, 99)
	return r, nil
}

// oneConn is one connection of a handshake run; it returns its latency.
func oneConn(ctx context.Context, p *proxy, dst netip.AddrPort, k hsKind) (time.Duration, error) {
	t0 := time.Now()
	a := socks5.AddrFromAddrPort(dst)
	if k.byName {
		a = socks5.Addr{Name: targetName, Port: dst.Port()}
	}
	c, err := p.dialTCPAddr(ctx, dst, a)
	if err != nil {
		return 0, err
	}
	if !k.echo {
		lat := time.Since(t0)
		abort(c)
		return lat, nil
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	var b [1]byte
	if _, err := c.Write([]byte{'x'}); err != nil {
		return 0, fmt.Errorf("echo write: %w", err)
	}
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return 0, fmt.Errorf("echo read: %w", err)
	}
	lat := time.Since(t0)
	if err := c.CloseWrite(); err != nil {
		return 0, fmt.Errorf("half-close: %w", err)
	}
	if n, err := c.Read(b[:]); n != 0 || err != io.EOF {
		return 0, fmt.Errorf("after half-close: %d bytes, %v; want EOF", n, err)
	}
	return lat, nil
}

// hsRow is one handshake step and the metrics it fills.
type hsRow struct {
	kind           hsKind
	rate, p50, p99 metric // p50 and p99 may be noMetric
	cpu            metric // noMetric: not recorded
}

// runHandshakes measures the handshake group: CONNECT rates with 8, 32
// and 128 workers, by address and by name, and whole short connections
// for the server's CPU time per connection.
func (b *bench) runHandshakes(ctx context.Context) error {
	rows := []hsRow{
		{hsKind{workers: 8}, mHS8, mHS8p50, mHS8p99, noMetric},
		{hsKind{workers: 32}, mHS32, mHS32p50, mHS32p99, noMetric},
		{hsKind{workers: 128}, mHS128, noMetric, mHS128p99, noMetric},
		{hsKind{workers: 32, byName: true}, mHSName32, noMetric, noMetric, noMetric},
		{hsKind{workers: 8, echo: true}, mConns8, noMetric, noMetric, mConnCPU},
	}
	var steps []step
	for _, row := range rows {
		k := row.kind
		name := fmt.Sprintf("CONNECT, %d workers", k.workers)
		switch {
		case k.byName:
			name += ", by name"
		case k.echo:
			name = fmt.Sprintf("conn+echo, %d workers", k.workers)
		}
		var ms []metric
		for _, m := range []metric{row.rate, row.p50, row.p99, row.cpu} {
			if m != noMetric {
				ms = append(ms, m)
			}
		}
		steps = append(steps, step{
			name:    name,
			metrics: ms,
			run: func(ctx context.Context, p *proxy) (string, error) {
				r, err := measureHandshakes(ctx, p, b.tg, k, b.cfg.duration)
				if err != nil {
					return "", err
				}
				if r.errs > 0 {
					b.notef("%s %s: %d failed, first: %v", p.col, name, r.errs, r.firstErr)
				}
				b.res.add(row.rate, p.col, r.rate)
				if row.p50 != noMetric {
					b.res.add(row.p50, p.col, micros(r.p50))
				}
				if row.p99 != noMetric {
					b.res.add(row.p99, p.col, micros(r.p99))
				}
				msg := fmt.Sprintf("%8.0f/s  p50 %v  p99 %v", r.rate, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
				if row.cpu != noMetric && r.hasCPU && r.conns > 0 {
					per := r.cpu / time.Duration(r.conns)
					b.res.add(row.cpu, p.col, micros(per))
					msg += fmt.Sprintf("  server CPU %v/conn", per.Round(time.Microsecond))
				}
				return msg, nil
			},
		})
	}
	cols := b.available(colDirect, colSockstray, colAuth, colRules, colMicrosocks, colMicroAuth, colBare)
	return b.interleave(ctx, "handshake", cols, false, steps)
}
