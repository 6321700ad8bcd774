package ui

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/usage"
)

// usageDays is the span the Usage tab shows; topN the names per table.
const usageDays, topN = 30, 10

// Usage is the screen of the usage history: the bytes of each of the last
// 30 days, the top ten hosts, clients and programs, and a CSV export. It
// reads the history when shown and on Reload, off the UI goroutine.
type Usage struct {
	Chart   *DayChart
	Summary *widget.Label // the span's total, or why there is nothing
	Reload  *widget.Button
	Export  *widget.Button
	Tables  map[usage.Dim]*widget.Table

	ctrl    *control.Controller
	win     fyne.Window
	report  *usage.Report // the one shown; the export writes it
	rows    map[usage.Dim][]usage.Row
	jobs    jobs
	content fyne.CanvasObject
}

// NewUsage builds the screen; win hosts the file dialog.
func NewUsage(ctrl *control.Controller, win fyne.Window) *Usage {
	u := &Usage{ctrl: ctrl, win: win, Chart: NewDayChart(), Summary: widget.NewLabel(""),
		Tables: map[usage.Dim]*widget.Table{}, rows: map[usage.Dim][]usage.Row{}}
	u.Summary.Wrapping = fyne.TextWrapWord
	u.Reload = widget.NewButtonWithIcon(lang.L("Reload"), theme.ViewRefreshIcon(), u.Load)
	u.Export = widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DocumentSaveIcon(), u.onExport)
	u.Export.Disable()
	var tables []fyne.CanvasObject
	for _, by := range usage.Dims {
		u.Tables[by] = u.newTable(by)
		tables = append(tables, u.Tables[by])
	}
	legend := container.NewHBox(legendItem(lang.L("download"), colorDown), legendItem(lang.L("upload"), colorUp))
	top := container.NewBorder(nil, nil, nil, container.NewHBox(legend, u.Reload, u.Export), u.Summary)
	u.content = container.NewBorder(top, nil, nil, nil,
		container.NewGridWithRows(2, u.Chart, container.NewGridWithColumns(len(tables), tables...)))
	return u
}

// Content is the screen's root object.
func (u *Usage) Content() fyne.CanvasObject { return u.content }

// dimTitle is a dimension's column title.
func dimTitle(by usage.Dim) string {
	switch by {
	case usage.ByClient:
		return lang.L("Client")
	case usage.ByProgram:
		return lang.L("Program")
	}
	return lang.L("Host")
}

// shownName is a stored name as the user reads it.
func shownName(name string) string {
	switch name {
	case usage.ThisComputer:
		return lang.L("This computer")
	case usage.Invalid:
		return lang.L("(invalid name)")
	}
	return name
}

func (u *Usage) newTable(by usage.Dim) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(u.rows[by]), 2 },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(u.Cell(by, id.Row, id.Col))
		})
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText([]string{dimTitle(by), lang.L("Down / up")}[id.Col])
	}
	t.SetColumnWidth(0, 170)
	t.SetColumnWidth(1, 130)
	return t
}

// Cell is the text of a table's cell: the name, or its bytes down / up.
func (u *Usage) Cell(by usage.Dim, row, col int) string {
	rows := u.rows[by]
	if row < 0 || row >= len(rows) {
		return ""
	}
	if col == 0 {
		return shownName(rows[row].Name)
	}
	return Bytes(rows[row].Down) + " / " + Bytes(rows[row].Up)
}

// Load reads the history off the UI goroutine and shows it.
func (u *Usage) Load() {
	u.Reload.Disable()
	u.jobs.run(func() func() {
		r, err := u.ctrl.UsageReport(usageDays)
		on := u.ctrl.Settings().UsageHistory
		return func() {
			u.Reload.Enable()
			u.show(r, err, on)
		}
	})
}

// show puts a report (or why there is none) on the screen.
func (u *Usage) show(r *usage.Report, err error, on bool) {
	u.report = nil
	if err == nil {
		u.report = r
	}
	for _, by := range usage.Dims {
		u.rows[by] = nil
		if r != nil {
			u.rows[by] = r.Top[by][:min(topN, len(r.Top[by]))]
		}
		u.Tables[by].Refresh()
	}
	switch {
	case errors.Is(err, usage.ErrNoHistory) || err == nil && !on && r.Sum().Total() == 0:
		u.Summary.SetText(lang.L("Usage history is off. Turn on \"Keep usage history\" in Settings to count the bytes of each day by host, client and program, on this computer only."))
	case err != nil:
		u.Summary.SetText(lang.L("Usage history not read: {{.Err}}", map[string]any{"Err": err}))
	default:
		sum := r.Sum()
		text := lang.L("Last {{.Days}} days: {{.Down}} down, {{.Up}} up.", map[string]any{"Days": usageDays, "Down": Bytes(sum.Down), "Up": Bytes(sum.Up)})
		if !on {
			text += " " + lang.L("The history is off: nothing new is counted.")
		}
		u.Summary.SetText(text)
	}
	if u.report != nil {
		u.Chart.SetDays(r.Days, r.Daily)
		u.Export.Enable()
	} else {
		u.Chart.SetDays(nil, nil)
		u.Export.Disable()
	}
}

// Rows are the names a table shows, most bytes first.
func (u *Usage) Rows(by usage.Dim) []usage.Row { return u.rows[by] }

// onExport asks where to save the history shown, as CSV.
func (u *Usage) onExport() {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if wc != nil {
			u.ExportTo(wc)
		}
	}, u.win)
	d.SetFileName("sockstray-usage-" + time.Now().Format(usage.DayLayout) + ".csv")
	d.Show()
}

// ExportTo writes the history shown as CSV (every day, dimension and
// name) off the UI goroutine, closes wc and says how it went.
func (u *Usage) ExportTo(wc fyne.URIWriteCloser) {
	r := u.report
	if r == nil {
		wc.Close()
		return
	}
	u.Export.Disable()
	u.jobs.run(func() func() {
		err := r.WriteCSV(wc)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		return func() {
			u.Export.Enable()
			if err != nil {
				dialog.ShowError(errors.New(lang.L("CSV not saved: {{.Err}}", map[string]any{"Err": err})), u.win)
			}
		}
	})
}
