package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// setText sets a label's text only when it differs: setting it lays the
// text out again (shaping, truncation) and redraws it, which for a table
// of thousands of rows refreshed each second is most of the window's cost.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

// setCell is setText for a table cell, recycled across columns, whose
// text is cut as its column's is.
func setCell(l *widget.Label, s string, trunc fyne.TextTruncation) {
	if l.Truncation != trunc {
		l.Truncation = trunc
		l.Text = s
		l.Refresh()
		return
	}
	setText(l, s)
}

// cellTruncation is how a column's text is cut when it does not fit:
// names with an ellipsis, numbers (sizes, rates, ages) clipped. Numbers
// fit their columns, and they change every second: Fyne shapes text
// anew for each ellipsis, at a cost that dominated the Connections tab.
func cellTruncation(col int) fyne.TextTruncation {
	switch col {
	case colUp, colDown, colRate, colAge:
		return fyne.TextTruncateClip
	}
	return fyne.TextTruncateEllipsis
}
