package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// memWorkers open and check the idle connections in parallel.
const memWorkers = 32

// mem is what one idle-connection run measured.
type mem struct {
	perConn float64 // KiB per open connection
	kind    string  // PSS or RSS
	opened  int
	echoed  int
	openErr error
	// loaded and unloaded are CONNECT rates (32 workers) with the idle
	// connections open and after they closed, when measured (d > 0).
	loaded, unloaded float64
}

// measureMemory reads the memory of a freshly started server, opens conns
// proxied connections to the echo targets, waits settle, reads the memory
// again and divides the growth by the connections open. Then it sends one
// byte through each connection and counts the echoes, to show they all
// still work. Opening stops at the first failure. With d > 0 it also
// measures the CONNECT rate for d with the idle connections open, before
// the echoes, and again once they are closed: what holding them costs new
// connections.
func measureMemory(ctx context.Context, p *proxy, t *targets, conns int, settle, d time.Duration) (mem, error) {
	if p.srv == nil {
		return mem{}, errors.New("memory needs a server process")
	}
	if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
		return mem{}, err
	}
	before, kind, err := procMemory(p.srv.pid())
	if err != nil {
		return mem{}, err
	}
	cs := make([]*net.TCPConn, conns)
	defer func() {
		for _, c := range cs {
			if c != nil {
				abort(c)
			}
		}
	}()
	var r mem
	var next atomic.Int64
	var stop atomic.Bool
	var once sync.Once
	parallel(func() {
		for !stop.Load() {
			i := int(next.Add(1) - 1)
			if i >= conns {
				return
			}
			c, err := p.dialTCP(ctx, t.echoes[i%len(t.echoes)])
			if err != nil {
				once.Do(func() { r.openErr = fmt.Errorf("connection %d: %w", i+1, err) })
				stop.Store(true)
				return
			}
			cs[i] = c
		}
	})
	for _, c := range cs {
		if c != nil {
			r.opened++
		}
	}
	if r.opened == 0 {
		return r, r.openErr
	}
	if err := sleepCtx(ctx, settle); err != nil {
		return r, err
	}
	after, _, err := procMemory(p.srv.pid())
	if err != nil {
		return r, err
	}
	r.kind = kind
	r.perConn = float64(after-before) / float64(r.opened) / 1024
	if d > 0 {
		h, err := measureHandshakes(ctx, p, t, hsKind{workers: 32}, d)
		if err != nil {
			return r, fmt.Errorf("CONNECTs with the idle connections open: %w", err)
		}
		r.loaded = h.rate
	}
	r.echoed = echoAll(cs)
	if d > 0 {
		for i, c := range cs {
			if c != nil {
				abort(c)
				cs[i] = nil
			}
		}
		if err := sleepCtx(ctx, settle); err != nil {
			return r, err
		}
		h, err := measureHandshakes(ctx, p, t, hsKind{workers: 32}, d)
		if err != nil {
			return r, fmt.Errorf("CONNECTs after the idle connections closed: %w", err)
		}
		r.unloaded = h.rate
	}
	return r, nil
}

// echoAll sends a byte through each open connection and counts the ones
// that bring it back within a few seconds.
func echoAll(cs []*net.TCPConn) int {
	var ok, next atomic.Int64
	parallel(func() {
		var b [1]byte
		for {
			i := int(next.Add(1) - 1)
			if i >= len(cs) {
				return
			}
			c := cs[i]
			if c == nil {
				continue
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte{'x'}); err != nil {
				continue
			}
			if _, err := c.Read(b[:]); err == nil && b[0] == 'x' {
				ok.Add(1)
			}
		}
	})
	return int(ok.Load())
}

// parallel runs f in memWorkers goroutines and waits for them.
func parallel(f func()) {
	var wg sync.WaitGroup
	for range memWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}

// runMemory measures the memory group, a fresh server for every run.
func (b *bench) runMemory(ctx context.Context) error {
	st := step{
		name:    fmt.Sprintf("%d idle connections", b.cfg.conns),
		metrics: []metric{mMem, mMemOK, mHSIdle},
		run: func(ctx context.Context, p *proxy) (string, error) {
			r, err := measureMemory(ctx, p, b.tg, b.cfg.conns, b.cfg.settle, b.cfg.duration)
			if err != nil {
				return "", err
			}
			if r.openErr != nil {
				b.notef("%s: opened %d of %d idle connections: %v", p.col, r.opened, b.cfg.conns, r.openErr)
			}
			b.res.add(mMem, p.col, r.perConn)
			b.res.add(mMemOK, p.col, float64(r.echoed))
			b.res.add(mHSIdle, p.col, r.loaded/r.unloaded)
			return fmt.Sprintf("%6.1f KiB/conn (%s)  %d opened, %d echoed; CONNECTs/s %0.f with them open, %0.f after",
				r.perConn, r.kind, r.opened, r.echoed, r.loaded, r.unloaded), nil
		},
	}
	cols := b.available(colSockstray, colMicrosocks, colBare)
	return b.interleave(ctx, "memory", cols, true, []step{st})
}
