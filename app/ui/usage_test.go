package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/stats"
)

// settleUsage waits for the Usage tab's and the Settings' work and shows
// its outcome.
func settleUsage(w *Window) { drain(&w.Usage.jobs, &w.Settings.jobs) }

// TestUsageTabOff: with the history off (the default) the tab says how
// to turn it on, shows no rows and offers no export; no file appears.
func TestUsageTabOff(t *testing.T) {
	w, c := newWindow(t)
	w.ShowTab(TabUsage)
	settleUsage(w)
	if !strings.Contains(w.Usage.Summary.Text, `Turn on "Keep usage history" in Settings`) {
		t.Errorf("summary %q", w.Usage.Summary.Text)
	}
	for _, by := range usage.Dims {
		if rows := w.Usage.Rows(by); len(rows) != 0 {
			t.Errorf("%s rows %v", by, rows)
		}
	}
	if !w.Usage.Export.Disabled() {
		t.Error("export enabled with no history")
	}
	if _, err := os.Stat(c.UsagePath()); !os.IsNotExist(err) {
		t.Errorf("history file with the history off: %v", err)
	}
}

// TestUsageTabShowsHistory: the Settings switch turns the history on;
// traffic through the proxy then shows in the chart (today's bar) and the
// top tables, and the export writes the history as CSV to a real file.
func TestUsageTabShowsHistory(t *testing.T) {
	w, c := newWindowWith(t, control.Options{ProgramsOf: func(cs []stats.ConnStat) []string { return slices.Repeat([]string{"/usr/bin/ui-test"}, len(cs)) }})
	test.Tap(w.Settings.UsageHistory)
	settleUsage(w)
	if !c.Settings().UsageHistory || !w.Settings.UsageHistory.Checked {
		t.Fatalf("switch: settings %v, check %v", c.Settings().UsageHistory, w.Settings.UsageHistory.Checked)
	}
	w.Settings.UsageRetention.SetSelected(retentionLabel(30))
	settleUsage(w)
	if c.Settings().UsageRetentionDays != 30 {
		t.Errorf("retention %d, want 30", c.Settings().UsageRetentionDays)
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	controltest.Dial(t, c.State().Addr, controltest.Echo(t)).Close()
	eventually(t, "the connection's end", func() bool { return c.Snapshot().Totals.Live == 0 })

	w.ShowTab(TabUsage)
	settleUsage(w)
	u := w.Usage
	if got, want := u.Cell(usage.ByClient, 0, 0), "This computer"; got != want {
		t.Errorf("client cell %q, want %q", got, want)
	}
	if got, want := u.Cell(usage.ByHost, 0, 1), "4 B / 4 B"; got != want {
		t.Errorf("host bytes cell %q, want %q", got, want)
	}
	if got := u.Cell(usage.ByProgram, 0, 0); got != "ui-test" {
		t.Errorf("program cell %q, want ui-test", got)
	}
	if rows := u.Rows(usage.ByHost); len(rows) != 1 || rows[0].Name != "127.0.0.1" {
		t.Errorf("host rows %v", rows)
	}
	if days := u.Chart.days; len(days) != usageDays || days[usageDays-1] != time.Now().Format(usage.DayLayout) {
		t.Errorf("chart days %v", days)
	}
	if b := u.Chart.bytes[usageDays-1]; b != (usage.Bytes{Up: 4, Down: 4}) {
		t.Errorf("today's bar %+v", b)
	}
	if !strings.Contains(u.Summary.Text, "Last 30 days: 4 B down, 4 B up.") {
		t.Errorf("summary %q", u.Summary.Text)
	}
	// The table shows the name as rendered text.
	labels := find(u.Tables[usage.ByClient], func(l *widget.Label) bool { return l.Text == "This computer" })
	if len(labels) == 0 {
		t.Error("the client table does not show This computer")
	}

	path := filepath.Join(t.TempDir(), "usage.csv")
	wc, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	u.ExportTo(wc)
	settleUsage(w)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	u.report.WriteCSV(&want)
	if !bytes.Equal(got, want.Bytes()) || !bytes.Contains(got, []byte(",client,this computer,4,4\n")) {
		t.Errorf("exported:\n%s\nwant:\n%s", got, want.Bytes())
	}

	test.Tap(u.Export)
	if w.Win.Canvas().Overlays().Top() == nil {
		t.Error("Export opens no file dialog")
	}
}
