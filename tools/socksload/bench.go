package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// benchUser is the account of the "sockstray auth" column.
var benchUser = socks5.UserPass{Username: "bench", Password: "bench-password"}

// bench is one run of socksload: its targets, the servers it can start,
// the results and the notes for the report.
type bench struct {
	cfg    config
	log    io.Writer // progress lines
	tg     *targets
	launch [numColumns]func(context.Context) (*server, error) // nil: not available
	res    results
	notes  []string

	loadStart string   // load averages when the run began
	tmpDirs   []string // removed by close

	// Server CPU time and bytes over all throughput windows, per column.
	cpu      [numColumns]time.Duration
	cpuBytes [numColumns]int64
}

// newBench checks what can run and starts the targets.
func newBench(cfg config, log io.Writer) (*bench, error) {
	b := &bench{cfg: cfg, log: log}
	if l, err := loadAvg(); err == nil {
		b.loadStart = l
		var one float64
		if _, err := fmt.Sscan(l, &one); err == nil && one > 0.5*float64(runtime.NumCPU()) {
			b.notef("load average %s on %d CPUs before the run: other processes are busy and the figures will be noisy", l, runtime.NumCPU())
		}
	}
	b.checkNoFile()
	if err := b.findServers(); err != nil {
		return nil, err
	}
	tg, err := startTargets()
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	b.tg = tg
	return b, nil
}

func (b *bench) close() {
	b.tg.Close()
	for _, d := range b.tmpDirs {
		os.RemoveAll(d)
	}
}

func (b *bench) notef(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
	fmt.Fprintf(b.log, "note: "+format+"\n", args...)
}

// checkNoFile raises the open-file limit and says what it cannot cover.
// Per idle proxied connection this process holds 2 descriptors (client and
// target side) and a server 2 sockets, plus, for a Go relay whose idle
// io.Copy waits inside splice(2), a pipe (2 descriptors) per direction.
func (b *bench) checkNoFile() {
	conns := uint64(b.cfg.conns)
	got, err := raiseNoFile(6*conns + 256)
	if err != nil {
		b.notef("cannot raise the open-file limit (%v); idle connections may fail", err)
		return
	}
	if own := 2*conns + 256; got < own {
		b.cfg.conns = int((got - 256) / 2)
		b.notef("open-file limit %d allows only %d idle connections here, not %d; raise the hard limit (ulimit -Hn)", got, b.cfg.conns, conns)
		conns = uint64(b.cfg.conns)
	}
	if need := 6*conns + 64; got < need {
		b.notef("open-file limit %d: a Go relay that splices holds 6 descriptors per idle connection and needs %d for %d; it may fail before all are open", got, need, conns)
	}
}

// findServers sets up a launcher for every column that can run.
func (b *bench) findServers() error {
	if path := b.cfg.sockstray; path == "" {
		b.notef("no -sockstray binary given: sockstray columns skipped")
	} else if _, err := os.Stat(path); err != nil {
		b.notef("sockstray binary %v: sockstray columns skipped", err)
	} else {
		listen := []string{"serve", "--listen", "127.0.0.1:0"}
		b.launch[colSockstray] = specLauncher(serverSpec{name: "sockstray", path: path, args: listen})
		b.launch[colNoCount] = specLauncher(serverSpec{name: "sockstray no-count", path: path, args: listen,
			env: []string{"SOCKSTRAY_NO_COUNT=1"}})
		b.launch[colAuth] = specLauncher(serverSpec{name: "sockstray auth", path: path,
			args: append(listen, "--user", benchUser.Username),
			env:  []string{"SOCKSTRAY_PASSWORD=" + benchUser.Password}})
		if home, err := b.rulesProfile(); err != nil {
			b.notef("the 20k-rules profile: %v; its column skipped", err)
		} else {
			b.launch[colRules] = specLauncher(serverSpec{name: "sockstray 20k rules", path: path,
				args: []string{"serve", "--profile", "rules", "--listen", "127.0.0.1:0"},
				env:  []string{"XDG_CONFIG_HOME=" + home}})
		}
	}
	if path := b.cfg.microsocks; path == "" {
		b.notef("no -microsocks binary given: microsocks column skipped")
	} else if _, err := os.Stat(path); err != nil {
		b.notef("microsocks %v (Debian package microsocks): column skipped", err)
	} else {
		micro := func(name string, auth ...string) func(context.Context) (*server, error) {
			return func(ctx context.Context) (*server, error) {
				addr, err := freePort()
				if err != nil {
					return nil, err
				}
				return startServer(ctx, serverSpec{name: name, path: path, addr: addr,
					args: append([]string{"-i", addr.Addr().String(), "-p", fmt.Sprint(addr.Port())}, auth...)})
			}
		}
		b.launch[colMicrosocks] = micro("microsocks")
		b.launch[colMicroAuth] = micro("microsocks auth", "-u", benchUser.Username, "-P", benchUser.Password)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program for the bare relay: %w", err)
	}
	b.launch[colBare] = specLauncher(serverSpec{name: "bare relay", path: self,
		args: []string{"bare-relay", "-listen", "127.0.0.1:0"}})
	return nil
}

func specLauncher(spec serverSpec) func(context.Context) (*server, error) {
	return func(ctx context.Context) (*server, error) { return startServer(ctx, spec) }
}

// available is cols without the columns that cannot run here.
func (b *bench) available(cols ...column) []column {
	var out []column
	for _, c := range cols {
		if c == colDirect || b.launch[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// step is one measurement of one column. It records its own results and
// returns a short summary for the progress line.
type step struct {
	name    string
	metrics []metric // marked failed when the step fails
	run     func(ctx context.Context, p *proxy) (string, error)
}

// interleave runs every step for every column, round after round, rotating
// the column order each round so that drift (thermal, background load)
// hits all columns alike. With fresh set, every run gets a newly started
// server; otherwise each server is started once for the whole group.
func (b *bench) interleave(ctx context.Context, group string, cols []column, fresh bool, steps []step) error {
	var procs [numColumns]*proxy
	defer func() {
		for _, p := range procs {
			if p != nil && p.srv != nil {
				p.srv.stop()
			}
		}
	}()
	start := func(c column, what string, ms ...metric) *proxy {
		p := &proxy{col: c}
		if c == colAuth || c == colMicroAuth {
			p.auth = &benchUser
		}
		if c != colDirect {
			srv, err := b.launch[c](ctx)
			if err != nil {
				b.notef("%s %s: %v", c, what, err)
				b.res.fail(c, ms...)
				return nil
			}
			p.srv = srv
		}
		procs[c] = p
		return p
	}
	if !fresh {
		var all []metric
		for _, st := range steps {
			all = append(all, st.metrics...)
		}
		for _, c := range cols {
			start(c, group, all...)
		}
	}
	for r := range b.cfg.rounds {
		for _, st := range steps {
			for _, c := range rotate(cols, r) {
				if err := ctx.Err(); err != nil {
					return err
				}
				if !fresh {
					if p := procs[c]; p != nil {
						b.runStep(ctx, group, r, st, p)
					}
					continue
				}
				if p := start(c, st.name, st.metrics...); p != nil {
					b.runStep(ctx, group, r, st, p)
					if p.srv != nil {
						p.srv.stop()
					}
					procs[c] = nil
				}
			}
		}
	}
	return nil
}

// runStep runs one step for one column and logs a progress line.
func (b *bench) runStep(ctx context.Context, group string, r int, st step, p *proxy) {
	msg, err := st.run(ctx, p)
	if err != nil {
		if p.srv != nil && !p.srv.alive() {
			err = fmt.Errorf("%w (server exited%s)", err, p.srv.lastWords())
		}
		b.notef("%s %s: %v", p.col, st.name, err)
		b.res.fail(p.col, st.metrics...)
		msg = "failed"
	}
	fmt.Fprintf(b.log, "%-10s round %d/%d  %-18s %-26s %s\n", group, r+1, b.cfg.rounds, p.col, st.name, msg)
}

// rotate is cols started r places further along.
func rotate(cols []column, r int) []column {
	if len(cols) == 0 {
		return nil
	}
	r %= len(cols)
	return append(append([]column{}, cols[r:]...), cols[:r]...)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
