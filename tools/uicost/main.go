//go:build linux

// Command uicost measures what the desktop app's window costs while many
// idle connections go through the proxy: the CPU (share of one core, from
// /proc/PID/stat over a window) and the resident memory of `sockstray
// serve`, then of the desktop app with its window on the Connections tab,
// on the Throughput tab and hidden (tray only), each with the same idle
// connections to a loopback echo server. With -gb it also relays that many
// gigabytes through one connection, to serve and to the app with its
// window open on Connections, and gives each one's CPU seconds per GB.
//
// Usage (it needs an X display, and a session bus for the tray: make
// uicost runs it inside scripts/with-session.sh):
//
//	uicost -sockstray bin/sockstray [-conns 5000] [-window 20s] [-settle 5s] [-gb 1]
//	uicost -sockstray bin/sockstray -soak 30m [-conns 5000]
//
// The second form is the soak: the app on Connections for that long with
// rows that keep changing (a tenth of the connections echo a byte each
// second), its RSS and CPU each minute.
//
// The app's window is driven through $SOCKSTRAY_UI_CONTROL, a FIFO the app
// reads commands from ("show Connections", "hide"); nothing else uses it.
// All traffic stays on 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	bin    string
	conns  int
	window time.Duration // CPU is averaged over this
	settle time.Duration // wait after a change before measuring
	gb     float64       // gigabytes to relay for CPU per GB; 0 skips it
	soak   time.Duration // instead of the table, a soak this long
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("uicost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.bin, "sockstray", "bin/sockstray", "the sockstray binary")
	fs.IntVar(&cfg.conns, "conns", 5000, "idle proxied connections")
	fs.DurationVar(&cfg.window, "window", 20*time.Second, "CPU measuring window per state")
	fs.DurationVar(&cfg.settle, "settle", 5*time.Second, "wait after each change before measuring")
	fs.Float64Var(&cfg.gb, "gb", 0, "gigabytes to relay through one connection for CPU per GB (0: skip)")
	fs.DurationVar(&cfg.soak, "soak", 0, "instead: run the app on Connections with changing rows this long, RSS each minute")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if os.Getenv("DISPLAY") == "" {
		fmt.Fprintln(stderr, "uicost: no DISPLAY: run it inside scripts/with-session.sh (make uicost does)")
		return 2
	}
	raiseFileLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.soak > 0 {
		if err := soak(ctx, cfg, cfg.soak, stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "uicost: %v\n", err)
			return 1
		}
		return 0
	}
	rows, err := measureAll(ctx, cfg, stderr)
	report(stdout, cfg, rows)
	if err != nil {
		fmt.Fprintf(stderr, "uicost: %v\n", err)
		return 1
	}
	return 0
}

// raiseFileLimit lifts the open-files limit to its maximum, for this
// process and the servers it starts: each idle connection is two sockets
// on each side.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
