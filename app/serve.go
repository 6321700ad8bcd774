package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
)

// serve runs the engine headless until SIGINT or SIGTERM. Exit codes: 0
// after a clean stop, 2 for a config that cannot be served (bad flag, port
// in use, an open listener on the LAN), 1 for anything else.
func serve(args []string, stdout, stderr io.Writer) int {
	cfg, prof, err := serveConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "sockstray serve: %v\n", err)
		return 2
	}
	if prof != nil {
		defer prof.close()
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	// Only for measuring what live counting costs (make bench).
	cfg.NoCount = os.Getenv("SOCKSTRAY_NO_COUNT") == "1"

	// Signals are caught before "listening on" is printed: a supervisor
	// may stop us as soon as it reads that line.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	eng := engine.New()
	// Recording starts before the port opens: no connection is missed.
	stopUsage := serveUsage(eng, cfg.Logger)
	if err := eng.Start(cfg); err != nil {
		stopUsage()
		fmt.Fprintf(stderr, "sockstray serve: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "listening on %s\n", eng.Addr())
	cfg.Logger.Info("serving", "listen", eng.Addr().String(), "route", routeName(cfg),
		"auth", cfg.Username != "", "allow", fmt.Sprint(cfg.Allow), "open_files", openFiles)
	if prof != nil {
		prof.follow(eng, cfg)
	}

	<-ctx.Done()
	stop()
	if prof != nil {
		prof.close() // no reload while stopping
	}
	start := time.Now()
	open := eng.Snapshot().Totals.Live
	eng.Stop()
	stopUsage() // after the engine: the connections it closed count too
	cfg.Logger.Info("stopped", "closed_connections", open, "took", time.Since(start).Round(time.Millisecond))
	return 0
}

func routeName(cfg *server.Config) string {
	if cfg.Route == nil {
		return "direct"
	}
	return cfg.Route.String()
}
