package usage_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/server"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(child(dir))
	}
	goleak.VerifyTestMain(m)
}

// loopbackRoute sends every destination, names included, to 127.0.0.1:
// tests use made-up host names without asking any resolver.
func loopbackRoute() outbound.Route {
	return &outbound.Direct{Resolve: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}}
}

// startEngine runs an engine on a free loopback port.
func startEngine(t testing.TB, cfg *server.Config) *engine.Engine {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Route == nil {
		cfg.Route = loopbackRoute()
	}
	e := engine.New()
	if err := e.Start(cfg); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(e.Stop)
	return e
}

// dialVia opens a connection to host:port through the SOCKS5 proxy at
// proxyAddr with golang.org/x/net/proxy, an independent client.
func dialVia(t testing.TB, proxyAddr string, auth *proxy.Auth, target string) net.Conn {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", proxyAddr, auth, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Dial("tcp", target)
	if err != nil {
		t.Fatalf("dial %s via proxy: %v", target, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// echo sends n bytes and reads them back: n bytes up, n down.
func echo(t testing.TB, c net.Conn, n int) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	msg := bytes.Repeat([]byte{'u'}, n)
	go c.Write(msg)
	if _, err := io.ReadFull(c, make([]byte, n)); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	c.SetDeadline(time.Time{})
}

// newStore is a Store in a fresh folder.
func newStore(t testing.TB) *usage.Store {
	return &usage.Store{Path: filepath.Join(t.TempDir(), "usage.db")}
}

// sums reads the history of today and yesterday as totals per dimension
// and name.
func sums(t testing.TB, s *usage.Store, now time.Time) map[usage.Dim]map[string]usage.Bytes {
	t.Helper()
	r, err := s.Read(now, 2)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	out := map[usage.Dim]map[string]usage.Bytes{}
	for by, rows := range r.Top {
		out[by] = map[string]usage.Bytes{}
		for _, row := range rows {
			out[by][row.Name] = row.Bytes
		}
	}
	return out
}
