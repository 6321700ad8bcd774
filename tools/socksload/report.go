package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
)

// report prints the tables, the target checks and the notes.
func (b *bench) report(w io.Writer) {
	cols := b.available(colDirect, colSockstray, colNoCount, colAuth, colRules, colMicrosocks, colMicroAuth, colBare)
	var rows []metric
	for m := range numMetrics {
		for _, c := range cols {
			if _, ok := b.res.value(m, c); ok || b.res.failed[m][c] {
				rows = append(rows, m)
				break
			}
		}
	}
	fmt.Fprintf(w, "socksload: SOCKS5 servers on loopback; %d CPUs, %s/%s, %s; %d round(s) of %v, medians; %d idle connections\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), b.cfg.rounds, b.cfg.duration, b.cfg.conns)
	if end, err := loadAvg(); err == nil {
		fmt.Fprintf(w, "load average before: %s, after: %s\n", b.loadStart, end)
	}
	fmt.Fprintln(w)
	b.table(w, "Figures, with each one's ratio to direct", rows, cols, colDirect, true)
	if b.cfg.rounds > 1 {
		b.spreadTable(w, rows, cols)
	}
	for _, ref := range []column{colSockstray, colMicrosocks, colBare} {
		if b.launch[ref] != nil {
			b.table(w, "Ratio to "+ref.String(), rows, cols, ref, false)
		}
	}
	fmt.Fprint(w, legend)
	b.checks(w)
	if len(b.notes) > 0 {
		fmt.Fprintln(w, "Notes:")
		seen := map[string]bool{}
		for _, n := range b.notes {
			if !seen[n] {
				seen[n] = true
				fmt.Fprintln(w, "  - "+n)
			}
		}
	}
}

// table prints one row per metric and one column per server. With figures
// set, cells are the figures followed by their ratio to ref; otherwise
// cells are only the ratio to ref.
func (b *bench) table(w io.Writer, title string, rows []metric, cols []column, ref column, figures bool) {
	fmt.Fprintln(w, title+":")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range cols {
		fmt.Fprint(tw, "\t", c)
	}
	fmt.Fprintln(tw)
	for _, m := range rows {
		if !figures && (!metrics[m].ratios || !applies(m, ref)) {
			continue
		}
		fmt.Fprint(tw, metrics[m].name)
		refv, refok := b.res.value(m, ref)
		for _, c := range cols {
			fmt.Fprint(tw, "\t", b.cell(m, c, ref, refv, refok && refv != 0, figures))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// spreadTable shows how much the rounds disagreed, per figure.
func (b *bench) spreadTable(w io.Writer, rows []metric, cols []column) {
	fmt.Fprintln(w, "Spread over the rounds, ±(max−min)/2 of the median:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range cols {
		fmt.Fprint(tw, "\t", c)
	}
	fmt.Fprintln(tw)
	for _, m := range rows {
		if !metrics[m].ratios || m == mCPU {
			continue // CPU per GB is one sum over all rounds
		}
		fmt.Fprint(tw, metrics[m].name)
		for _, c := range cols {
			cell := "-"
			if !applies(m, c) {
				cell = "n/a"
			} else if sp, ok := b.res.spread(m, c); ok {
				cell = fmt.Sprintf("±%.0f%%", 100*sp)
			}
			fmt.Fprint(tw, "\t", cell)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func (b *bench) cell(m metric, c, ref column, refv float64, refok, figures bool) string {
	v, ok := b.res.value(m, c)
	switch {
	case !applies(m, c):
		return "n/a"
	case b.res.failed[m][c] && !ok:
		return "FAIL"
	case !ok:
		return "-"
	}
	ratio := ""
	if refok && c != ref && metrics[m].ratios {
		ratio = fmt.Sprintf("%.2f×", v/refv)
	}
	if !figures {
		if c == ref {
			return "1"
		}
		if ratio == "" {
			return "-"
		}
		return ratio
	}
	s := strconv.FormatFloat(v, 'f', metrics[m].prec, 64)
	if ratio != "" {
		s += " (" + ratio + ")"
	}
	if b.res.failed[m][c] {
		s += " (some failed)"
	}
	return s
}

// checks prints the project's targets for sockstray with PASS or MISS.
func (b *bench) checks(w io.Writer) {
	fmt.Fprintln(w, "Targets for sockstray:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	ratio := func(m metric, a, ref column, lo, hi float64) (string, string) {
		va, oka := b.res.value(m, a)
		vr, okr := b.res.value(m, ref)
		if !oka || !okr || vr == 0 {
			return "n/a", "not measured"
		}
		r := va / vr
		return verdict(r >= lo && r <= hi), fmt.Sprintf("%s %.2f× %s", a, r, ref)
	}
	row := func(what, v, got string) { fmt.Fprintf(tw, "  %s\t%s\t%s\n", v, what, got) }
	inf := 1e300
	for _, f := range []struct {
		m    metric
		name string
	}{{mUp1, "upload, 1 stream"}, {mDown1, "download, 1 stream"}} {
		v, got := ratio(f.m, colSockstray, colDirect, 0.6, inf)
		row(f.name+" ≥ 0.60× direct", v, got)
	}
	v, got := ratio(mBoth8, colSockstray, colBare, 1, inf)
	row("8 streams each way ≥ bare relay", v, got)
	v, got = ratio(mCPU, colSockstray, colBare, 0, 1.05)
	row("server CPU per GB ≤ 1.05× bare relay", v, got)
	v, got = ratio(mConnCPU, colSockstray, colMicrosocks, 0, 1)
	row("server CPU per connection ≤ microsocks", v, got)
	v, got = ratio(mConnCPU, colAuth, colMicroAuth, 0, 1)
	row("  with username/password ≤ microsocks with", v, got)
	for _, m := range []metric{mHS8, mHS32, mHS128, mHSName32} {
		v, got = ratio(m, colSockstray, colMicrosocks, 1, inf)
		row(metrics[m].name+" ≥ microsocks", v, got)
	}
	for _, m := range []metric{mHS8, mHS32, mHS128} {
		v, got = ratio(m, colAuth, colSockstray, 0.9, inf)
		row(metrics[m].name+" with auth ≥ 0.90× without", v, got)
	}
	for _, m := range []metric{mHS8, mHS32} {
		v, got = ratio(m, colRules, colSockstray, 0.95, inf)
		row(metrics[m].name+" with 20k rules ≥ 0.95× without", v, got)
	}
	v, got = b.memCheck()
	row(fmt.Sprintf("memory ≤ 13 KiB per idle conn at %d, all echoing", b.cfg.conns), v, got)
	if r, ok := b.res.value(mHSIdle, colSockstray); ok {
		row(fmt.Sprintf("CONNECTs/s with %d idle open ≥ 0.90× without", b.cfg.conns), verdict(r >= 0.9), fmt.Sprintf("%.2f×", r))
	} else {
		row(fmt.Sprintf("CONNECTs/s with %d idle open ≥ 0.90× without", b.cfg.conns), "n/a", "not measured")
	}
	v, got = ratio(mUDP, colSockstray, colDirect, 0.6, inf)
	if lost, ok := b.res.value(mUDPLost, colSockstray); ok && lost > 0 {
		v, got = "MISS", got+fmt.Sprintf(", %.0f lost", lost)
	}
	row("UDP datagrams/s ≥ 0.60× direct, none lost", v, got)
	for _, m := range []metric{mUp1, mDown1, mBoth8} {
		name, _, _ := strings.Cut(metrics[m].name, " (")
		v, got = ratio(m, colSockstray, colNoCount, 0.97, inf)
		row("counting costs ≤ 3%: "+name, v, got)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func (b *bench) memCheck() (string, string) {
	kib, ok1 := b.res.value(mMem, colSockstray)
	echoed, ok2 := b.res.value(mMemOK, colSockstray)
	if !ok1 || !ok2 {
		return "n/a", "not measured"
	}
	return verdict(kib <= 13 && int(echoed) >= b.cfg.conns),
		fmt.Sprintf("%.1f KiB, %.0f of %d echoing", kib, echoed, b.cfg.conns)
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

const legend = `Rates: higher is better. CPU, latency and memory: lower is better.
MB/s: 10^6 bytes a second arriving at the far ends in the window, after a warm-up;
  8 streams each way: 8 connections, each carrying a stream in both directions, both counted.
CPU per GB: server user+system time over all throughput windows ÷ bytes relayed in them.
CONNECTs/s: connect, greet, (authenticate,) CONNECT to a target that closes at once, reply,
  close with a reset; latency from dial to reply. Direct: the TCP connect alone. By name:
  the request names localhost, which the server resolves.
conn+echo+close: a whole short connection: the handshake, one byte to an echo target and
  back, half-close, the server's EOF, close. Server CPU per connection: the server's
  user+system time (/proc/PID/stat) over that whole run ÷ the connections it completed.
Memory: growth of the fresh server's PSS (else RSS) with the idle connections open, ÷ their
  number; then CONNECTs/s (32 workers) with them open, one byte echoed through each, and
  CONNECTs/s again once they are closed.
UDP: datagrams of 128 bytes through UDP ASSOCIATE to an echo target, 32 in flight; a datagram
  not back within 500 ms is lost.

`
