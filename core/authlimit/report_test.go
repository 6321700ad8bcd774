package authlimit

import (
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder collects the events a limiter reports.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func (r *recorder) report(e Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

// take returns the events since the last take, as strings.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []string
	for _, e := range r.evs {
		s = append(s, e.String())
	}
	r.evs = nil
	return s
}

func newRecorded(cfg Config) (*Limiter, *recorder) {
	rec := &recorder{}
	cfg.Report = rec.report
	return New(cfg), rec
}

func wantEvents(t *testing.T, step string, got []string, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) && (len(got) != 0 || len(want) != 0) {
		t.Errorf("%s: events\n  %q\nwant\n  %q", step, got, want)
	}
}

func TestReportPerMinute(t *testing.T) {
	l, rec := newRecorded(Config{})
	now := spend(t, l, lanA, t0, 3)
	wantEvents(t, "3 failures", rec.take(), "failed login from 192.168.1.7")
	l.Flush(t0.Add(59 * time.Second))
	wantEvents(t, "flush inside the window", rec.take())
	now = spend(t, l, lanA, now, 3) // the 6th waits 1 s
	for range 10 {
		l.Check(lanA, now) // refused: inside the 2 s wait
	}
	l.Flush(t0.Add(time.Minute))
	// 11 refused: the 10 and the one spend made before waiting.
	wantEvents(t, "window ended", rec.take(),
		"6 failed logins from 192.168.1.7 in the last minute, 11 more refused unchecked")
	l.Flush(t0.Add(2 * time.Minute))
	wantEvents(t, "quiet minute", rec.take())

	// One failure alone is reported at once and not summed up again.
	l.Failed(lanB, t0)
	l.Flush(t0.Add(time.Minute))
	wantEvents(t, "one failure", rec.take(), "failed login from 192.168.1.8")

	// A window whose key then logged in is still summed up.
	v6 := netip.MustParseAddr("2001:db8::7")
	l.Failed(v6, t0)
	l.Failed(v6, t0)
	l.Succeeded(v6, t0)
	l.Flush(t0.Add(time.Minute))
	wantEvents(t, "failures then success", rec.take(), "failed login from 2001:db8::7",
		"2 failed logins from 2001:db8::/64 in the last minute")
}

func TestReportLockout(t *testing.T) {
	l, rec := newRecorded(Config{FreeFailures: 2, LockoutAfter: 3, Lockout: 10 * time.Minute})
	now := spend(t, l, lanA, t0, 3) // the third at t0+1s
	wantEvents(t, "lockout", rec.take(), "failed login from 192.168.1.7",
		"192.168.1.7 locked out until 12:10:01 after 3 failed logins")
	// An attempt a second, at t0+1s…t0+100s, with the server's ticker.
	for i := range 100 {
		at := now.Add(time.Duration(i) * time.Second)
		l.Check(lanA, at)
		l.Flush(at)
	}
	l.Flush(now.Add(2 * time.Minute))
	wantEvents(t, "refused during the lockout", rec.take(),
		"3 failed logins from 192.168.1.7 in the last minute, 61 more refused unchecked", // 60 and spend's
		"40 attempts from 192.168.1.7 in the last minute, all refused unchecked")
	// The next failure after the lockout starts a new one, reported too.
	now = now.Add(10 * time.Minute)
	guess(l, lanA, now)
	wantEvents(t, "second lockout", rec.take(), "failed login from 192.168.1.7",
		"192.168.1.7 locked out until 12:20:01 after 4 failed logins")
}

// TestReportBudget: an attacker with many addresses gets EventBudget
// lines a minute, then one summary for the rest.
func TestReportBudget(t *testing.T) {
	l, rec := newRecorded(Config{})
	for i := range 200 {
		a := netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})
		l.Failed(a, t0)
		l.Failed(a, t0)
	}
	if got := rec.take(); len(got) != EventBudget {
		t.Fatalf("%d events at once, want %d", len(got), EventBudget)
	}
	l.Flush(t0.Add(time.Minute))
	got := rec.take()
	// The flush has a new budget: 30 summaries alone, 170 together.
	want := "340 failed logins from 170 other addresses in the last minute"
	if len(got) != EventBudget+1 || got[len(got)-1] != want {
		t.Fatalf("flush: %d events, last %q; want %d, last %q", len(got), got[len(got)-1], EventBudget+1, want)
	}
	// The next minute has a budget again.
	l.Failed(lanA, t0.Add(2*time.Minute))
	wantEvents(t, "next minute", rec.take(), "failed login from 192.168.1.7")
}

// TestReportEvicted: counts of keys evicted before their window ended are
// reported together rather than lost.
func TestReportEvicted(t *testing.T) {
	l, rec := newRecorded(Config{MaxKeys: 2})
	for i := range 5 {
		l.Failed(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), t0)
	}
	rec.take()
	l.Flush(t0.Add(time.Minute))
	wantEvents(t, "evicted", rec.take(), "3 failed logins from 3 other addresses in the last minute")
}

// TestEventHasNoSecrets: the limiter is never given a username or a
// password, and its events have no field that could hold one.
func TestEventHasNoSecrets(t *testing.T) {
	ev := reflect.TypeFor[Event]()
	for i := range ev.NumField() {
		f := ev.Field(i)
		switch f.Type.Kind() {
		case reflect.String, reflect.Slice, reflect.Array, reflect.Interface, reflect.Map, reflect.Pointer:
			t.Errorf("Event.%s is a %v: it could carry a secret", f.Name, f.Type)
		}
	}
	lim := reflect.TypeFor[*Limiter]()
	for i := range lim.NumMethod() {
		m := lim.Method(i)
		for j := range m.Type.NumIn() {
			if in := m.Type.In(j); in.Kind() == reflect.String || in.Kind() == reflect.Slice {
				t.Errorf("Limiter.%s takes a %v", m.Name, in)
			}
		}
	}
}

func TestEventString(t *testing.T) {
	k6 := Key(netip.MustParseAddr("2001:db8::1"))
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{Event{Kind: FailedLogin, Key: Key(lanA), Addr: lanA}, "failed login from 192.168.1.7"},
		{Event{Kind: FailedLogin, Key: k6, Addr: netip.MustParseAddr("2001:db8::1")}, "failed login from 2001:db8::1"},
		{Event{Kind: Summary, Key: Key(lanA), Failed: 12}, "12 failed logins from 192.168.1.7 in the last minute"},
		{Event{Kind: Summary, Key: k6, Failed: 1, Refused: 1}, "1 failed login from 2001:db8::/64 in the last minute, 1 more refused unchecked"},
		{Event{Kind: Summary, Key: k6, Refused: 1}, "1 attempt from 2001:db8::/64 in the last minute, all refused unchecked"},
		{Event{Kind: Summary, Keys: 1, Failed: 2, Locked: 1}, "2 failed logins from 1 other address in the last minute, 1 locked out"},
		{Event{Kind: Summary, Failed: 2}, "2 failed logins from an unknown address in the last minute"},
		{Event{Kind: LockedOut, Key: k6, Failed: 20, Until: t0}, "2001:db8::/64 locked out until 12:00:00 after 20 failed logins"},
		{Event{Kind: 9}, "Kind(9)"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    Verdict
		want string
	}{
		{Verdict{Allowed: true}, "allowed"},
		{Verdict{Until: t0}, "refused until 12:00:00"},
		{Verdict{Until: t0, Lockout: true}, "locked out until 12:00:00"},
	} {
		if got := tc.v.String(); !strings.EqualFold(got, tc.want) {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
