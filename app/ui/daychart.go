package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
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
	r.axes = newAxes(r.draw)
	r.refreshTexts()
	return r
}

// dayChartRenderer's labels under the plot are the first, middle and
// last day.
type dayChartRenderer struct {
	c *DayChart
	axes
}

func (r *dayChartRenderer) Layout(size fyne.Size) {
	n := max(len(r.c.days), 1)
	r.layout(size, func(i int, width float32) float32 {
		day := []int{0, n / 2, n - 1}[i]
		return width * (float32(day) + 0.5) / float32(n)
	})
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
	r.recolor()
}

func (r *dayChartRenderer) Refresh() {
	r.refreshTexts()
	r.Layout(r.c.Size()) // the day labels sit under their days
	r.plot.Refresh()
}

func (r *dayChartRenderer) Objects() []fyne.CanvasObject { return r.objects() }

func (r *dayChartRenderer) Destroy() {}

// draw paints the grid and, for each day, a download bar and an upload
// bar side by side in the day's slot.
func (r *dayChartRenderer) draw(w, h int) image.Image {
	img, ok := grid(w, h)
	if !ok {
		return img
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
