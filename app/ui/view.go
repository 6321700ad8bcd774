package ui

import (
	"time"

	"github.com/sockstray/sockstray/core/stats"
)

// view is what the window shows of the engine's figures, and so what the
// sampler takes each second: with the window hidden nothing at all, on a
// tab without figures no snapshot, on Throughput only the series and
// totals, and only the tabs with rows copy every connection.
type view int32

const (
	viewNone    view = iota // hidden
	viewNoStats             // Profiles, Log: the log ring only
	viewSummary             // Throughput
	viewConns               // Connections, LAN sharing
)

// currentView is what the window shows now; call it on the UI thread.
func (w *Window) currentView() view {
	if !w.shown {
		return viewNone
	}
	switch w.Tabs.Selected() {
	case w.tabs[TabConnections], w.tabs[TabLAN]:
		return viewConns
	case w.tabs[TabThroughput]:
		return viewSummary
	}
	return viewNoStats
}

// track tells the sampler what the window shows now; call it on the UI
// thread after showing, hiding or changing tabs. The screen now shown has
// not seen the latest snapshot: the next sample is a whole one.
func (w *Window) track() {
	w.view.Store(int32(w.currentView()))
	w.seen.Store(noneSeen)
}

// noneSeen is a change count no table reaches: the next sample copies.
const noneSeen = ^uint64(0)

// sample is what the sampler took for a view: a snapshot or, when the
// connections are as the last snapshot had them (same), only the time, so
// that an idle table of thousands of rows is neither copied nor sorted.
type sample struct {
	stats.Snapshot
	same bool
}

// take takes what v needs from the engine; false means nothing to show.
// It may run on any goroutine.
func (w *Window) take(v view) (sample, bool) {
	switch v {
	case viewNone:
		return sample{}, false
	case viewSummary:
		return sample{Snapshot: w.ctrl.Summary()}, true
	case viewConns:
		ch := w.ctrl.Changes()
		if ch == w.seen.Load() {
			return sample{Snapshot: stats.Snapshot{Time: time.Now()}, same: true}, true
		}
		s := w.ctrl.Snapshot()
		w.seen.Store(ch) // read before the copy: a change during it shows next time
		return sample{Snapshot: s}, true
	}
	return sample{}, true
}

// show shows s if the window still shows v, what s was taken for: a tab
// changed meanwhile waits for its own sample. Call it on the UI thread.
func (w *Window) show(v view, s sample) {
	if w.currentView() == v {
		w.apply(s)
	}
}
