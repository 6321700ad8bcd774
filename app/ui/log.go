package ui

import (
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/sockstray/sockstray/app/logring"
)

// logLevel is a level the log screen filters by.
type logLevel struct {
	label string
	level slog.Level
}

// logLevels are the levels the log screen filters by.
func logLevels() []logLevel {
	return []logLevel{{lang.L("All"), slog.LevelInfo}, {lang.L("Warnings and errors"), slog.LevelWarn}, {lang.L("Errors"), slog.LevelError}}
}

// Log is the screen of the engine's and the app's recent log lines, read
// from the bounded ring, with a level filter.
type Log struct {
	List  *widget.List
	Level *widget.Select

	ring    *logring.Ring
	levels  []logLevel
	min     slog.Level
	lines   []logring.Line
	seq     uint64
	content fyne.CanvasObject
}

// NewLog builds the screen over ring.
func NewLog(ring *logring.Ring) *Log {
	l := &Log{ring: ring}
	l.List = widget.NewList(
		func() int { return len(l.lines) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return lb
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(l.lines) {
				o.(*widget.Label).SetText(formatLine(l.lines[i]))
				o.(*widget.Label).Importance = lineImportance(l.lines[i].Level)
			}
		})
	l.levels = logLevels()
	labels := make([]string, len(l.levels))
	for i, lv := range l.levels {
		labels[i] = lv.label
	}
	l.Level = widget.NewSelect(labels, l.onLevel)
	l.Level.SetSelected(labels[0])
	l.content = container.NewBorder(container.NewHBox(widget.NewLabel(lang.L("Show:")), l.Level), nil, nil, nil, l.List)
	return l
}

// Content is the screen's root object.
func (l *Log) Content() fyne.CanvasObject { return l.content }

// Lines returns the lines shown.
func (l *Log) Lines() []logring.Line { return l.lines }

func (l *Log) onLevel(label string) {
	for _, lv := range l.levels {
		if lv.label == label {
			l.min = lv.level
		}
	}
	l.seq = 0
	l.Update()
}

// Update reads the ring when it has new lines; call it on the UI thread.
func (l *Log) Update() {
	seq := l.ring.Seq()
	if seq == l.seq {
		return
	}
	l.seq = seq
	l.lines = l.ring.Lines(l.min)
	l.List.Refresh()
	l.List.ScrollToBottom()
}

func formatLine(ln logring.Line) string {
	return ln.Time.Format("15:04:05") + "  " + ln.Level.String() + "  " + ln.Text
}

func lineImportance(lv slog.Level) widget.Importance {
	switch {
	case lv >= slog.LevelError:
		return widget.DangerImportance
	case lv >= slog.LevelWarn:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}
