package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the bare relay too, as socksload is:
// the measurements re-execute os.Executable with "bare-relay".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "bare-relay" {
		os.Exit(bareRelayMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// quickBench is a bench in quick mode with the bare relay as its only
// server, so that the test needs no binary but itself.
func quickBench(t *testing.T) (*bench, *proxy) {
	t.Helper()
	cfg := config{duration: 200 * time.Millisecond, rounds: 1, conns: 100, settle: 100 * time.Millisecond}
	b, err := newBench(cfg, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.close)
	b.launch[colSockstray], b.launch[colNoCount], b.launch[colAuth], b.launch[colMicrosocks], b.launch[colMicroAuth] = nil, nil, nil, nil, nil
	srv, err := b.launch[colBare](context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	return b, &proxy{col: colBare, srv: srv}
}

func TestMeasureBareRelay(t *testing.T) {
	b, p := quickBench(t)
	ctx := context.Background()
	d := b.cfg.duration
	for _, f := range []flow{flowUp, flowDown, flowBoth} {
		r, err := measureThroughput(ctx, p, b.tg, f, d)
		if err != nil {
			t.Fatalf("%s: %v", flowNames[f], err)
		}
		if r.mbps() <= 0 || !r.hasCPU || r.cpu < 0 {
			t.Errorf("%s: %+v, want bytes and CPU time", flowNames[f], r)
		}
	}
	h, err := measureHandshakes(ctx, p, b.tg, hsKind{workers: 8}, d)
	if err != nil {
		t.Fatal(err)
	}
	if h.rate <= 0 || h.p50 <= 0 || h.p99 < h.p50 {
		t.Errorf("handshakes: %+v", h)
	}
	e, err := measureHandshakes(ctx, p, b.tg, hsKind{workers: 8, echo: true}, d)
	if err != nil {
		t.Fatal(err)
	}
	if e.errs != 0 || e.conns <= 0 || !e.hasCPU || e.cpu < 0 {
		t.Errorf("connections with an echo: %+v, want no errors and server CPU time", e)
	}
	m, err := measureMemory(ctx, p, b.tg, b.cfg.conns, b.cfg.settle, d)
	if err != nil {
		t.Fatal(err)
	}
	if m.opened != b.cfg.conns || m.echoed != b.cfg.conns || m.perConn <= 0 || m.loaded <= 0 || m.unloaded <= 0 {
		t.Errorf("memory: %+v, want %d opened and echoing and a positive size", m, b.cfg.conns)
	}
	u, err := measureUDP(ctx, &proxy{col: colDirect}, b.tg, d)
	if err != nil {
		t.Fatal(err)
	}
	if u.rate <= 0 || u.lost != 0 {
		t.Errorf("direct UDP: %+v", u)
	}
}

// TestReport runs a whole quick group through the interleaving and checks
// that the table has the figures and the targets say n/a without sockstray.
func TestReport(t *testing.T) {
	b, _ := quickBench(t)
	if err := b.runHandshakes(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	b.report(&out)
	s := out.String()
	for _, want := range []string{"CONNECTs/s, 8 workers", "server CPU per connection", "bare relay", "×)", "n/a  upload"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-quick", "-only", "udp,cpu", "-rounds", "2"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.duration != 300*time.Millisecond || cfg.conns != 200 || cfg.rounds != 2 {
		t.Errorf("quick: %+v", cfg)
	}
	if strings.Join(cfg.groups, ",") != "udp,throughput" {
		t.Errorf("groups %v", cfg.groups)
	}
	if _, err := parseFlags([]string{"-only", "nope"}, &bytes.Buffer{}); err == nil {
		t.Error("unknown group accepted")
	}
}

func TestRotate(t *testing.T) {
	cols := []column{colDirect, colSockstray, colBare}
	got := rotate(cols, 4)
	if got[0] != colSockstray || got[2] != colDirect || len(got) != 3 {
		t.Errorf("rotate: %v", got)
	}
}

// TestMetricsComplete: every metric has a name and a way to combine rounds.
func TestMetricsComplete(t *testing.T) {
	for m := range numMetrics {
		if metrics[m].name == "" || metrics[m].agg == nil {
			t.Errorf("metric %d has no name or aggregate: %+v", m, metrics[m])
		}
	}
}
