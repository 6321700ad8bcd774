package authlimit

import (
	"net/netip"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

var (
	lanA = netip.MustParseAddr("192.168.1.7")
	lanB = netip.MustParseAddr("192.168.1.8")
)

// guess is one attempt with wrong credentials: checked, and reported as
// failed when it was allowed.
func guess(l *Limiter, a netip.Addr, now time.Time) Verdict {
	v := l.Check(a, now)
	if v.Allowed {
		l.Failed(a, now)
	}
	return v
}

// spend makes n failed guesses, each at the first time it is checked, and
// returns the time after the last one.
func spend(t *testing.T, l *Limiter, a netip.Addr, now time.Time, n int) time.Time {
	t.Helper()
	for range n {
		v := guess(l, a, now)
		if !v.Allowed {
			now = v.Until
			if v = guess(l, a, now); !v.Allowed {
				t.Fatalf("refused at the time it was told: %v", v)
			}
		}
	}
	return now
}

func TestKey(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"192.168.1.7", "192.168.1.7/32"},
		{"::ffff:192.168.1.7", "192.168.1.7/32"},
		{"127.0.0.1", "127.0.0.1/32"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	} {
		if got := Key(netip.MustParseAddr(tc.addr)).String(); got != tc.want {
			t.Errorf("Key(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
	if k := Key(netip.Addr{}); k.IsValid() {
		t.Errorf("Key(invalid) = %v, want the zero Prefix", k)
	}
}

// TestSpacing follows one key through its free failures, the doubling
// spacing up to the cap, and the lockouts.
func TestSpacing(t *testing.T) {
	l := New(Config{})
	now := t0
	for i := range 5 {
		if v := guess(l, lanA, now); !v.Allowed {
			t.Fatalf("free failure %d refused: %v", i+1, v)
		}
	}
	// Failures 5..19 are each followed by a wait; the 20th locks out.
	waits := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60, 60, 60}
	for i, w := range waits {
		v := l.Check(lanA, now)
		if v.Allowed || v.Lockout || !v.Until.Equal(now.Add(w*time.Second)) {
			t.Fatalf("after failure %d: %v, want refused for %ds", i+5, v, w)
		}
		if v := l.Check(lanA, v.Until.Add(-time.Nanosecond)); v.Allowed {
			t.Fatalf("after failure %d: allowed before the wait ended", i+5)
		}
		now = v.Until
		if v := guess(l, lanA, now); !v.Allowed {
			t.Fatalf("failure %d refused at the end of its wait: %v", i+6, v)
		}
	}
	v := l.Check(lanA, now)
	if v.Allowed || !v.Lockout || !v.Until.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("after 20 failures: %v, want locked out for 10 min", v)
	}
	if v := l.Check(lanA, now.Add(9*time.Minute)); v.Allowed || !v.Lockout {
		t.Fatalf("inside the lockout: %v", v)
	}
	// Once it ends one attempt is checked, and a failure starts another.
	now = now.Add(10 * time.Minute)
	if v := guess(l, lanA, now); !v.Allowed {
		t.Fatalf("after the lockout: %v", v)
	}
	if v := l.Check(lanA, now.Add(time.Minute)); v.Allowed || !v.Lockout || !v.Until.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("failure after a lockout: %v, want a new lockout", v)
	}
	// Other keys are not affected.
	if v := l.Check(lanB, now); !v.Allowed {
		t.Fatalf("other address: %v", v)
	}
}

// TestRefusedIsNotAGuess hammers a key inside its wait: nothing is counted,
// so the next wait is the one the policy says.
func TestRefusedIsNotAGuess(t *testing.T) {
	l := New(Config{})
	now := spend(t, l, lanA, t0, 5)
	for i := range 1000 {
		if v := l.Check(lanA, now.Add(time.Duration(i)*time.Millisecond)); v.Allowed {
			t.Fatalf("attempt %d inside the wait allowed", i)
		}
	}
	now = now.Add(time.Second)
	guess(l, lanA, now)
	if v := l.Check(lanA, now); !v.Until.Equal(now.Add(2 * time.Second)) {
		t.Fatalf("after 6 failures: %v, want 2 s", v)
	}
}

func TestSameKey(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b       string
		sameRecord bool
	}{
		{"mapped v4", "192.0.2.1", "::ffff:192.0.2.1", true},
		{"same /64", "2001:db8::1", "2001:db8::ffff:2", true},
		{"zones dropped", "fe80::1%eth0", "fe80::2%wlan0", true},
		{"next /64", "2001:db8::1", "2001:db8:0:1::1", false},
		{"next v4", "192.0.2.1", "192.0.2.2", false},
		{"loopback v4 and v6", "127.0.0.1", "::1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New(Config{})
			spend(t, l, netip.MustParseAddr(tc.a), t0, 5)
			v := l.Check(netip.MustParseAddr(tc.b), t0)
			if v.Allowed == tc.sameRecord {
				t.Fatalf("Check(%s) after 5 failures from %s: %v", tc.b, tc.a, v)
			}
		})
	}
}

// TestLoopbackLimited: a local program is limited like a LAN client.
func TestLoopbackLimited(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "::1", "::ffff:127.0.0.1"} {
		l := New(Config{})
		spend(t, l, netip.MustParseAddr(a), t0, 5)
		if v := l.Check(netip.MustParseAddr(a), t0); v.Allowed {
			t.Errorf("%s not limited", a)
		}
	}
}

func TestSucceededClears(t *testing.T) {
	l := New(Config{})
	now := spend(t, l, lanA, t0, 7)
	now = l.Check(lanA, now).Until
	if v := l.Check(lanA, now); !v.Allowed {
		t.Fatalf("refused at its time: %v", v)
	}
	l.Succeeded(lanA, now)
	if n := l.Len(); n != 0 {
		t.Fatalf("%d keys after success, want 0", n)
	}
	for i := range 5 {
		if v := guess(l, lanA, now); !v.Allowed {
			t.Fatalf("free failure %d after success refused: %v", i+1, v)
		}
	}
}

func TestExpiry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		quiet time.Duration
		fresh bool
	}{
		{"14m59s", 15*time.Minute - time.Second, false},
		{"15m", 15 * time.Minute, true},
		{"a week", 7 * 24 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New(Config{})
			now := spend(t, l, lanA, t0, 5).Add(tc.quiet)
			l.Flush(now)
			if got := l.Len() == 0; got != tc.fresh {
				t.Fatalf("after %v quiet: %d keys", tc.quiet, l.Len())
			}
			spend(t, l, lanA, now, 4)
			if v := l.Check(lanA, now); v.Allowed != tc.fresh {
				t.Fatalf("5th attempt after %v quiet: %v", tc.quiet, v)
			}
		})
	}
	// A lockout outlives a Forget shorter than itself.
	l := New(Config{Forget: time.Minute, FreeFailures: 1, LockoutAfter: 2})
	spend(t, l, lanA, t0, 2)
	if v := l.Check(lanA, t0.Add(9*time.Minute)); !v.Lockout {
		t.Fatalf("lockout forgotten after Forget: %v", v)
	}
}

func TestEvictionBound(t *testing.T) {
	const max = 16
	l := New(Config{MaxKeys: max})
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}) }
	now := t0
	for i := range 1000 {
		now = now.Add(time.Millisecond)
		spend(t, l, addr(i), now, 5)
		if n := l.Len(); n > max {
			t.Fatalf("%d keys after %d addresses, want at most %d", n, i+1, max)
		}
	}
	// The newest are remembered, the oldest were forgotten.
	if v := l.Check(addr(999), now); v.Allowed {
		t.Fatalf("newest key forgotten: %v", v)
	}
	if v := l.Check(addr(0), now); !v.Allowed {
		t.Fatalf("oldest key still remembered: %v", v)
	}
	if len(l.wins) > 2*max+1 {
		t.Fatalf("%d report windows kept for %d keys", len(l.wins), max)
	}
}
