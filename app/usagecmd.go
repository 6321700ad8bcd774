package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/sockstray/sockstray/app/ui"
	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/profiles"
)

// usageClock is the clock that decides "today"; tests set it.
var usageClock = time.Now

// usageWait is how long a read waits for the app to finish a write: a
// write takes milliseconds, once a minute.
var usageWait = 3 * time.Second

// usageCmd runs `sockstray usage`: the usage history the desktop app
// keeps (when "Keep usage history" is on), by host, client or program,
// as a table or CSV. It opens the file read-only, between the app's
// writes (bbolt's lock; it waits a few seconds for a write to end), and
// never creates it.
func usageCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sockstray usage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	by := fs.String("by", "host", "count by host, client or program")
	days := fs.Int("days", 30, "the last `N` days, today included")
	asCSV := fs.Bool("csv", false, "one CSV line per day and name (date,by,name,up_bytes,down_bytes), bytes exact")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sockstray usage [--by host|client|program] [--days N] [--csv]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dim, err := usage.ParseDim(*by)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray usage: --by %v\n", err)
		return 2
	}
	if fs.NArg() != 0 || *days < 1 || *days > profiles.MaxUsageRetention {
		fmt.Fprintf(stderr, "sockstray usage: want --days 1 to %d and no other arguments\n", profiles.MaxUsageRetention)
		return 2
	}
	path, err := profiles.SettingsPath()
	if err != nil {
		fmt.Fprintf(stderr, "sockstray usage: %v\n", err)
		return 1
	}
	store := &usage.Store{Path: usage.DefaultPath(filepath.Dir(path)), Timeout: usageWait}
	r, err := store.Read(usageClock(), *days)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray usage: %v\n", err)
		return 1
	}
	if *asCSV {
		if err := r.WriteCSV(stdout, dim); err != nil {
			fmt.Fprintf(stderr, "sockstray usage: %v\n", err)
			return 1
		}
		return 0
	}
	writeUsageTable(stdout, r, dim)
	return 0
}

// writeUsageTable prints the names of one dimension, most bytes first,
// and the total of the span: names left, byte counts right-aligned.
func writeUsageTable(w io.Writer, r *usage.Report, by usage.Dim) {
	fmt.Fprintf(w, "Usage by %s, %s to %s:\n", by, r.Days[0], r.Days[len(r.Days)-1])
	rows := r.Top[by]
	width := len("all")
	for _, row := range rows {
		width = max(width, len(row.Name))
	}
	line := func(name, down, up, total string) {
		fmt.Fprintf(w, "%-*s  %9s  %9s  %9s\n", width, name, down, up, total)
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "nothing recorded")
		if by == usage.ByProgram {
			fmt.Fprintln(w, "(programs are known only for connections from this computer)")
		}
		return
	}
	line(strings.ToUpper(string(by)), "DOWN", "UP", "TOTAL")
	for _, row := range rows {
		line(row.Name, ui.Bytes(row.Down), ui.Bytes(row.Up), ui.Bytes(row.Total()))
	}
	sum := r.Sum()
	line("all", ui.Bytes(sum.Down), ui.Bytes(sum.Up), ui.Bytes(sum.Total()))
}
