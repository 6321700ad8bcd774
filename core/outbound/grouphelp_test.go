package outbound

import (
	"context"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// countingListener counts the connections an upstream accepts (probes
// included) and can make it slow to answer.
type countingListener struct {
	net.Listener
	n     atomic.Int64
	delay time.Duration
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
		time.Sleep(l.delay) // before the server reads the greeting
	}
	return c, err
}

// serveFake starts f on addr ("127.0.0.1:0" for any port) behind a
// countingListener, as fakeServer.start does.
func serveFake(t *testing.T, f *fakeServer, addr string, delay time.Duration) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln, delay: delay}
	f.ln, f.live, f.ended = cl, map[io.Closer]struct{}{}, make(chan struct{}, 16)
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.stop)
	return cl
}

func via(addr string) *Chain { return &Chain{Hops: []Upstream{{Addr: addr}}} }

// eventLog records a group's events as short strings.
type eventLog struct {
	mu  sync.Mutex
	got []string
}

func (e *eventLog) hook(ev GroupEvent) {
	s := ev.Kind.String() + " " + ev.Member
	if ev.Kind == MemberSwitched {
		s = "switched " + ev.From + "→" + ev.Member
	}
	e.mu.Lock()
	e.got = append(e.got, strings.TrimSpace(s))
	e.mu.Unlock()
}

// expect waits for the events so far to be want: delivery may trail the
// request that caused it by a moment.
func (e *eventLog) expect(t *testing.T, want ...string) {
	t.Helper()
	var got []string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		e.mu.Lock()
		got = slices.Clone(e.got)
		e.mu.Unlock()
		if len(got) >= len(want) {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dialVia dials dst through g, echoes once and returns the member used.
func dialVia(t *testing.T, g *Group, dst socks5.Addr) string {
	t.Helper()
	conn, member, err := g.DialVia(ctx5s(t), dst)
	if err != nil {
		t.Fatalf("dial %v via %v: %v", dst, g, err)
	}
	defer conn.Close()
	echoOnce(t, conn, "hello")
	return member
}

func status(t *testing.T, g *Group, name string) MemberStatus {
	t.Helper()
	for _, s := range g.Status() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no member %q in %+v", name, g.Status())
	return MemberStatus{}
}
