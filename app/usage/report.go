package usage

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"
)

// Row is one name's bytes over a span of days.
type Row struct {
	Name string
	Bytes
}

// Total is up plus down.
func (b Bytes) Total() int64 { return b.Up + b.Down }

// Report is the history of a span of days, as the Usage tab and
// `sockstray usage` show it.
type Report struct {
	Days    []string      // every day of the span, oldest first
	Daily   []Bytes       // the bytes of each day of Days
	Top     map[Dim][]Row // each dimension's names, most bytes first
	Records []Record      // the counters read, for CSV
}

// Days are the last n days up to the day of now, oldest first.
func Days(now time.Time, n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = now.AddDate(0, 0, i+1-n).Format(DayLayout)
	}
	return out
}

// Read reads the last n days up to the day of now.
func (s *Store) Read(now time.Time, n int) (*Report, error) {
	days := Days(now, n)
	recs, err := s.Records(days[0], days[len(days)-1])
	if err != nil {
		return nil, err
	}
	return NewReport(days, recs), nil
}

// NewReport sums recs over days. A day's total is the sum over clients:
// every connection has exactly one.
func NewReport(days []string, recs []Record) *Report {
	r := &Report{Days: days, Daily: make([]Bytes, len(days)), Top: map[Dim][]Row{}, Records: recs}
	index := make(map[string]int, len(days))
	for i, d := range days {
		index[d] = i
	}
	sums := map[Dim]map[string]Bytes{}
	for _, rec := range recs {
		i, ok := index[rec.Day]
		if !ok {
			continue
		}
		if rec.By == ByClient {
			r.Daily[i].Up += rec.Up
			r.Daily[i].Down += rec.Down
		}
		if sums[rec.By] == nil {
			sums[rec.By] = map[string]Bytes{}
		}
		old := sums[rec.By][rec.Name]
		sums[rec.By][rec.Name] = Bytes{Up: old.Up + rec.Up, Down: old.Down + rec.Down}
	}
	for by, m := range sums {
		rows := make([]Row, 0, len(m))
		for name, b := range m {
			rows = append(rows, Row{name, b})
		}
		slices.SortFunc(rows, func(a, b Row) int {
			return cmp.Or(cmp.Compare(b.Total(), a.Total()), cmp.Compare(a.Name, b.Name))
		})
		r.Top[by] = rows
	}
	return r
}

// Sum is the bytes of the whole span.
func (r *Report) Sum() Bytes {
	var s Bytes
	for _, d := range r.Daily {
		s.Up += d.Up
		s.Down += d.Down
	}
	return s
}

// WriteCSV writes the counters of the dimensions by (all when none), one
// line per day and name, with a header: date,by,name,up_bytes,down_bytes.
func (r *Report) WriteCSV(w io.Writer, by ...Dim) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "by", "name", "up_bytes", "down_bytes"})
	for _, rec := range r.Records {
		if len(by) > 0 && !slices.Contains(by, rec.By) {
			continue
		}
		_ = cw.Write([]string{rec.Day, string(rec.By), csvSafe(rec.Name),
			strconv.FormatInt(rec.Up, 10), strconv.FormatInt(rec.Down, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
