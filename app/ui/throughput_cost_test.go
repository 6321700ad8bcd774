package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/core/stats"
)

func series(start time.Time, rates ...float64) []stats.Point {
	ps := make([]stats.Point, len(rates))
	for i, r := range rates {
		ps[i] = stats.Point{Time: start.Add(time.Duration(i) * time.Second), Up: r, Down: 2 * r}
	}
	return ps
}

func TestSameRates(t *testing.T) {
	t0 := time.Now()
	for _, c := range []struct {
		name string
		a, b []stats.Point
		want bool
	}{
		{"same rates a second later", series(t0, 1, 2, 3), series(t0.Add(time.Second), 1, 2, 3), true},
		{"idle, one point more", series(t0, 0, 0, 0), series(t0, 0, 0, 0, 0), true},
		{"flat at another rate", series(t0, 5, 5), series(t0, 6, 6), false},
		{"a new rate", series(t0, 0, 0, 0), series(t0, 0, 0, 7), false},
		{"shifted", series(t0, 1, 2, 3), series(t0, 2, 3, 4), false},
		{"first series", nil, series(t0, 0), false},
	} {
		if got := sameRates(c.a, c.b); got != c.want {
			t.Errorf("%s: sameRates = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestThroughputKeepsNewestSeries: an update that draws the same picture
// still leaves the graph with the newest points (its Points and the
// figures read them).
func TestThroughputKeepsNewestSeries(t *testing.T) {
	test.NewTempApp(t)
	th := NewThroughput()
	t0 := time.Now()
	th.Update(stats.Snapshot{Series: series(t0, 0, 0, 0)})
	newer := series(t0.Add(time.Second), 0, 0, 0)
	th.Update(stats.Snapshot{Series: newer})
	if got := th.Graph.Points(); len(got) != 3 || !got[2].Time.Equal(newer[2].Time) {
		t.Errorf("graph points %+v, want the newest series", got)
	}
	th.Update(stats.Snapshot{Series: series(t0.Add(2*time.Second), 0, 0, 1000)})
	if th.Graph.Top() == 0 {
		t.Error("a new rate did not rescale the graph")
	}
}
