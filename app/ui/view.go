package ui

import "github.com/sockstray/sockstray/core/stats"

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
// thread after showing, hiding or changing tabs.
func (w *Window) track() { w.view.Store(int32(w.currentView())) }

// take takes what v needs from the engine; false means nothing to show.
// It may run on any goroutine.
func (w *Window) take(v view) (stats.Snapshot, bool) {
	switch v {
	case viewNone:
		return stats.Snapshot{}, false
	case viewSummary:
		return w.ctrl.Summary(), true
	case viewConns:
		return w.ctrl.Snapshot(), true
	}
	return stats.Snapshot{}, true
}

// show shows s if the window still shows v, what s was taken for: a tab
// changed meanwhile waits for its own sample. Call it on the UI thread.
func (w *Window) show(v view, s stats.Snapshot) {
	if w.currentView() == v {
		w.apply(s)
	}
}
