package ui

import (
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/core/stats"
)

// Spans the throughput graph offers.
var spans = []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute}

// spanLabel names a span of whole minutes.
func spanLabel(d time.Duration) string {
	return lang.L("{{.Minutes}} min", map[string]any{"Minutes": int(d / time.Minute)})
}

// Throughput is the screen with the live graph of upload and download
// rates, the current and peak rates and the totals since start.
type Throughput struct {
	Graph   *Graph
	Span    *widget.RadioGroup
	Current *widget.Label
	Peak    *widget.Label
	Totals  *widget.Label

	content fyne.CanvasObject
}

// NewThroughput builds the screen.
func NewThroughput() *Throughput {
	t := &Throughput{
		Graph:   NewGraph(time.Minute),
		Current: widget.NewLabel(""),
		Peak:    widget.NewLabel(""),
		Totals:  widget.NewLabel(""),
	}
	labels := make([]string, len(spans))
	for i, d := range spans {
		labels[i] = spanLabel(d)
	}
	t.Span = widget.NewRadioGroup(labels, t.onSpan)
	t.Span.Horizontal = true
	t.Span.Required = true
	t.Span.SetSelected(labels[0])
	legend := container.NewHBox(legendItem(lang.L("upload"), colorUp), legendItem(lang.L("download"), colorDown))
	top := container.NewBorder(nil, nil, t.Span, legend)
	figures := container.NewGridWithColumns(3, t.Current, t.Peak, t.Totals)
	t.content = container.NewBorder(top, figures, nil, nil, t.Graph)
	t.Update(stats.Snapshot{})
	return t
}

func legendItem(name string, c color.Color) fyne.CanvasObject {
	swatch := canvas.NewRectangle(c)
	swatch.SetMinSize(fyne.NewSize(14, 4))
	return container.NewHBox(container.NewCenter(swatch), widget.NewLabel(name))
}

// Content is the screen's root object.
func (t *Throughput) Content() fyne.CanvasObject { return t.content }

func (t *Throughput) onSpan(label string) {
	for _, d := range spans {
		if spanLabel(d) == label {
			t.Graph.SetSpan(d)
		}
	}
}

// Update shows a new snapshot; call it on the UI thread.
func (t *Throughput) Update(s stats.Snapshot) {
	t.showSeries(s.Series)
	var cur stats.Point
	if n := len(s.Series); n > 0 {
		cur = s.Series[n-1]
	}
	var pk stats.Point
	for _, p := range t.Graph.visible() {
		pk.Up, pk.Down = max(pk.Up, p.Up), max(pk.Down, p.Down)
	}
	setText(t.Current, lang.L("Now: ↑ {{.Up}}  ↓ {{.Down}}", map[string]any{"Up": Rate(cur.Up), "Down": Rate(cur.Down)}))
	setText(t.Peak, lang.L("Peak: ↑ {{.Up}}  ↓ {{.Down}}", map[string]any{"Up": Rate(pk.Up), "Down": Rate(pk.Down)}))
	setText(t.Totals, lang.L("Since start: ↑ {{.Up}}  ↓ {{.Down}}  (connections: {{.Count}})",
		map[string]any{"Up": Bytes(s.Totals.Up), "Down": Bytes(s.Totals.Down), "Count": s.Totals.Conns}))
}

// showSeries gives the graph a new series, redrawing it only when what it
// shows changes: its axis is relative to now, so a span of unchanged rates
// (no traffic at all, most of the time) is the same picture as a second
// before, and redrawing it would repaint the window for nothing.
func (t *Throughput) showSeries(ps []stats.Point) {
	before := t.Graph.visible()
	shown := t.Graph.points
	t.Graph.points = ps
	if len(shown) > 0 && sameRates(before, t.Graph.visible()) {
		return
	}
	t.Graph.SetPoints(ps)
}

// sameRates reports whether a and b draw the same: the same rates in the
// same order, or both one flat line at the same rate (no traffic), however
// many points fall in the span.
func sameRates(a, b []stats.Point) bool {
	if slices.EqualFunc(a, b, func(p, q stats.Point) bool { return p.Up == q.Up && p.Down == q.Down }) {
		return true
	}
	return len(a) > 0 && len(b) > 0 && flat(a) && flat(b) && a[0].Up == b[0].Up && a[0].Down == b[0].Down
}

// flat reports whether every point has the first one's rates.
func flat(ps []stats.Point) bool {
	for _, p := range ps {
		if p.Up != ps[0].Up || p.Down != ps[0].Down {
			return false
		}
	}
	return true
}
