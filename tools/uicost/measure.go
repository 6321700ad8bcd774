//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sockstray/sockstray/profiles"
)

// row is one measured state.
type row struct {
	what     string
	cpu      float64 // percent of one core over the window
	rssMB    float64
	cpuPerGB float64 // CPU seconds per GB relayed; 0 when not measured
	// perGBBusy is cpuPerGB less what the process spends in that time
	// anyway (its idle CPU, cpu): the cost of the bytes themselves.
	perGBBusy float64
	err       error
}

// States of the app's window, in the order measured: the command that
// makes each and its name in the table.
var windowStates = []struct{ cmd, name string }{
	{"show Connections", "app, window on Connections"},
	{"hide", "app, window hidden (tray only)"},
	{"show Throughput", "app, window on Throughput"},
}

// graphSpan is how far back the Throughput graph looks by default: the
// traffic of opening the connections and of the relay must have left it
// before that tab is measured with no traffic, or it redraws each second
// for the moving spike.
const graphSpan = time.Minute

// measureAll measures serve, then the app in each window state.
func measureAll(ctx context.Context, cfg config, log io.Writer) ([]row, error) {
	echo, err := newEcho()
	if err != nil {
		return nil, err
	}
	defer echo.close()
	sink, err := newSink()
	if err != nil {
		return nil, err
	}
	defer sink.close()

	var rows []row
	serveRows, err := measureServe(ctx, cfg, echo, sink, log)
	rows = append(rows, serveRows...)
	if err != nil {
		return rows, err
	}
	appRows, err := measureApp(ctx, cfg, echo, sink, log)
	return append(rows, appRows...), err
}

// measureServe runs `sockstray serve` with the idle connections.
func measureServe(ctx context.Context, cfg config, echo *echoServer, sink *sinkServer, log io.Writer) ([]row, error) {
	home, err := os.MkdirTemp("", "uicost-serve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(home)
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := start(ctx, cfg.bin, isolatedEnv(home), "serve", "-listen", addr)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	if err := waitDialable(ctx, addr, p); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "serve (pid %d): opening %d idle connections\n", p.pid(), cfg.conns)
	conns, err := openIdle(ctx, addr, echo.addr, cfg.conns)
	defer closeAll(conns)
	if err != nil {
		return nil, err
	}
	r := row{what: "serve"}
	if err := sleep(ctx, cfg.settle); err != nil {
		return nil, err
	}
	r.cpu, r.rssMB, r.err = usage(ctx, p.pid(), cfg.window)
	if cfg.gb > 0 && r.err == nil {
		r.relay(ctx, p.pid(), addr, sink.addr, cfg.gb)
	}
	fmt.Fprintf(log, "  %s: %.2f%% of a core, %.0f MB\n", r.what, r.cpu, r.rssMB)
	return []row{r}, r.err
}

// measureApp runs the desktop app with the idle connections and measures
// each window state.
func measureApp(ctx context.Context, cfg config, echo *echoServer, sink *sinkServer, log io.Writer) ([]row, error) {
	home, err := os.MkdirTemp("", "uicost-app-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(home)
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := writeAppConfig(home, port); err != nil {
		return nil, err
	}
	fifo := filepath.Join(home, "control")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return nil, fmt.Errorf("mkfifo: %w", err)
	}
	env := append(isolatedEnv(home), "SOCKSTRAY_UI_CONTROL="+fifo)
	p, err := start(ctx, cfg.bin, env)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := waitDialable(ctx, addr, p); err != nil {
		return nil, err
	}
	control, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	defer control.Close()
	fmt.Fprintf(log, "app (pid %d) started\n", p.pid())
	// The floor: the app hidden with no connections (Fyne's event loop).
	if _, err := fmt.Fprintln(control, "hide"); err != nil {
		return nil, fmt.Errorf("control FIFO: %w", err)
	}
	if err := sleep(ctx, cfg.settle); err != nil {
		return nil, err
	}
	floor := row{what: "app, hidden, no connections"}
	floor.cpu, floor.rssMB, floor.err = usage(ctx, p.pid(), cfg.window)
	fmt.Fprintf(log, "  %s: %.2f%% of a core, %.0f MB\n", floor.what, floor.cpu, floor.rssMB)
	rows := []row{floor}
	if floor.err != nil {
		return rows, floor.err
	}
	fmt.Fprintf(log, "app: opening %d idle connections\n", cfg.conns)
	conns, err := openIdle(ctx, addr, echo.addr, cfg.conns)
	defer closeAll(conns)
	if err != nil {
		return rows, err
	}
	quiet := time.Now().Add(graphSpan + 2*time.Second)
	for _, st := range windowStates {
		if st.cmd == "show Throughput" {
			if err := sleep(ctx, time.Until(quiet)); err != nil {
				return rows, err
			}
		}
		if _, err := fmt.Fprintln(control, st.cmd); err != nil {
			return rows, fmt.Errorf("control FIFO: %w", err)
		}
		if err := sleep(ctx, cfg.settle); err != nil {
			return rows, err
		}
		r := row{what: st.name}
		r.cpu, r.rssMB, r.err = usage(ctx, p.pid(), cfg.window)
		if cfg.gb > 0 && r.err == nil && st.cmd == "show Connections" {
			r.relay(ctx, p.pid(), addr, sink.addr, cfg.gb)
			quiet = time.Now().Add(graphSpan + 2*time.Second)
		}
		fmt.Fprintf(log, "  %s: %.2f%% of a core, %.0f MB\n", r.what, r.cpu, r.rssMB)
		rows = append(rows, r)
		if r.err != nil {
			return rows, r.err
		}
	}
	return rows, nil
}

// writeAppConfig makes home's config a built-in profile on port with the
// proxy on at start.
func writeAppConfig(home string, port int) error {
	cfg := filepath.Join(home, "config")
	p := profiles.Builtin()
	p.Port = port
	if err := (&profiles.Store{Dir: filepath.Join(cfg, "sockstray", "profiles")}).Create(p); err != nil {
		return err
	}
	return profiles.Settings{ProxyOnAtStart: true}.Save(filepath.Join(cfg, "sockstray", "settings.toml"))
}

// isolatedEnv is this environment with home's folders for config, state
// and runtime, so the measured process meets no real Sockstray.
func isolatedEnv(home string) []string {
	rt := filepath.Join(home, "runtime")
	os.MkdirAll(rt, 0o700)
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SOCKSTRAY_") || strings.HasSuffix(strings.ToLower(k), "_proxy") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+filepath.Join(home, "state"),
		"XDG_RUNTIME_DIR="+rt, "LANG=en_US.UTF-8")
}

// usage is pid's CPU over window, as a percentage of one core, and its
// resident memory at the end, in MB.
func usage(ctx context.Context, pid int, window time.Duration) (cpu, rssMB float64, err error) {
	t0, c0, err := cpuTime(pid)
	if err != nil {
		return 0, 0, err
	}
	if err := sleep(ctx, window); err != nil {
		return 0, 0, err
	}
	t1, c1, err := cpuTime(pid)
	if err != nil {
		return 0, 0, err
	}
	rss, err := rssBytes(pid)
	return 100 * (c1 - c0).Seconds() / t1.Sub(t0).Seconds(), float64(rss) / 1e6, err
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// relay measures the CPU per GB of relaying gb through the proxy at addr,
// after r.cpu (the idle CPU) is known.
func (r *row) relay(ctx context.Context, pid int, addr string, sink netip.AddrPort, gb float64) {
	var took time.Duration
	r.cpuPerGB, took, r.err = relayCost(ctx, pid, addr, sink, gb)
	r.perGBBusy = r.cpuPerGB - r.cpu/100*took.Seconds()/gb
}
