package server_test

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

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/sockerr"
	"github.com/sockstray/sockstray/internal/testnet"
)

func lanClient(ln net.Listener) net.Listener {
	return fakeRemote{ln, &net.TCPAddr{IP: net.IPv4(192, 168, 1, 50), Port: 40000}}
}

func TestClientAllowlist(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	tenNet := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	denied, _ := serveOn(t, &server.Config{Allow: tenNet}, lanClient)
	c := dial(t, denied)
	send(t, c, h("05 01 00"))
	expectClosed(t, c)

	// This host's own programs are not what an allowlist is about.
	local, _ := serveOn(t, &server.Config{Allow: tenNet}, nil)
	if r := connectNoAuth(t, dial(t, local), echo.String()); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("loopback client with a 10/8 allowlist: reply %v", r.Reply)
	}

	allowed, _ := serveOn(t, &server.Config{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, nil)
	if r := connectNoAuth(t, dial(t, allowed), echo.String()); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("allowed client: reply %v", r.Reply)
	}
}

func TestLANClientsCannotReachLocalTargets(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, _ := serveOn(t, &server.Config{}, lanClient)
	for _, dst := range []string{
		echo.String(),
		net.JoinHostPort("localhost", strconv.Itoa(echo.Port)), // resolved, then refused
		"[::1]:" + strconv.Itoa(echo.Port),
		"0.0.0.0:" + strconv.Itoa(echo.Port),
	} {
		t.Run(dst, func(t *testing.T) {
			if r := connectNoAuth(t, dial(t, addr), dst); r.Reply != socks5.ReplyNotAllowed {
				t.Fatalf("LAN client to %s: reply %v, want %v", dst, r.Reply, socks5.ReplyNotAllowed)
			}
		})
	}

	open, _ := serveOn(t, &server.Config{AllowLocalTargets: true}, lanClient)
	if r := connectNoAuth(t, dial(t, open), echo.String()); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("with AllowLocalTargets: reply %v", r.Reply)
	}
}

func TestListenerSafetyCheck(t *testing.T) {
	for _, tc := range []struct {
		cfg    server.Config
		wantOK bool
	}{
		{server.Config{Listen: "127.0.0.1:1080"}, true},
		{server.Config{Listen: "[::1]:1080"}, true},
		{server.Config{Listen: "localhost:1080"}, true},
		{server.Config{Listen: "0.0.0.0:1080"}, false},
		{server.Config{Listen: ":1080"}, false},
		{server.Config{Listen: "192.168.1.2:1080"}, false},
		{server.Config{Listen: "0.0.0.0:1080", Username: "u", Password: "p"}, true},
		{server.Config{Listen: "0.0.0.0:1080", Allow: []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}}, true},
		{server.Config{Listen: "127.0.0.1:1080", Username: "u"}, false},
		{server.Config{Listen: "0.0.0.0:1080", Allow: prefixes("0.0.0.0/0")}, false},
		{server.Config{Listen: "[::]:1080", Allow: prefixes("::/0")}, false},
		{server.Config{Listen: "0.0.0.0:1080", Allow: prefixes("0.0.0.0/1", "128.0.0.0/1")}, false},
		{server.Config{Listen: "0.0.0.0:1080", Allow: prefixes("0.0.0.0/0"), Username: "u", Password: "p"}, true},
		{server.Config{Listen: "127.0.0.1:1080", Allow: prefixes("0.0.0.0/0")}, true},
	} {
		err := tc.cfg.Check()
		if (err == nil) != tc.wantOK {
			t.Errorf("%+v: Check() = %v, want ok=%v", tc.cfg.Listen, err, tc.wantOK)
		}
		if !tc.wantOK && tc.cfg.Username == "" && !errors.Is(err, server.ErrOpenListener) {
			t.Errorf("%s: error %v is not ErrOpenListener", tc.cfg.Listen, err)
		}
	}
}

// failingRoute fails every dial with err: the failures a real network
// gives that loopback cannot (network unreachable, timeouts).
type failingRoute struct{ err error }

func (f failingRoute) Dial(context.Context, socks5.Addr) (net.Conn, error) { return nil, f.err }
func (f failingRoute) ListenPacket(context.Context) (outbound.PacketConn, error) {
	return nil, f.err
}
func (f failingRoute) String() string { return "failing" }

func TestDialFailureReplyCodes(t *testing.T) {
	// A port nobody listens on: a real "connection refused".
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().String()
	ln.Close()

	notFound := func(ctx context.Context, host string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	for _, tc := range []struct {
		name  string
		route outbound.Route
		dst   string
		want  socks5.Reply
	}{
		{"refused", nil, closedPort, socks5.ReplyConnectionRefused},
		{"no such host", &outbound.Direct{Resolve: notFound}, "no-such-host.invalid:80", socks5.ReplyHostUnreachable},
		{"255-byte name", &outbound.Direct{Resolve: notFound}, strings.Repeat("a", 251) + ".com:80", socks5.ReplyHostUnreachable},
		{"network unreachable", failingRoute{&net.OpError{Op: "dial", Err: sockerr.Errnos(sockerr.NetUnreachable)[0]}}, "127.0.0.1:9", socks5.ReplyNetworkUnreachable},
		{"host unreachable", failingRoute{&net.OpError{Op: "dial", Err: sockerr.Errnos(sockerr.HostUnreachable)[0]}}, "127.0.0.1:9", socks5.ReplyHostUnreachable},
		{"timeout", failingRoute{fmt.Errorf("dial: %w", context.DeadlineExceeded)}, "127.0.0.1:9", socks5.ReplyTTLExpired},
		{"upstream's own code", failingRoute{&socks5.ReplyError{Reply: socks5.ReplyNotAllowed}}, "127.0.0.1:9", socks5.ReplyNotAllowed},
		{"other", failingRoute{errors.New("boom")}, "127.0.0.1:9", socks5.ReplyGeneralFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := serveOn(t, &server.Config{Route: tc.route}, nil)
			c := dial(t, addr)
			if r := connectNoAuth(t, c, tc.dst); r.Reply != tc.want {
				t.Fatalf("reply %v, want %v", r.Reply, tc.want)
			}
			expectClosed(t, c)
		})
	}
}

func TestDialHonoursHandshakeDeadline(t *testing.T) {
	// A route that never answers must not hold the client past the
	// handshake deadline.
	addr, _ := serveOn(t, &server.Config{Route: hangingRoute{}, HandshakeTimeout: 300 * time.Millisecond}, nil)
	c := dial(t, addr)
	start := time.Now()
	if r := connectNoAuth(t, c, "127.0.0.1:9"); r.Reply != socks5.ReplyTTLExpired {
		t.Fatalf("reply %v, want TTL expired", r.Reply)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("answered after %v", d)
	}
}

type hangingRoute struct{ failingRoute }

func (hangingRoute) Dial(ctx context.Context, _ socks5.Addr) (net.Conn, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func prefixes(s ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(s))
	for i, p := range s {
		ps[i] = netip.MustParsePrefix(p)
	}
	return ps
}

func TestOpenAllowlist(t *testing.T) {
	for _, tc := range []struct {
		allow []string
		open  bool
	}{
		{[]string{"0.0.0.0/0"}, true},
		{[]string{"::/0"}, true},
		{[]string{"0.0.0.0/1", "128.0.0.0/1"}, true},
		{[]string{"1.0.0.0/8", "2.0.0.0/8"}, true}, // two /8s of public space
		{[]string{"::ffff:0.0.0.0/96"}, true},      // 0.0.0.0/0 written IPv4-mapped
		{[]string{"2000::/3"}, true},
		{[]string{"2001:db8::/31"}, true},           // more than a /32
		{[]string{"0.0.0.0/0", "10.0.0.0/8"}, true}, // a network inside changes nothing
		{[]string{"1.0.0.0/8"}, false},              // one /8: a big company's own
		{[]string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"}, false},
		{[]string{"0.0.0.0/4"}, true}, // less 0/8 and 10/8, still 14 /8s of public space
		{[]string{"203.0.113.0/24"}, false},
		{[]string{"2001:db8::/32"}, false},
		{[]string{"fc00::/7", "fe80::/10"}, false},
		{nil, false},
	} {
		if got := server.OpenAllowlist(prefixes(tc.allow...)); got != tc.open {
			t.Errorf("OpenAllowlist(%v) = %v, want %v", tc.allow, got, tc.open)
		}
	}
}
