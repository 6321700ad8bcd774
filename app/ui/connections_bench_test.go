package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// BenchmarkConnectionsUpdate5000 is one second of the Connections tab with
// 5,000 idle rows: the new snapshot's rates, filter, sort and the table's
// refresh (Fyne's test driver: no painting).
func BenchmarkConnectionsUpdate5000(b *testing.B) {
	test.NewTempApp(b)
	c := NewConnections(nil)
	w := test.NewWindow(c.Content())
	defer w.Close()
	w.Resize(fyne.NewSize(1100, 700))
	s := synthetic(5000)
	b.ReportAllocs()
	for b.Loop() {
		s.Time = s.Time.Add(time.Second)
		c.Update(s)
	}
}
