// Command socksload measures SOCKS5 servers on loopback: bulk throughput,
// server CPU time per GB relayed, CONNECT handshakes per second with their
// latency, memory per idle proxied connection, and UDP ASSOCIATE datagrams
// per second.
//
// Each figure is measured side by side for a direct connection (the
// ceiling), `sockstray serve` (also with byte counting off and with
// username/password), microsocks (the leanest C server) and a bare relay of
// a few dozen lines built into this tool (plain CONNECT, io.Copy both ways:
// the limit for a Go relay). Runs are interleaved in rounds, the column
// order rotating each round, so that drift hits all alike; the table shows
// medians, ratios between the columns and the project's targets.
//
// Usage:
//
//	socksload [-sockstray PATH] [-microsocks PATH] [-duration 2s] [-rounds 3]
//	          [-conns 5000] [-only throughput,handshake,memory,udp] [-quick]
//
// All traffic stays on 127.0.0.1. The servers run as child processes, so
// that their CPU time and memory are their own; the targets (sink, source,
// echo, UDP echo) run in this process. `socksload bare-relay -listen ADDR`
// is the bare relay itself, which socksload starts as a child.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// maxRun bounds a whole run, whatever the flags say.
const maxRun = 30 * time.Minute

// config is the command line.
type config struct {
	duration   time.Duration // measuring window of each throughput, handshake and UDP run
	rounds     int
	conns      int           // idle proxied connections for the memory figure
	settle     time.Duration // wait after opening them, before reading memory
	groups     []string      // metric groups to run, in order
	sockstray  string
	microsocks string
}

var allGroups = []string{"throughput", "handshake", "memory", "udp"}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare-relay" {
		os.Exit(bareRelayMain(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "socksload:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, maxRun)
	defer cancel()

	b, err := newBench(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "socksload:", err)
		return 1
	}
	defer b.close()
	runs := map[string]func(context.Context) error{
		"throughput": b.runThroughput,
		"handshake":  b.runHandshakes,
		"memory":     b.runMemory,
		"udp":        b.runUDP,
	}
	code := 0
	for _, g := range cfg.groups {
		if err := runs[g](ctx); err != nil {
			b.notef("%s stopped: %v; the figures are partial", g, err)
			code = 1
			break
		}
	}
	b.report(stdout)
	return code
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("socksload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.duration, "duration", 2*time.Second, "measuring window of each throughput, handshake and UDP run")
	fs.IntVar(&cfg.rounds, "rounds", 3, "interleaved rounds; the table shows medians")
	fs.IntVar(&cfg.conns, "conns", 5000, "idle proxied connections for the memory figure")
	fs.DurationVar(&cfg.settle, "settle", 2*time.Second, "wait after opening the idle connections before reading memory")
	only := fs.String("only", "", "comma list of metric groups to run: "+strings.Join(allGroups, ", ")+" (default all; throughput includes CPU per GB)")
	fs.StringVar(&cfg.sockstray, "sockstray", "", "sockstray binary (empty or missing: its columns are skipped)")
	fs.StringVar(&cfg.microsocks, "microsocks", "/usr/bin/microsocks", "microsocks binary (missing: its column is skipped)")
	quick := fs.Bool("quick", false, "smoke test: 300ms windows, 1 round, 200 connections, 300ms settle")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: socksload [flags]\n\nMeasures SOCKS5 servers on loopback against a direct connection.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, v := range map[string]string{"duration": "300ms", "rounds": "1", "conns": "200", "settle": "300ms"} {
			if !set[name] {
				fs.Set(name, v)
			}
		}
	}
	switch {
	case cfg.duration <= 0 || cfg.duration > time.Minute:
		return cfg, fmt.Errorf("-duration %v: want more than 0 and at most 1m", cfg.duration)
	case cfg.rounds < 1 || cfg.rounds > 20:
		return cfg, fmt.Errorf("-rounds %d: want 1 to 20", cfg.rounds)
	case cfg.conns < 1 || cfg.conns > 100000:
		return cfg, fmt.Errorf("-conns %d: want 1 to 100000", cfg.conns)
	case cfg.settle < 0 || cfg.settle > time.Minute:
		return cfg, fmt.Errorf("-settle %v: want 0 to 1m", cfg.settle)
	}
	cfg.groups = allGroups
	if *only != "" {
		cfg.groups = nil
		for _, g := range strings.Split(*only, ",") {
			g = strings.TrimSpace(g)
			if g == "cpu" {
				g = "throughput"
			}
			found := false
			for _, a := range allGroups {
				found = found || a == g
			}
			if !found {
				return cfg, fmt.Errorf("-only: unknown group %q (want %s)", g, strings.Join(allGroups, ", "))
			}
			if !slices.Contains(cfg.groups, g) {
				cfg.groups = append(cfg.groups, g)
			}
		}
	}
	return cfg, nil
}
