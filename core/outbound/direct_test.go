package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// echoOnce sends msg on c and expects it back.
func echoOnce(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if string(got) != msg {
		t.Fatalf("echo %q, want %q", got, msg)
	}
}

func mustAddr(t *testing.T, s string) socks5.Addr {
	t.Helper()
	a, err := socks5.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// closedPort returns a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func notFound(ctx context.Context, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// resolveTo answers every lookup with ips and counts the calls.
func resolveTo(calls *atomic.Int32, ips ...string) func(context.Context, string) ([]netip.Addr, error) {
	return func(context.Context, string) ([]netip.Addr, error) {
		calls.Add(1)
		var out []netip.Addr
		for _, s := range ips {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

func dialDirect(t *testing.T, d *Direct, dst socks5.Addr) net.Conn {
	t.Helper()
	c, err := d.Dial(context.Background(), dst)
	if err != nil {
		t.Fatalf("dial %v: %v", dst, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDirectDialIP(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	c := dialDirect(t, &Direct{}, socks5.AddrFromAddrPort(echo.AddrPort()))
	echoOnce(t, c, "hello")
	if _, ok := c.(*net.TCPConn); !ok {
		t.Errorf("conn is %T, want *net.TCPConn (the relay's fast path)", c)
	}
}

func TestDirectDialNameTriesEachAddress(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	var calls atomic.Int32
	// ::1 refuses (or is missing): the dial must go on to 127.0.0.1.
	d := &Direct{Resolve: resolveTo(&calls, "::1", "127.0.0.1")}
	c := dialDirect(t, d, socks5.Addr{Name: "echo.test", Port: uint16(echo.Port)})
	echoOnce(t, c, "by name")
	if calls.Load() != 1 {
		t.Errorf("resolver called %d times, want 1", calls.Load())
	}
}

func TestDirectDialErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    *Direct
		dst  string
		want socks5.Reply
	}{
		{"refused", &Direct{}, closedPort(t), socks5.ReplyConnectionRefused},
		{"no such host", &Direct{Resolve: notFound}, "nowhere.test:80", socks5.ReplyHostUnreachable},
		{"empty answer", &Direct{Resolve: resolveTo(new(atomic.Int32))}, "nowhere.test:80", socks5.ReplyHostUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.d.Dial(context.Background(), mustAddr(t, tc.dst))
			if err == nil {
				c.Close()
				t.Fatal("dial succeeded")
			}
			if got := socks5.ReplyFor(err); got != tc.want {
				t.Errorf("ReplyFor(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
	_, err := (&Direct{Resolve: notFound}).Dial(context.Background(), mustAddr(t, "nowhere.test:80"))
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("error %v: want a *net.DNSError with IsNotFound", err)
	}
}

func TestDirectTargetCheck(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	var calls atomic.Int32
	d := &Direct{Resolve: resolveTo(&calls, "127.0.0.1")}
	refuse := func(ap netip.AddrPort) error {
		if ap.Addr().IsLoopback() {
			return socks5.ErrNotAllowed
		}
		return nil
	}
	ctx := WithTargetCheck(context.Background(), refuse)
	port := strconv.Itoa(echo.Port)
	for _, dst := range []string{"127.0.0.1:" + port, "sneaky.test:" + port} {
		c, err := d.Dial(ctx, mustAddr(t, dst))
		if err == nil {
			c.Close()
			t.Fatalf("%s: dial succeeded despite the check", dst)
		}
		if got := socks5.ReplyFor(err); got != socks5.ReplyNotAllowed {
			t.Errorf("%s: ReplyFor(%v) = %v, want not allowed", dst, err, got)
		}
	}
}

func TestDirectCancelledDial(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int32
	d := &Direct{Resolve: resolveTo(&calls, "127.0.0.1", "127.0.0.1")}
	if c, err := d.Dial(ctx, socks5.Addr{Name: "x.test", Port: 9}); err == nil {
		c.Close()
		t.Fatal("dial with a cancelled context succeeded")
	}
}
