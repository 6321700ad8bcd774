package ui

import (
	"image"
	"image/color"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/core/stats"
)

// Colours of the two series; both read on light and dark themes.
var (
	colorUp   = color.NRGBA{R: 0xe3, G: 0x74, B: 0x2f, A: 0xff}
	colorDown = color.NRGBA{R: 0x2f, G: 0x81, B: 0xf7, A: 0xff}
)

// Graph draws upload and download rates over the last Span, with a rate
// axis in human units and a time axis. Its points are set on the UI thread.
type Graph struct {
	widget.BaseWidget
	span   time.Duration
	points []stats.Point
	top    float64 // the rate axis' maximum, a round number
}

// NewGraph returns a graph showing the last span.
func NewGraph(span time.Duration) *Graph {
	g := &Graph{span: span, top: niceCeil(0)}
	g.ExtendBaseWidget(g)
	return g
}

// SetPoints replaces the series (oldest first); the graph keeps the slice.
func (g *Graph) SetPoints(ps []stats.Point) {
	g.points = ps
	g.top = niceCeil(peak(g.visible()))
	g.Refresh()
}

// SetSpan changes how far back the graph shows.
func (g *Graph) SetSpan(d time.Duration) {
	g.span = d
	g.SetPoints(g.points)
}

// Points returns the series the graph holds.
func (g *Graph) Points() []stats.Point { return g.points }

// Top is the value at the top of the rate axis.
func (g *Graph) Top() float64 { return g.top }

// visible is the tail of the series within span of the newest point.
func (g *Graph) visible() []stats.Point {
	if len(g.points) == 0 {
		return nil
	}
	end := g.points[len(g.points)-1].Time
	i := len(g.points)
	for i > 0 && end.Sub(g.points[i-1].Time) < g.span {
		i--
	}
	return g.points[i:]
}

func peak(ps []stats.Point) float64 {
	m := 0.0
	for _, p := range ps {
		m = max(m, p.Up, p.Down)
	}
	return m
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, at least 1 KB/s.
func niceCeil(v float64) float64 {
	if v < 1000 {
		return 1000
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*e {
			return m * e
		}
	}
	return 10 * e
}

// CreateRenderer is part of fyne.Widget.
func (g *Graph) CreateRenderer() fyne.WidgetRenderer {
	r := &graphRenderer{g: g}
	r.axes = newAxes(r.draw)
	r.refreshTexts()
	return r
}

type graphRenderer struct {
	g *Graph
	axes
}

func (r *graphRenderer) Layout(size fyne.Size) {
	r.layout(size, func(i int, width float32) float32 { return width * float32(i) / 2 })
}

func (r *graphRenderer) MinSize() fyne.Size { return fyne.NewSize(axisWidth+200, axisHeight+120) }

func (r *graphRenderer) refreshTexts() {
	top := r.g.top
	r.yLabels[0].Text = Rate(top)
	r.yLabels[1].Text = Rate(top / 2)
	r.yLabels[2].Text = "0"
	r.xLabels[0].Text = "-" + shortSpan(r.g.span)
	r.xLabels[1].Text = "-" + shortSpan(r.g.span/2)
	r.xLabels[2].Text = lang.L("now")
	r.recolor()
}

func shortSpan(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.Round(time.Second).String()
}

func (r *graphRenderer) Refresh() {
	r.refreshTexts()
	r.plot.Refresh()
}

func (r *graphRenderer) Objects() []fyne.CanvasObject { return r.objects() }

func (r *graphRenderer) Destroy() {}

// draw paints the grid and the two series at pixel resolution.
func (r *graphRenderer) draw(w, h int) image.Image {
	img, ok := grid(w, h)
	if !ok {
		return img
	}
	g := r.g
	ps := g.visible()
	if len(ps) == 0 {
		return img
	}
	end := ps[len(ps)-1].Time
	xOf := func(t time.Time) float64 {
		return float64(w-1) * (1 - float64(end.Sub(t))/float64(g.span))
	}
	yOf := func(v float64) float64 { return float64(h-1) * (1 - v/g.top) }
	series := func(val func(stats.Point) float64, c color.NRGBA) {
		for i := 1; i < len(ps); i++ {
			// A gap (the proxy was off) is left open rather than bridged.
			if ps[i].Time.Sub(ps[i-1].Time) > 3*time.Second {
				continue
			}
			x0, y0, x1, y1 := xOf(ps[i-1].Time), yOf(val(ps[i-1])), xOf(ps[i].Time), yOf(val(ps[i]))
			fill(img, x0, y0, x1, y1, color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x38})
			line(img, x0, y0, x1, y1, c)
		}
	}
	series(func(p stats.Point) float64 { return p.Down }, colorDown)
	series(func(p stats.Point) float64 { return p.Up }, colorUp)
	return img
}

func hline(img *image.NRGBA, y int, c color.Color) {
	for x := img.Rect.Min.X; x < img.Rect.Max.X; x += 2 {
		img.Set(x, y, c)
	}
}

// fill shades the area under the segment from (x0,y0) to (x1,y1), leaving
// the pixels already drawn (the grid, the other series' shade).
func fill(img *image.NRGBA, x0, y0, x1, y1 float64, c color.NRGBA) {
	h := img.Rect.Max.Y
	for x := int(math.Ceil(x0)); x <= int(x1); x++ {
		f := 0.0
		if x1 > x0 {
			f = (float64(x) - x0) / (x1 - x0)
		}
		top := int(math.Round(y0 + (y1-y0)*f))
		for y := max(top, 0); y < h; y++ {
			if old := img.NRGBAAt(x, y); old.A == 0 {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}

// line draws a two-pixel-thick line from (x0,y0) to (x1,y1).
func line(img *image.NRGBA, x0, y0, x1, y1 float64, c color.NRGBA) {
	steps := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))) + 1
	for i := 0; i <= steps; i++ {
		f := float64(i) / float64(steps)
		x := int(math.Round(x0 + (x1-x0)*f))
		y := int(math.Round(y0 + (y1-y0)*f))
		img.SetNRGBA(x, y, c)
		img.SetNRGBA(x, y-1, c)
	}
}
