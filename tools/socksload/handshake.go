package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// maxHandshakes bounds each worker's loop, whatever the clock says.
const maxHandshakes = 1 << 22

// hs is what one handshake run measured.
type hs struct {
	rate     float64 // completed handshakes per second in the window
	p50, p99 time.Duration
	errs     int
	firstErr error
}

// measureHandshakes runs workers that each, until d is over, connect to
// the proxy, greet (and authenticate), CONNECT to a target that accepts
// and closes at once, read the reply and close with a reset. Latency is
// from dial to reply; for direct it is the TCP connect alone. Handshakes
// begun in the warm-up (d/10, at most 200 ms) are not counted.
//
// Ephemeral ports: the client side resets its connections (no TIME_WAIT),
// the target closes first so the TIME_WAIT of the proxy's outbound leg sits
// on the target's side, and the targets listen on several ports.
func measureHandshakes(ctx context.Context, p *proxy, t *targets, workers int, d time.Duration) (hs, error) {
	start := time.Now()
	from := start.Add(min(d/10, 200*time.Millisecond))
	end := from.Add(d)
	lats := make([][]time.Duration, workers)
	errs := make([]int, workers)
	firstErr := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxHandshakes && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				c, err := p.dialTCP(ctx, t.closers[(w+i)%len(t.closers)])
				if err != nil {
					errs[w]++
					if firstErr[w] == nil {
						firstErr[w] = err
					}
					time.Sleep(time.Millisecond) // no busy loop on a dead server
					continue
				}
				lat := time.Since(t0)
				abort(c)
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
	all := slices.Concat(lats...)
	var r hs
	for w := range workers {
		r.errs += errs[w]
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

// runHandshakes measures the handshake group with 8 and 32 workers.
func (b *bench) runHandshakes(ctx context.Context) error {
	var steps []step
	for _, n := range []struct {
		workers        int
		rate, p50, p99 metric
	}{{8, mHS8, mHS8p50, mHS8p99}, {32, mHS32, mHS32p50, mHS32p99}} {
		steps = append(steps, step{
			name:    fmt.Sprintf("CONNECT, %d workers", n.workers),
			metrics: []metric{n.rate, n.p50, n.p99},
			run: func(ctx context.Context, p *proxy) (string, error) {
				r, err := measureHandshakes(ctx, p, b.tg, n.workers, b.cfg.duration)
				if err != nil {
					return "", err
				}
				if r.errs > 0 {
					b.notef("%s CONNECT with %d workers: %d failed handshakes, first: %v", p.col, n.workers, r.errs, r.firstErr)
				}
				b.res.add(n.rate, p.col, r.rate)
				b.res.add(n.p50, p.col, micros(r.p50))
				b.res.add(n.p99, p.col, micros(r.p99))
				return fmt.Sprintf("%8.0f/s  p50 %v  p99 %v", r.rate, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond)), nil
			},
		})
	}
	cols := b.available(colDirect, colSockstray, colAuth, colRules, colMicrosocks, colBare)
	return b.interleave(ctx, "handshake", cols, false, steps)
}
