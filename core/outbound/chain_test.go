package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// noLocalDNS is a Forward route whose resolver fails the test: a chain
// must not resolve anything here when its hops are IPs.
func noLocalDNS(t *testing.T) *Direct {
	return &Direct{Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
		t.Errorf("local resolver asked for %q", host)
		return notFound(context.Background(), host)
	}}
}

func dialChain(t *testing.T, c *Chain, dst socks5.Addr) net.Conn {
	t.Helper()
	conn, err := c.Dial(context.Background(), dst)
	if err != nil {
		t.Fatalf("dial %v %v: %v", c, dst, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func chainErr(t *testing.T, c *Chain, ctx context.Context, dst string) error {
	t.Helper()
	conn, err := c.Dial(ctx, mustAddr(t, dst))
	if err == nil {
		conn.Close()
		t.Fatalf("dial %s via %v succeeded", dst, c)
	}
	return err
}

func TestChainConnect(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	dst := socks5.AddrFromAddrPort(echo.AddrPort())
	for _, tc := range []struct {
		name string
		srv  *fakeServer
		hop  Upstream
	}{
		{"no auth", &fakeServer{}, Upstream{}},
		{"username/password", &fakeServer{user: "alice", pass: "s3cret"}, Upstream{Username: "alice", Password: "s3cret"}},
		{"credentials not needed", &fakeServer{}, Upstream{Username: "alice", Password: "s3cret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.srv.start(t)
			tc.hop.Addr = tc.srv.addr()
			c := dialChain(t, &Chain{Hops: []Upstream{tc.hop}, Forward: noLocalDNS(t)}, dst)
			echoOnce(t, c, "through one hop")
			if _, ok := c.(*net.TCPConn); !ok {
				t.Errorf("conn is %T, want *net.TCPConn (the relay's fast path)", c)
			}
			if r := tc.srv.requests(); len(r) != 1 || r[0].Addr != dst {
				t.Errorf("upstream got %+v, want one CONNECT to %v", r, dst)
			}
		})
	}
}

func TestChainWrongPassword(t *testing.T) {
	const pw = "wrong-Pa55word"
	srv := (&fakeServer{user: "alice", pass: "right"}).start(t)
	hop := Upstream{Addr: srv.addr(), Username: "alice", Password: pw}
	err := chainErr(t, &Chain{Hops: []Upstream{hop}}, context.Background(), "192.0.2.1:80")
	msg := err.Error()
	if !strings.HasPrefix(msg, "upstream "+srv.addr()+": authentication") {
		t.Errorf("message %q does not lead with the upstream and the step", msg)
	}
	if strings.Contains(msg, pw) || strings.Contains(fmt.Sprintf("%v %+v %#v", hop, hop, hop), pw) {
		t.Errorf("password disclosed: %q", msg)
	}
	if !errors.Is(err, ErrAuthFailed) {
		t.Errorf("%v is not ErrAuthFailed", err)
	}
	if got := socks5.ReplyFor(err); got != socks5.ReplyGeneralFailure {
		t.Errorf("ReplyFor = %v, want general failure", got)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Source.String() != srv.addr() || oe.Addr.String() != "192.0.2.1:80" {
		t.Errorf("want a *net.OpError from the upstream to the target, got %#v", oe)
	}
}

func TestChainNoCredentials(t *testing.T) {
	srv := (&fakeServer{user: "alice", pass: "right"}).start(t)
	err := chainErr(t, &Chain{Hops: []Upstream{{Addr: srv.addr()}}}, context.Background(), "192.0.2.1:80")
	if !errors.Is(err, ErrNoAcceptableAuth) || !strings.Contains(err.Error(), "greeting") {
		t.Errorf("error %q: want ErrNoAcceptableAuth at the greeting", err)
	}
}

func TestChainPassesUpstreamReply(t *testing.T) {
	for r := socks5.ReplyGeneralFailure; r <= socks5.ReplyAddressTypeNotSupported; r++ {
		t.Run(r.String(), func(t *testing.T) {
			srv := (&fakeServer{reply: r}).start(t)
			err := chainErr(t, &Chain{Hops: []Upstream{{Addr: srv.addr()}}}, context.Background(), "192.0.2.1:80")
			var re *socks5.ReplyError
			if !errors.As(err, &re) || re.Reply != r {
				t.Fatalf("error %v: want *socks5.ReplyError %v", err, r)
			}
			if got := socks5.ReplyFor(err); got != r {
				t.Errorf("ReplyFor = %v, want %v", got, r)
			}
			if r == socks5.ReplyConnectionRefused {
				want := "upstream " + srv.addr() + ": connect 192.0.2.1:80: socks5 server replied 0x05 (connection refused)"
				if err.Error() != want {
					t.Errorf("message\n %q\nwant\n %q", err, want)
				}
			}
		})
	}
}

func TestChainUpstreamDown(t *testing.T) {
	addr := closedPort(t)
	err := chainErr(t, &Chain{Hops: []Upstream{{Addr: addr}}}, context.Background(), "192.0.2.1:80")
	if got := socks5.ReplyFor(err); got != socks5.ReplyConnectionRefused {
		t.Errorf("ReplyFor(%v) = %v, want connection refused", err, got)
	}
	if !strings.HasPrefix(err.Error(), "upstream "+addr+": dial: ") {
		t.Errorf("message %q does not name the upstream and the dial", err)
	}
}

func TestChainTwoHops(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	first := (&fakeServer{}).start(t)
	second := (&fakeServer{user: "bob", pass: "pw2"}).start(t)
	c := &Chain{Hops: []Upstream{{Addr: first.addr()}, {Addr: second.addr(), Username: "bob", Password: "pw2"}}, Forward: noLocalDNS(t)}
	if want := "via " + first.addr() + " → " + second.addr(); c.String() != want {
		t.Errorf("String() = %q, want %q", c, want)
	}
	dst := socks5.AddrFromAddrPort(echo.AddrPort())
	echoOnce(t, dialChain(t, c, dst), "through two hops")
	if r := first.requests(); len(r) != 1 || r[0].Addr.String() != second.addr() {
		t.Errorf("first hop got %+v, want a CONNECT to the second", r)
	}
	if r := second.requests(); len(r) != 1 || r[0].Addr != dst {
		t.Errorf("second hop got %+v, want a CONNECT to %v", r, dst)
	}

	// A failure at the second hop names the second hop.
	second.stop()
	err := chainErr(t, c, context.Background(), echo.String())
	if !strings.HasPrefix(err.Error(), "upstream "+first.addr()+": connect "+second.addr()) {
		t.Errorf("message %q: want the first hop failing to reach the second", err)
	}
	if got := socks5.ReplyFor(err); got != socks5.ReplyConnectionRefused {
		t.Errorf("ReplyFor(%v) = %v, want connection refused (the first hop's reply)", err, got)
	}
}

func TestChainSendsNamesAsNames(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	srv := (&fakeServer{}).start(t)
	dst := socks5.Addr{Name: "localhost", Port: uint16(echo.Port)}
	c := dialChain(t, &Chain{Hops: []Upstream{{Addr: srv.addr()}}, Forward: noLocalDNS(t)}, dst)
	echoOnce(t, c, "resolved upstream")
	r := srv.requests()
	if len(r) != 1 || r[0].Addr.Type() != socks5.AddrDomain || r[0].Addr.Name != "localhost" {
		t.Errorf("upstream got %+v, want ATYP 03 \"localhost\"", r)
	}
}

func TestChainCancelDuringHandshake(t *testing.T) {
	srv := (&fakeServer{silent: true}).start(t)
	c := &Chain{Hops: []Upstream{{Addr: srv.addr()}}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := chainErr(t, c, ctx, "192.0.2.1:80")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), ": greeting: ") {
		t.Errorf("error %q: want context.Canceled at the greeting", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = chainErr(t, c, ctx, "192.0.2.1:80")
	if got := socks5.ReplyFor(err); got != socks5.ReplyTTLExpired {
		t.Errorf("ReplyFor(%v) = %v, want TTL expired", err, got)
	}
}

func TestChainClearsDeadline(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	srv := (&fakeServer{}).start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	conn, err := (&Chain{Hops: []Upstream{{Addr: srv.addr()}}}).Dial(ctx, socks5.AddrFromAddrPort(echo.AddrPort()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	<-ctx.Done()
	time.Sleep(50 * time.Millisecond)
	echoOnce(t, conn, "after the dial's deadline")
}

func TestChainTargetCheck(t *testing.T) {
	srv := (&fakeServer{}).start(t)
	echo := testnet.EchoTCP(t, "tcp4")
	refuse := func(ap netip.AddrPort) error {
		if ap.Addr().IsLoopback() {
			return socks5.ErrNotAllowed
		}
		return nil
	}
	// The upstream is on loopback: the check must not apply to it, only
	// to the destination.
	ctx := WithTargetCheck(context.Background(), refuse)
	c := &Chain{Hops: []Upstream{{Addr: srv.addr()}}}
	err := chainErr(t, c, ctx, echo.String())
	if got := socks5.ReplyFor(err); got != socks5.ReplyNotAllowed {
		t.Errorf("ReplyFor(%v) = %v, want not allowed", err, got)
	}
	// localhost is this host wherever it is resolved, even by an upstream.
	err = chainErr(t, c, ctx, "localhost:"+strconv.Itoa(echo.Port))
	if got := socks5.ReplyFor(err); got != socks5.ReplyNotAllowed {
		t.Errorf("localhost through the chain: ReplyFor(%v) = %v, want not allowed", err, got)
	}
}

func TestChainNoHops(t *testing.T) {
	c := &Chain{}
	if _, err := c.Dial(context.Background(), mustAddr(t, "127.0.0.1:9")); !errors.Is(err, ErrNoHops) {
		t.Errorf("Dial: %v, want ErrNoHops", err)
	}
	if _, err := c.ListenPacket(context.Background()); !errors.Is(err, ErrNoHops) {
		t.Errorf("ListenPacket: %v, want ErrNoHops", err)
	}
}

func TestRouteStrings(t *testing.T) {
	for _, tc := range []struct {
		r    Route
		want string
	}{
		{&Direct{}, "direct"},
		{&Chain{Hops: []Upstream{{Addr: "127.0.0.1:1081", Username: "u", Password: "p"}}}, "via 127.0.0.1:1081"},
		{&Chain{Hops: []Upstream{{Addr: "127.0.0.1:1081"}, {Addr: "127.0.0.1:1082"}}}, "via 127.0.0.1:1081 → 127.0.0.1:1082"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	u := Upstream{Addr: "h:1", Username: "u", Password: "hunter2"}
	if s := fmt.Sprintf("%v|%+v|%#v|%s", u, u, u, []Upstream{u}); strings.Contains(s, "hunter2") {
		t.Errorf("password in %q", s)
	}
}
