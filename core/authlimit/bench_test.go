package authlimit

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// v6Host returns an address in the i-th /64: a new key for every i.
func v6Host(i int) netip.Addr {
	var b [16]byte
	b[0], b[1] = 0x20, 0x01
	binary.BigEndian.PutUint32(b[4:], uint32(i))
	b[15] = 1
	return netip.AddrFrom16(b)
}

// BenchmarkCheckFailed is one checked wrong guess. With 1 key the clock
// steps past each lockout; with 4096 keys each key comes back after 614 s,
// past its lockout and before it is forgotten, so every call works on a
// remembered key in a full table.
func BenchmarkCheckFailed(b *testing.B) {
	for _, tc := range []struct {
		keys int
		step time.Duration
	}{{1, 11 * time.Minute}, {4096, 150 * time.Millisecond}} {
		b.Run("keys="+strconv.Itoa(tc.keys), func(b *testing.B) {
			l := New(Config{})
			addrs := make([]netip.Addr, tc.keys)
			for i := range addrs {
				addrs[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
			}
			now := t0
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a := addrs[i%len(addrs)]
				now = now.Add(tc.step)
				if !l.Check(a, now).Allowed {
					b.Fatal("refused")
				}
				l.Failed(a, now)
			}
		})
	}
}

// BenchmarkEvict is an attacker with a new /64 for every guess: each call
// evicts the oldest key. The cost must not grow with MaxKeys.
func BenchmarkEvict(b *testing.B) {
	for _, max := range []int{4096, 65536} {
		b.Run("max="+strconv.Itoa(max), func(b *testing.B) {
			l := New(Config{MaxKeys: max})
			now := t0
			for i := range max {
				l.Failed(v6Host(i), now)
			}
			b.ReportAllocs()
			for i := max; b.Loop(); i++ {
				now = now.Add(time.Microsecond)
				a := v6Host(i)
				if l.Check(a, now).Allowed {
					l.Failed(a, now)
				}
				if i%1_000_000 == 0 {
					l.Flush(now) // the server's ticker, roughly
				}
			}
			if n := l.Len(); n > max {
				b.Fatalf("%d keys", n)
			}
		})
	}
}

// BenchmarkCheckRefused is the attacker's hot path: a key inside its lockout.
func BenchmarkCheckRefused(b *testing.B) {
	l := New(Config{})
	attack(l, 1, 1)
	now := t0.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if l.Check(lanA, now).Allowed {
			b.Fatal("allowed")
		}
	}
}

// BenchmarkCheckSucceeded is a client with the right password, the cost
// added to every authenticated connection.
func BenchmarkCheckSucceeded(b *testing.B) {
	l := New(Config{})
	b.ReportAllocs()
	for b.Loop() {
		if l.Check(lanA, t0).Allowed {
			l.Succeeded(lanA, t0)
		}
	}
}
