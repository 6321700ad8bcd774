package outbound

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestGroupNoProbesWhenChecksOff: without active checks, an idle group
// sends nothing to any upstream, and a request reaches only the member
// that carries it.
func TestGroupNoProbesWhenChecksOff(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	a := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
	b := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
	g := &Group{Members: []Member{{"a", via(a.Addr().String())}, {"b", via(b.Addr().String())}},
		Check: HealthCheck{Target: echo.String()}} // a target alone turns nothing on
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	g.Status()
	time.Sleep(300 * time.Millisecond)
	if na, nb := a.n.Load(), b.n.Load(); na+nb != 0 {
		t.Errorf("idle with checks off: upstreams got %d and %d connections", na, nb)
	}
	dialVia(t, g, echo)
	time.Sleep(100 * time.Millisecond)
	if na, nb := a.n.Load(), b.n.Load(); na != 1 || nb != 0 {
		t.Errorf("after one CONNECT: upstreams got %d and %d connections, want 1 and 0", na, nb)
	}
}

// TestGroupActiveCheck: with checks on, a dead member is found without
// client traffic, found again when it comes back, and the probes end with
// Close.
func TestGroupActiveCheck(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	dead := closedPort(t)
	live := serveFake(t, &fakeServer{}, "127.0.0.1:0", 0)
	var ev eventLog
	g := &Group{MinBackoff: time.Minute, OnChange: ev.hook,
		Members: []Member{{"dead", via(dead)}, {"live", via(live.Addr().String())}},
		Check:   HealthCheck{Interval: 50 * time.Millisecond, Target: echo.String()}}
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	waitFor(t, "the dead member to be found", func() bool { return !status(t, g, "dead").Up })
	if r := status(t, g, "dead").Reason; !contains(r, "health check", dead, "refused") {
		t.Errorf("reason %q", r)
	}
	waitFor(t, "the live member's latency", func() bool { return status(t, g, "live").Latency > 0 })

	// Probes, unlike requests, ignore the backoff: a member that comes
	// back is up at the next round.
	serveFake(t, &fakeServer{}, dead, 0)
	waitFor(t, "the member to come back", func() bool { return status(t, g, "dead").Up })
	ev.expect(t, "member down dead", "member up dead")

	g.Close()
	// A probe's connection made just before Close may still be waiting in
	// the upstream's accept queue: let the count settle first.
	time.Sleep(100 * time.Millisecond)
	n := live.n.Load()
	time.Sleep(300 * time.Millisecond)
	if m := live.n.Load(); m != n {
		t.Errorf("%d probes after Close", m-n)
	}
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestGroupCheckTarget(t *testing.T) {
	g := &Group{Members: []Member{{"d", &Direct{}}}, Check: HealthCheck{Interval: time.Second}}
	if err := g.Start(); !errors.Is(err, ErrCheckTarget) {
		t.Errorf("Start without a target: %v, want ErrCheckTarget", err)
	}
	g.Close()
}

// TestGroupUDP: a member that cannot carry UDP is skipped and stays up.
func TestGroupUDP(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	srv := (&fakeServer{}).start(t)
	g := &Group{Members: []Member{
		{"http-only", &Chain{Hops: []Upstream{{Kind: Kind(99), Addr: "127.0.0.1:9"}}}},
		{"socks", via(srv.addr())},
	}}
	var v Via
	pc, err := g.ListenPacket(WithVia(ctx5s(t), &v))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	udpEcho(t, pc, socks5.AddrFromAddrPort(echo), "datagram", echo)
	if v.String() != "socks" {
		t.Errorf("via %q, want socks", v.String())
	}
	if s := status(t, g, "http-only"); !s.Up {
		t.Errorf("http-only: %+v, want up", s)
	}
}

// TestGroupNested: an inner group is a member like any other, and Via
// names the path.
func TestGroupNested(t *testing.T) {
	echo := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	live := (&fakeServer{}).start(t)
	inner := &Group{Members: []Member{{"dead", via(closedPort(t))}, {"office-ssh", via(live.addr())}}}
	outer := &Group{Members: []Member{{"backup", inner}, {"direct", &Direct{}}}}
	if m := dialVia(t, outer, echo); m != "backup/office-ssh" {
		t.Errorf("via %q, want backup/office-ssh", m)
	}
	if got, want := outer.String(), "failover[backup, direct]"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
	if got, want := (&Group{Policy: Fastest, Members: []Member{{Route: via("127.0.0.1:1")}, {Route: &Direct{}}}}).String(),
		"fastest[via 127.0.0.1:1, direct]"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
	if _, err := (&Group{}).Dial(context.Background(), echo); !errors.Is(err, ErrNoMembers) {
		t.Errorf("empty group: %v", err)
	}
}
