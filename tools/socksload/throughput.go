package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// flow is the shape of a throughput run.
type flow int

const (
	flowUp   flow = iota // 1 connection, client to target
	flowDown             // 1 connection, target to client
	flowBoth             // 8 connections, each carrying a stream each way
)

var flowNames = [...]string{flowUp: "upload 1 stream", flowDown: "download 1 stream", flowBoth: "8 streams each way"}

// tput is what one throughput run measured over its window.
type tput struct {
	bytes  int64         // payload bytes received at the far ends
	window time.Duration // the measuring window
	cpu    time.Duration // server CPU time in the window
	hasCPU bool
}

// mbps is the rate in MB/s (10⁶ bytes).
func (t tput) mbps() float64 { return float64(t.bytes) / t.window.Seconds() / 1e6 }

// measureThroughput opens the flow's connections, lets them run for a
// warm-up, then counts the bytes that arrive at the receiving ends (the
// sink for uploads, the client for downloads) during d. Only one run is
// under way at a time, so the sink's shared counter is this run's.
func measureThroughput(ctx context.Context, p *proxy, t *targets, f flow, d time.Duration) (tput, error) {
	dst, n := t.sink, 1
	switch f {
	case flowDown:
		dst = t.source
	case flowBoth:
		dst, n = t.duplex, 8
	}
	var conns []*net.TCPConn
	var wg sync.WaitGroup
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		wg.Wait()
	}()
	for range n {
		c, err := p.dialTCP(ctx, dst)
		if err != nil {
			return tput{}, err
		}
		conns = append(conns, c)
	}
	var got atomic.Int64
	limit := time.Now().Add(d + time.Minute) // in case nothing else ends them
	for _, c := range conns {
		c.SetDeadline(limit)
		if f != flowDown {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if _, err := c.Write(payload); err != nil {
						return
					}
				}
			}()
		}
		if f != flowUp {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, bulkSize)
				for {
					n, err := c.Read(buf)
					got.Add(int64(n))
					if err != nil {
						return
					}
				}
			}()
		}
	}
	// The warm-up also lets bytes of the previous run still in flight land
	// before the window opens.
	if err := sleepCtx(ctx, min(max(d/10, 50*time.Millisecond), 300*time.Millisecond)); err != nil {
		return tput{}, err
	}
	type mark struct {
		at    time.Time
		bytes int64
		cpu   time.Duration
	}
	var cpuErr error
	snap := func() mark {
		m := mark{bytes: t.sunk.Load() + got.Load()}
		if p.srv != nil && cpuErr == nil {
			m.cpu, cpuErr = procCPU(p.srv.pid())
		}
		m.at = time.Now()
		return m
	}
	m0 := snap()
	if err := sleepCtx(ctx, d); err != nil {
		return tput{}, err
	}
	m1 := snap()
	if m1.bytes == m0.bytes {
		return tput{}, fmt.Errorf("no bytes arrived in %v", d)
	}
	return tput{bytes: m1.bytes - m0.bytes, window: m1.at.Sub(m0.at),
		cpu: m1.cpu - m0.cpu, hasCPU: p.srv != nil && cpuErr == nil}, nil
}

var flowMetric = [...]metric{flowUp: mUp1, flowDown: mDown1, flowBoth: mBoth8}

// throughputSteps are the three flows; every run also adds its window's
// server CPU time and bytes to the column's CPU per GB.
func (b *bench) throughputSteps() []step {
	var steps []step
	for _, f := range []flow{flowUp, flowDown, flowBoth} {
		steps = append(steps, step{
			name:    flowNames[f],
			metrics: []metric{flowMetric[f], mCPU},
			run: func(ctx context.Context, p *proxy) (string, error) {
				r, err := measureThroughput(ctx, p, b.tg, f, b.cfg.duration)
				if err != nil {
					return "", err
				}
				b.res.add(flowMetric[f], p.col, r.mbps())
				msg := fmt.Sprintf("%8.0f MB/s", r.mbps())
				if r.hasCPU {
					b.cpu[p.col] += r.cpu
					b.cpuBytes[p.col] += r.bytes
					msg += fmt.Sprintf("  server CPU %v", r.cpu)
				}
				return msg, nil
			},
		})
	}
	return steps
}

// runThroughput measures the throughput group and the CPU per GB derived
// from it: all server CPU time over all windows ÷ all bytes in them.
func (b *bench) runThroughput(ctx context.Context) error {
	cols := b.available(colDirect, colSockstray, colNoCount, colMicrosocks, colBare)
	if err := b.interleave(ctx, "throughput", cols, false, b.throughputSteps()); err != nil {
		return err
	}
	for _, c := range cols {
		if b.cpuBytes[c] > 0 {
			b.res.add(mCPU, c, float64(b.cpu[c])/float64(time.Millisecond)/(float64(b.cpuBytes[c])/1e9))
		}
	}
	return nil
}
