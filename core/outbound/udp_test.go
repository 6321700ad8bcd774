package outbound

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

func listenPacket(t *testing.T, r Route) PacketConn {
	t.Helper()
	pc, err := r.ListenPacket(context.Background())
	if err != nil {
		t.Fatalf("ListenPacket via %v: %v", r, err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// udpEcho sends msg to dst and expects it back from from.
func udpEcho(t *testing.T, pc PacketConn, dst socks5.Addr, msg string, from netip.AddrPort) {
	t.Helper()
	if n, err := pc.WriteTo([]byte(msg), dst); err != nil || n != len(msg) {
		t.Fatalf("WriteTo %v: %d, %v", dst, n, err)
	}
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer pc.SetReadDeadline(time.Time{})
	buf := make([]byte, 2048)
	n, src, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("ReadFrom: %v", err)
	}
	if string(buf[:n]) != msg {
		t.Errorf("got %q, want %q", buf[:n], msg)
	}
	if got, ok := src.AddrPort(); !ok || got != from {
		t.Errorf("source %v, want %v", src, from)
	}
}

func TestDirectUDP(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	var calls atomic.Int32
	pc := listenPacket(t, &Direct{Resolve: resolveTo(&calls, "127.0.0.1")})
	udpEcho(t, pc, socks5.AddrFromAddrPort(echo), "by IP", echo)
	byName := socks5.Addr{Name: "echo.test", Port: echo.Port()}
	udpEcho(t, pc, byName, "by name", echo)
	udpEcho(t, pc, byName, "by name again", echo)
	if calls.Load() != 1 {
		t.Errorf("resolver called %d times, want 1 (cached)", calls.Load())
	}
}

func TestDirectUDPErrors(t *testing.T) {
	ctx := WithTargetCheck(context.Background(), func(ap netip.AddrPort) error {
		if ap.Addr().IsLoopback() {
			return socks5.ErrNotAllowed
		}
		return nil
	})
	pc, err := (&Direct{Resolve: notFound}).ListenPacket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	_, err = pc.WriteTo([]byte("x"), socks5.Addr{Name: "nowhere.test", Port: 53})
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("WriteTo an unknown name: %v, want a not-found *net.DNSError", err)
	}
	if _, err := pc.WriteTo([]byte("x"), mustAddr(t, "127.0.0.1:53")); !errors.Is(err, socks5.ErrNotAllowed) {
		t.Errorf("WriteTo a refused target: %v, want ErrNotAllowed", err)
	}
}

func TestChainUDP(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	for _, anyBound := range []bool{false, true} {
		name := "relay 127.0.0.1"
		if anyBound {
			name = "relay announced as 0.0.0.0"
		}
		t.Run(name, func(t *testing.T) {
			srv := (&fakeServer{user: "u", pass: "p", anyBound: anyBound}).start(t)
			c := &Chain{Hops: []Upstream{{Addr: srv.addr(), Username: "u", Password: "p"}}, Forward: noLocalDNS(t)}
			pc := listenPacket(t, c)
			udpEcho(t, pc, socks5.AddrFromAddrPort(echo), "one hop", echo)
			udpEcho(t, pc, socks5.Addr{Name: "localhost", Port: echo.Port()}, "by name", echo)
			d := srv.datagrams()
			if len(d) != 2 || d[1].Type() != socks5.AddrDomain || d[1].Name != "localhost" {
				t.Errorf("upstream relayed to %v, want the name \"localhost\" kept", d)
			}
			if r := srv.requests(); len(r) != 1 || r[0].Command != socks5.CmdUDPAssociate {
				t.Errorf("upstream got %+v, want one UDP ASSOCIATE", r)
			}
		})
	}
}

func TestChainUDPTwoHops(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	first := (&fakeServer{}).start(t)
	second := (&fakeServer{anyBound: true}).start(t)
	pc := listenPacket(t, &Chain{Hops: []Upstream{{Addr: first.addr()}, {Addr: second.addr()}}, Forward: noLocalDNS(t)})
	udpEcho(t, pc, socks5.AddrFromAddrPort(echo), "two hops", echo)
	if d := second.datagrams(); len(d) != 1 || d[0] != socks5.AddrFromAddrPort(echo) {
		t.Errorf("second hop relayed to %v, want %v", d, echo)
	}
	// The second relay said 0.0.0.0: its host as configured stands in.
	if d := first.datagrams(); len(d) != 1 || d[0].IP != netip.MustParseAddr("127.0.0.1") || d[0].Port == 0 {
		t.Errorf("first hop relayed to %v, want the second hop's relay", d)
	}
}

func TestChainUDPEnds(t *testing.T) {
	t.Run("upstream hangs up", func(t *testing.T) {
		srv := (&fakeServer{}).start(t)
		pc := listenPacket(t, &Chain{Hops: []Upstream{{Addr: srv.addr()}}})
		time.AfterFunc(100*time.Millisecond, srv.stop)
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := pc.ReadFrom(make([]byte, 100))
		if err == nil || !strings.Contains(err.Error(), "upstream "+srv.addr()+": udp association ended") {
			t.Errorf("ReadFrom: %v, want the association's end", err)
		}
	})
	t.Run("Close", func(t *testing.T) {
		srv := (&fakeServer{}).start(t)
		pc := listenPacket(t, &Chain{Hops: []Upstream{{Addr: srv.addr()}}})
		pc.Close()
		select {
		case <-srv.ended:
		case <-time.After(5 * time.Second):
			t.Fatal("the upstream's association outlived Close")
		}
		if _, err := pc.WriteTo([]byte("x"), mustAddr(t, "127.0.0.1:9")); !errors.Is(err, net.ErrClosed) {
			t.Errorf("WriteTo after Close: %v, want net.ErrClosed", err)
		}
	})
}

func TestChainUDPRefused(t *testing.T) {
	srv := (&fakeServer{reply: socks5.ReplyCommandNotSupported}).start(t)
	_, err := (&Chain{Hops: []Upstream{{Addr: srv.addr()}}}).ListenPacket(context.Background())
	if got := socks5.ReplyFor(err); got != socks5.ReplyCommandNotSupported {
		t.Errorf("ReplyFor(%v) = %v, want command not supported", err, got)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "upstream "+srv.addr()+": udp associate 0.0.0.0:0: ") {
		t.Errorf("message %q does not name the upstream and the step", err)
	}
}

func TestChainUDPDropsStrangers(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	srv := (&fakeServer{}).start(t)
	pc := listenPacket(t, &Chain{Hops: []Upstream{{Addr: srv.addr()}}})
	// A forged datagram straight to our socket, header and all.
	forger, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(pc.LocalAddr().(*net.UDPAddr).Port))))
	if err != nil {
		t.Fatal(err)
	}
	defer forger.Close()
	forged, _ := socks5.UDPHeader{Addr: socks5.AddrFromAddrPort(echo)}.Append(nil)
	forger.Write(append(forged, "forged"...))
	udpEcho(t, pc, socks5.AddrFromAddrPort(echo), "genuine", echo)
}
