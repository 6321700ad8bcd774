package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// TestGroupFailover100 is issue 10's test: a dead member first, then a
// live one, 100 CONNECTs (four at a time) without one failure.
func TestGroupFailover100(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	for _, tc := range []struct {
		name, reason string
		dead         func(t *testing.T) string
	}{
		{"closed port", "connection refused", closedPort},
		{"accepts then hangs", "greeting", func(t *testing.T) string {
			return (&fakeServer{silent: true}).start(t).addr()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dead := tc.dead(t)
			live := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
			g := &Group{Name: "work", Timeout: 2 * time.Second, MinBackoff: time.Minute,
				Members: []Member{{"dead", via(dead)}, {"live", via(live.Addr().String())}}}
			var wg sync.WaitGroup
			var used sync.Map
			for w := range 4 {
				wg.Go(func() {
					for i := range 25 {
						conn, member, err := g.DialVia(context.Background(), echo)
						if err != nil {
							t.Errorf("CONNECT %d.%d: %v", w, i, err)
							continue
						}
						msg := fmt.Sprintf("hello %d.%d", w, i)
						conn.SetDeadline(time.Now().Add(5 * time.Second))
						io.WriteString(conn, msg)
						got := make([]byte, len(msg))
						if _, err := io.ReadFull(conn, got); err != nil || string(got) != msg {
							t.Errorf("CONNECT %d.%d: echo %q, %v", w, i, got, err)
						}
						conn.Close()
						used.Store(member, true)
					}
				})
			}
			wg.Wait()
			if _, ok := used.Load("dead"); ok {
				t.Error("the dead member carried a connection")
			}
			if n := live.n.Load(); n != 100 {
				t.Errorf("live upstream got %d connections, want 100", n)
			}
			d := status(t, g, "dead")
			if d.Up || !strings.Contains(d.Reason, dead) || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("dead member: %+v, want down with %q from %s", d, tc.reason, dead)
			}
			if d.BackoffUntil.Before(time.Now()) {
				t.Errorf("dead member's backoff ends %v, in the past", d.BackoffUntil)
			}
			if l := status(t, g, "live"); !l.Up || !l.Current || l.Latency == 0 {
				t.Errorf("live member: %+v, want up, current, measured", l)
			}
		})
	}
}

// TestGroupRecovers: a member that comes back is left alone during its
// backoff, then used again, in failover order.
func TestGroupRecovers(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	dead := closedPort(t)
	live := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
	var ev eventLog
	const backoff = 500 * time.Millisecond
	g := &Group{Name: "work", MinBackoff: backoff, OnChange: ev.hook,
		Members: []Member{{"primary", via(dead)}, {"backup", via(live.Addr().String())}}}

	if m := dialVia(t, g, echo); m != "backup" {
		t.Fatalf("carried by %q, want backup", m)
	}
	back := serveFake(t, &fakeServer{}, dead, 0) // the primary comes back
	until := status(t, g, "primary").BackoffUntil
	for range 5 {
		if m := dialVia(t, g, echo); m != "backup" {
			t.Errorf("during the backoff, carried by %q, want backup", m)
		}
	}
	if time.Now().Before(until) && back.n.Load() != 0 {
		t.Errorf("primary got %d connections during its backoff", back.n.Load())
	}
	time.Sleep(time.Until(until) + 10*time.Millisecond)
	if m := dialVia(t, g, echo); m != "primary" {
		t.Errorf("after the backoff, carried by %q, want primary", m)
	}
	if m := dialVia(t, g, echo); m != "primary" {
		t.Errorf("next, carried by %q, want primary", m)
	}
	if s := status(t, g, "primary"); !s.Up || !s.Current || !s.BackoffUntil.IsZero() {
		t.Errorf("primary: %+v, want up and current", s)
	}
	ev.expect(t, "member down primary", "switched primary→backup", "member up primary", "switched backup→primary")
}

// TestGroupHalfOpenTrial: when a hanging member's backoff has passed, one
// request tries it and the others do not wait for it.
func TestGroupHalfOpenTrial(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	hang := serveFake(t, &fakeServer{silent: true}, "127.0.0.1:0", 0)
	live := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
	g := &Group{Timeout: 2 * time.Second, MinBackoff: 100 * time.Millisecond,
		Members: []Member{{"hang", via(hang.Addr().String())}, {"live", via(live.Addr().String())}}}
	dialVia(t, g, echo) // marks hang down, after its share of 2 s
	time.Sleep(time.Until(status(t, g, "hang").BackoffUntil) + 10*time.Millisecond)

	before := hang.n.Load()
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			conn, m, err := g.DialVia(context.Background(), echo)
			if err != nil || m != "live" {
				t.Errorf("carried by %q: %v", m, err)
				return
			}
			conn.Close()
		})
	}
	wg.Wait()
	if n := hang.n.Load() - before; n != 1 {
		t.Errorf("%d requests tried the half-open member, want 1", n)
	}
	if s := status(t, g, "hang"); s.Up || s.BackoffUntil.Sub(s.Since) < 200*time.Millisecond {
		t.Errorf("hang: %+v, want down with a doubled backoff", s)
	}
}

func TestGroupFastest(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	slow := serveFake(t, &fakeServer{}, "127.0.0.1:0", 50*time.Millisecond)
	fast := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
	var ev eventLog
	g := &Group{Policy: Fastest, OnChange: ev.hook,
		Members: []Member{{"slow", via(slow.Addr().String())}, {"fast", via(fast.Addr().String())}}}
	var got []string
	for range 12 {
		got = append(got, dialVia(t, g, echo))
	}
	// Each is measured once (unmeasured members come first, by order),
	// then the fast one wins.
	want := append([]string{"slow", "fast"}, slices.Repeat([]string{"fast"}, 10)...)
	if !slices.Equal(got, want) {
		t.Errorf("members used %q, want %q", got, want)
	}
	if s, f := status(t, g, "slow"), status(t, g, "fast"); s.Latency <= f.Latency || !s.Up {
		t.Errorf("latency slow %v, fast %v", s.Latency, f.Latency)
	}
	ev.expect(t, "switched slow→fast")
}

// TestGroupDestinationAnswer: a refusal from the destination through a
// working member reaches the client as it is, and counts against no one.
func TestGroupDestinationAnswer(t *testing.T) {
	closed := mustAddr(t, closedPort(t))
	for _, tc := range []struct {
		name  string
		first func(t *testing.T) Route
		want  socks5.Reply
	}{
		{"05 from the upstream", func(t *testing.T) Route { return via((&fakeServer{}).start(t).addr()) }, socks5.ReplyConnectionRefused},
		{"02 from the upstream", func(t *testing.T) Route {
			return via((&fakeServer{reply: socks5.ReplyNotAllowed}).start(t).addr())
		}, socks5.ReplyNotAllowed},
		{"05 through a two-hop chain", func(t *testing.T) Route {
			a, b := (&fakeServer{}).start(t), (&fakeServer{}).start(t)
			return &Chain{Hops: []Upstream{{Addr: a.addr()}, {Addr: b.addr()}}}
		}, socks5.ReplyConnectionRefused},
		{"refused directly", func(*testing.T) Route { return &Direct{} }, socks5.ReplyConnectionRefused},
		{"through an inner group", func(t *testing.T) Route {
			return &Group{Members: []Member{{"inner", via((&fakeServer{}).start(t).addr())}}}
		}, socks5.ReplyConnectionRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
			var ev eventLog
			g := &Group{OnChange: ev.hook, Members: []Member{{"first", tc.first(t)}, {"other", via(other.Addr().String())}}}
			for range 3 {
				conn, member, err := g.DialVia(ctx5s(t), closed)
				if err == nil {
					conn.Close()
					t.Fatal("dial to a closed port succeeded")
				}
				if r := socks5.ReplyFor(err); r != tc.want || !strings.HasPrefix(member, "first") {
					t.Errorf("reply %v via %q (%v), want %v via first", r, member, err, tc.want)
				}
			}
			if n := other.n.Load(); n != 0 {
				t.Errorf("the next member was tried %d times", n)
			}
			for _, s := range g.Status() {
				if !s.Up || s.Reason != "" {
					t.Errorf("member %+v, want up with no failure", s)
				}
			}
			ev.expect(t)
		})
	}
}

func TestGroupAllDown(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	a, b := closedPort(t), closedPort(t)
	var ev eventLog
	g := &Group{Name: "work", MinBackoff: time.Minute, OnChange: ev.hook,
		Members: []Member{{"a", via(a)}, {"b", via(b)}}}
	_, err := g.Dial(ctx5s(t), echo)
	var ge *GroupError
	if !errors.As(err, &ge) || len(ge.Failures) != 2 || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) {
		t.Fatalf("error %v, want a GroupError naming %s and %s", err, a, b)
	}
	ev.expect(t, "member down a", "member down b", "all members down")

	// Both are in their backoff; the soonest to end (a's) is tried first,
	// and a member that answers is used.
	serveFake(t, &fakeServer{}, b, 0)
	if m := dialVia(t, g, echo); m != "b" {
		t.Errorf("carried by %q, want b", m)
	}
	ev.expect(t, "member down a", "member down b", "all members down", "member up b", "switched a→b")
	if !strings.Contains(status(t, g, "a").Reason, "refused") {
		t.Errorf("a: %+v", status(t, g, "a"))
	}
}
