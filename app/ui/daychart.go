package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/usage"
)

// DayChart draws the bytes of each day as two bars, download and upload,
// with a byte axis in human units and the first, middle and last day
// under it. Its days are set on the UI thread.
type DayChart struct {
	widget.BaseWidget
	days  []string      // usage.DayLayout, oldest first
	bytes []usage.Bytes // of each day
	top   float64       // the axis' maximum, a round number
}

// NewDayChart returns an empty chart.
func NewDayChart() *DayChart {
	c := &DayChart{top: niceCeil(0)}
	c.ExtendBaseWidget(c)
	return c
}

// SetDays replaces the days and their bytes (same length, oldest first).
func (c *DayChart) SetDays(days []string, bytes []usage.Bytes) {
	c.days, c.bytes = days, bytes
	m := 0.0
	for _, b := range bytes {
		m = max(m, float64(b.Up), float64(b.Down))
	}
	c.top = niceCeil(m)
	c.Refresh()
}

// Top is the value at the top of the byte axis.
func (c *DayChart) Top() float64 { return c.top }

// CreateRenderer is part of fyne.Widget.
func (c *DayChart) CreateRenderer() fyne.WidgetRenderer {
	r := &dayChartRenderer{c: c}
	r.plot = canvas.NewRaster(r.draw)
	for i := range r.yLabels {
		r.yLabels[i] = newAxisText(fyne.TextAlignTrailing)
	}
	for i := range r.xLabels {
		r.xLabels[i] = newAxisText(fyne.TextAlignCenter)
	}
	r.frame = canvas.NewRectangle(color.Transparent)
	r.frame.StrokeWidth = 1
	r.refreshTexts()
	return r
}

type dayChartRenderer struct {
	c       *DayChart
	plot    *canvas.Raster
	frame   *canvas.Rectangle
	yLabels [3]*canvas.Text // top, middle, zero
	xLabels [3]*canvas.Text // first, middle and last day
}

func (r *dayChartRenderer) Layout(size fyne.Size) {
	plotSize := fyne.NewSize(max(size.Width-axisWidth, 1), max(size.Height-axisHeight, 1))
	r.plot.Move(fyne.NewPos(axisWidth, 0))
	r.plot.Resize(plotSize)
	r.frame.Move(r.plot.Position())
	r.frame.Resize(plotSize)
	th := r.yLabels[0].MinSize().Height
	for i, t := range r.yLabels {
		y := min(max(plotSize.Height*float32(i)/2-th/2, 0), plotSize.Height-th)
		t.Move(fyne.NewPos(0, y))
		t.Resize(fyne.NewSize(axisWidth-6, th))
	}
	n := max(len(r.c.days), 1)
	for i, t := range r.xLabels {
		w := float32(60)
		day := []int{0, n / 2, n - 1}[i]
		x := axisWidth + plotSize.Width*(float32(day)+0.5)/float32(n) - w/2
		t.Move(fyne.NewPos(min(max(x, axisWidth), size.Width-w), plotSize.Height+2))
		t.Resize(fyne.NewSize(w, th))
	}
}

func (r *dayChartRenderer) MinSize() fyne.Size { return fyne.NewSize(axisWidth+200, axisHeight+100) }

func (r *dayChartRenderer) refreshTexts() {
	c := r.c
	r.yLabels[0].Text = Bytes(int64(c.top))
	r.yLabels[1].Text = Bytes(int64(c.top / 2))
	r.yLabels[2].Text = "0"
	for i := range r.xLabels {
		r.xLabels[i].Text = ""
	}
	if n := len(c.days); n > 0 {
		for i, day := range []int{0, n / 2, n - 1} {
			r.xLabels[i].Text = c.days[day][len("2006-"):] // MM-DD
		}
	}
	fg := theme.Color(theme.ColorNameForeground)
	for _, t := range append(r.yLabels[:], r.xLabels[:]...) {
		t.Color = fg
		t.Refresh()
	}
	r.frame.StrokeColor = theme.Color(theme.ColorNameSeparator)
	r.frame.Refresh()
}

func (r *dayChartRenderer) Refresh() {
	r.refreshTexts()
	r.Layout(r.c.Size()) // the day labels sit under their days
	r.plot.Refresh()
}

func (r *dayChartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.plot, r.frame}
	for _, t := range append(r.yLabels[:], r.xLabels[:]...) {
		objs = append(objs, t)
	}
	return objs
}

func (r *dayChartRenderer) Destroy() {}

// draw paints the grid and, for each day, a download bar and an upload
// bar side by side in the day's slot.
func (r *dayChartRenderer) draw(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w < 2 || h < 2 {
		return img
	}
	grid := theme.Color(theme.ColorNameSeparator)
	for _, y := range []int{0, h / 4, h / 2, 3 * h / 4} {
		hline(img, y, grid)
	}
	c := r.c
	n := len(c.bytes)
	if n == 0 {
		return img
	}
	slot := float64(w) / float64(n)
	bar := max(slot*0.4, 1)
	for i, b := range c.bytes {
		x := float64(i)*slot + slot*0.1
		r.bar(img, x, bar, float64(b.Down), colorDown)
		r.bar(img, x+bar, bar, float64(b.Up), colorUp)
	}
	return img
}

// bar fills a bar of value v from the bottom, at least a pixel high when
// v is not zero.
func (r *dayChartRenderer) bar(img *image.NRGBA, x, width, v float64, col color.NRGBA) {
	if v <= 0 {
		return
	}
	h := img.Rect.Max.Y
	top := h - max(int(float64(h)*v/r.c.top), 1)
	for px := int(x); px < int(x+width) && px < img.Rect.Max.X; px++ {
		for y := max(top, 0); y < h; y++ {
			img.SetNRGBA(px, y, col)
		}
	}
}
