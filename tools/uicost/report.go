//go:build linux

package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Targets of issue 11 §7, checked in the report.
const (
	maxHiddenCPU = 0.5 // % of a core, window hidden
	maxOpenCPU   = 2.0 // % of a core, window open on any tab
	maxRSSRatio  = 2.0 // app's RSS over serve's
	maxPerGBOver = 5.0 // % more CPU per GB than serve, window open
)

// report prints the table and whether each target is met.
func report(w io.Writer, cfg config, rows []row) {
	fmt.Fprintf(w, "\nUI cost with %d idle proxied connections (CPU over %v, after %v settling)\n\n", cfg.conns, cfg.window, cfg.settle)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "state\tCPU % of a core\tRSS MB\tCPU s/GB (less idle)\ttarget")
	var serve *row
	for i := range rows {
		r := &rows[i]
		if r.what == "serve" {
			serve = r
		}
		perGB := "-"
		if r.cpuPerGB > 0 {
			perGB = fmt.Sprintf("%.3f (%.3f)", r.cpuPerGB, r.perGBBusy)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.0f\t%s\t%s\n", r.what, r.cpu, r.rssMB, perGB, verdict(r, serve))
	}
	tw.Flush()
}

// verdict checks a row against its targets.
func verdict(r, serve *row) string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	if r == serve || serve == nil || r.what == "app, hidden, no connections" {
		return ""
	}
	maxCPU := maxOpenCPU
	if r.what == "app, window hidden (tray only)" {
		maxCPU = maxHiddenCPU
	}
	out := fmt.Sprintf("CPU <= %.1f%%: %s; RSS <= %.0fx serve: %s", maxCPU, ok(r.cpu <= maxCPU), maxRSSRatio, ok(r.rssMB <= maxRSSRatio*serve.rssMB))
	if r.cpuPerGB > 0 && serve.cpuPerGB > 0 {
		over := 100 * (r.cpuPerGB/serve.cpuPerGB - 1)
		busy := 100 * (r.perGBBusy/serve.perGBBusy - 1)
		out += fmt.Sprintf("; CPU/GB %+.1f%% vs serve (<= %.0f%%): %s, less idle %+.1f%%", over, maxPerGBOver, ok(over <= maxPerGBOver), busy)
	}
	return out
}

func ok(b bool) string {
	if b {
		return "ok"
	}
	return "MISSED"
}
