package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// axes is what the throughput graph and the usage chart share: a plot (a
// raster the chart draws), its border, three value labels on the left
// (top, middle, zero) and three labels under the plot, which the chart
// writes and places.
type axes struct {
	plot    *canvas.Raster
	frame   *canvas.Rectangle
	yLabels [3]*canvas.Text
	xLabels [3]*canvas.Text
}

const axisWidth, axisHeight = 70, 20

func newAxes(draw func(w, h int) image.Image) axes {
	a := axes{plot: canvas.NewRaster(draw), frame: canvas.NewRectangle(color.Transparent)}
	for i := range a.yLabels {
		a.yLabels[i] = newAxisText(fyne.TextAlignTrailing)
	}
	for i := range a.xLabels {
		a.xLabels[i] = newAxisText(fyne.TextAlignCenter)
	}
	a.frame.StrokeWidth = 1
	return a
}

func newAxisText(align fyne.TextAlign) *canvas.Text {
	t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.CaptionTextSize()
	t.Alignment = align
	return t
}

// layout places the plot in size, beside the value labels and above the
// others; xLabelAt gives the middle of label i along a plot plotWidth wide.
func (a *axes) layout(size fyne.Size, xLabelAt func(i int, plotWidth float32) float32) {
	plotSize := fyne.NewSize(max(size.Width-axisWidth, 1), max(size.Height-axisHeight, 1))
	a.plot.Move(fyne.NewPos(axisWidth, 0))
	a.plot.Resize(plotSize)
	a.frame.Move(a.plot.Position())
	a.frame.Resize(plotSize)
	th := a.yLabels[0].MinSize().Height
	for i, t := range a.yLabels {
		y := min(max(plotSize.Height*float32(i)/2-th/2, 0), plotSize.Height-th)
		t.Move(fyne.NewPos(0, y))
		t.Resize(fyne.NewSize(axisWidth-6, th))
	}
	const w = 60
	for i, t := range a.xLabels {
		x := axisWidth + xLabelAt(i, plotSize.Width) - w/2
		t.Move(fyne.NewPos(min(max(x, axisWidth), size.Width-w), plotSize.Height+2))
		t.Resize(fyne.NewSize(w, th))
	}
}

// recolor gives the labels and the border the theme's colours, after
// their texts changed or the theme did.
func (a *axes) recolor() {
	fg := theme.Color(theme.ColorNameForeground)
	for _, t := range append(a.yLabels[:], a.xLabels[:]...) {
		t.Color = fg
		t.Refresh()
	}
	a.frame.StrokeColor = theme.Color(theme.ColorNameSeparator)
	a.frame.Refresh()
}

func (a *axes) objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{a.plot, a.frame}
	for _, t := range append(a.yLabels[:], a.xLabels[:]...) {
		objs = append(objs, t)
	}
	return objs
}

// grid is a w×h picture with the plot's dotted grid lines, for a chart
// to draw on, and whether it is big enough to draw on.
func grid(w, h int) (*image.NRGBA, bool) {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w < 2 || h < 2 {
		return img, false
	}
	col := theme.Color(theme.ColorNameSeparator)
	for _, y := range []int{0, h / 4, h / 2, 3 * h / 4} {
		hline(img, y, col)
	}
	return img, true
}
