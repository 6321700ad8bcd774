//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// soak runs the app with the window on Connections and cfg.conns
// long-lived connections whose rows keep changing (each second a tenth of
// them echo a byte) for d, and reports its RSS each minute: memory must
// stay flat.
func soak(ctx context.Context, cfg config, d time.Duration, w, log io.Writer) error {
	echo, err := newEcho()
	if err != nil {
		return err
	}
	defer echo.close()
	home, err := os.MkdirTemp("", "uicost-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	port, err := freePort()
	if err != nil {
		return err
	}
	if err := writeAppConfig(home, port); err != nil {
		return err
	}
	fifo := filepath.Join(home, "control")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return fmt.Errorf("mkfifo: %w", err)
	}
	p, err := start(ctx, cfg.bin, append(isolatedEnv(home), "SOCKSTRAY_UI_CONTROL="+fifo))
	if err != nil {
		return err
	}
	defer p.stop()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := waitDialable(ctx, addr, p); err != nil {
		return err
	}
	control, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer control.Close()
	fmt.Fprintln(control, "show Connections")
	fmt.Fprintf(log, "soak: app (pid %d), %d connections, %v\n", p.pid(), cfg.conns, d)
	conns, err := openIdle(ctx, addr, echo.addr, cfg.conns)
	defer closeAll(conns)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "\nsoak: RSS of the app on Connections with %d changing rows\n\nminute\tRSS MB\tCPU %% of a core\n", cfg.conns)
	var first float64
	t0, c0, _ := cpuTime(p.pid())
	end := time.Now().Add(d)
	nextReport := time.Now()
	for minute := 0; time.Now().Before(end); {
		if time.Now().After(nextReport) {
			rss, err := rssBytes(p.pid())
			if err != nil {
				return err
			}
			t1, c1, _ := cpuTime(p.pid())
			mb := float64(rss) / 1e6
			if minute == 0 {
				first = mb
			}
			cpu := 100 * (c1 - c0).Seconds() / max(t1.Sub(t0).Seconds(), 1e-9)
			fmt.Fprintf(w, "%d\t%.0f\t%.2f\t(%+.1f%% since the start)\n", minute, mb, cpu, 100*(mb/first-1))
			t0, c0 = t1, c1
			minute++
			nextReport = nextReport.Add(time.Minute)
		}
		if err := touch(conns); err != nil {
			return err
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
	return nil
}

// touch echoes one byte on a tenth of the connections, chosen at random,
// so that their rows change.
func touch(conns []net.Conn) error {
	for range len(conns) / 10 {
		if err := echoOnce(conns[rand.IntN(len(conns))]); err != nil {
			return err
		}
	}
	return nil
}
