package stats

import (
	"net/netip"
	"strconv"
	"testing"
)

// BenchmarkAddUp measures the relay's cost of counting a chunk. "own" is the
// real pattern (each goroutine relays its own connection); "shared" is the
// worst case of every goroutine adding to one connection.
func BenchmarkAddUp(b *testing.B) {
	b.Run("own", func(b *testing.B) {
		tab := New(nil)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			c := tab.Open(info("x:1"), nil)
			for pb.Next() {
				c.AddUp(32 << 10)
			}
		})
	})
	b.Run("shared", func(b *testing.B) {
		c := New(nil).Open(info("x:1"), nil)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.AddUp(32 << 10)
			}
		})
	})
}

// fill opens n live connections that all moved some bytes.
func fill(n int) *Table {
	tab := New(nil)
	for i := range n {
		c := tab.Open(Info{
			Client:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(i)}), uint16(i)),
			Command: "CONNECT",
			Dest:    "host" + strconv.Itoa(i) + ".example:443",
			Route:   "direct",
		}, nil)
		c.AddUp(int64(i))
		c.AddDown(int64(2 * i))
	}
	return tab
}

func BenchmarkSnapshot5000(b *testing.B) {
	tab := fill(5000)
	tab.Tick()
	b.ReportAllocs()
	for b.Loop() {
		tab.Snapshot()
	}
}

func BenchmarkTick5000(b *testing.B) {
	tab := fill(5000)
	b.ReportAllocs()
	for b.Loop() {
		tab.Tick()
	}
}
