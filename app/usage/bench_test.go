package usage_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/stats"
)

// busySource is a table of n live connections to n/10 hosts from n/50
// clients, each moving a few KB between flushes.
type busySource struct {
	conns []stats.ConnStat
}

func newBusySource(n int) *busySource {
	s := &busySource{}
	for i := range n {
		s.conns = append(s.conns, stats.ConnStat{ID: uint64(i + 1), Info: stats.Info{
			Client: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(i % 50)}), 40000),
			Dest:   fmt.Sprintf("host-%d.example:443", i%(n/10)),
		}})
	}
	return s
}

func (s *busySource) Snapshot() stats.Snapshot {
	for i := range s.conns {
		s.conns[i].Up += 1000
		s.conns[i].Down += 5000
	}
	return stats.Snapshot{Conns: append([]stats.ConnStat(nil), s.conns...)}
}

func (s *busySource) SetOnDone(func(stats.ConnStat)) {}

// BenchmarkFlush5000 is one flush (snapshot deltas, one bbolt write with
// fsync) with 5,000 live connections that all moved bytes: the recorder's
// cost per minute on a busy proxy.
func BenchmarkFlush5000(b *testing.B) {
	r, err := usage.Start(newBusySource(5000), usage.Options{Store: newStore(b), FlushEvery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Stop()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
