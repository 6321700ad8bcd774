package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/core/stats"
)

// Spans the throughput graph offers.
var spans = []struct {
	label string
	d     time.Duration
}{{"1 min", time.Minute}, {"5 min", 5 * time.Minute}, {"10 min", 10 * time.Minute}}

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
	for i, s := range spans {
		labels[i] = s.label
	}
	t.Span = widget.NewRadioGroup(labels, t.onSpan)
	t.Span.Horizontal = true
	t.Span.Required = true
	t.Span.SetSelected(spans[0].label)
	legend := container.NewHBox(legendItem("upload", colorUp), legendItem("download", colorDown))
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
	for _, s := range spans {
		if s.label == label {
			t.Graph.SetSpan(s.d)
		}
	}
}

// Update shows a new snapshot; call it on the UI thread.
func (t *Throughput) Update(s stats.Snapshot) {
	t.Graph.SetPoints(s.Series)
	var cur stats.Point
	if n := len(s.Series); n > 0 {
		cur = s.Series[n-1]
	}
	var pk stats.Point
	for _, p := range t.Graph.visible() {
		pk.Up, pk.Down = max(pk.Up, p.Up), max(pk.Down, p.Down)
	}
	t.Current.SetText(fmt.Sprintf("Now: ↑ %s  ↓ %s", Rate(cur.Up), Rate(cur.Down)))
	t.Peak.SetText(fmt.Sprintf("Peak: ↑ %s  ↓ %s", Rate(pk.Up), Rate(pk.Down)))
	t.Totals.SetText(fmt.Sprintf("Since start: ↑ %s  ↓ %s  (%d connections)",
		Bytes(s.Totals.Up), Bytes(s.Totals.Down), s.Totals.Conns))
}
