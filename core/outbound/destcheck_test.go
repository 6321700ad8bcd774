package outbound

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// refuseAddr is a target check that refuses one address: "this host" in
// the test's eyes.
func refuseAddr(ip string) func(netip.AddrPort) error {
	this := netip.MustParseAddr(ip)
	return func(ap netip.AddrPort) error {
		if ap.Addr() == this {
			return socks5.ErrNotAllowed
		}
		return nil
	}
}

// useHostsFile points the name table at a hosts file with lines for the
// test, and back at the system's afterwards.
func useHostsFile(t *testing.T, lines string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	old := hostsFile
	hostsFile = path
	hostNames.reset()
	t.Cleanup(func() {
		hostsFile = old
		hostNames.reset()
	})
}

func (l *localNames) reset() {
	l.mu.Lock()
	l.names = nil
	l.mu.Unlock()
}

func TestChainDestCheckNames(t *testing.T) {
	srv := (&fakeServer{}).start(t)
	echo := testnet.EchoTCP(t, "tcp4")
	port := strconv.Itoa(echo.Port)
	useHostsFile(t, "# comment\n127.0.0.2 printer.lan Printer-Alias # trailing\n")
	var lookups atomic.Int32
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		lookups.Add(1)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	chain := &Chain{Hops: []Upstream{{Addr: srv.addr()}}, Forward: &Direct{Resolve: resolve}}

	for _, tc := range []struct {
		name, dst, this string
		refused         bool
		lookups         int32
	}{
		// The hop (127.0.0.1) is not this host for a check that refuses
		// only 127.0.0.2: names go to it unresolved.
		{"hosts file name", "printer.lan:" + port, "127.0.0.2", true, 0},
		{"hosts file alias, any case, trailing dot", "PRINTER-alias.:" + port, "127.0.0.2", true, 0},
		{"reserved *.localhost", "app.localhost:" + port, "127.0.0.1", true, 0},
		{"remote hop: other names are not resolved here", "localhost:" + port, "127.0.0.2", false, 0},
		// The hop is this host: it resolves with this host's resolver, so
		// resolving here leaks nothing, and the answer is checked.
		{"hop on this host: name resolved and checked", "svc.test:" + port, "127.0.0.1", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookups.Store(0)
			dst, err := socks5.ParseAddr(tc.dst)
			if err != nil {
				t.Fatal(err)
			}
			ctx := WithTargetCheck(context.Background(), refuseAddr(tc.this))
			conn, err := chain.Dial(ctx, dst)
			if conn != nil {
				conn.Close()
			}
			refused := socks5.ReplyFor(err) == socks5.ReplyNotAllowed
			if refused != tc.refused {
				t.Errorf("Dial(%s): %v; refused %v, want %v", tc.dst, err, refused, tc.refused)
			}
			if n := lookups.Load(); n != tc.lookups {
				t.Errorf("local lookups %d, want %d", n, tc.lookups)
			}
		})
	}
}

func TestReadHosts(t *testing.T) {
	useHostsFile(t, "::1 ip6-localhost ip6-loopback\nfe80::1%eth0 router\nnot-an-ip name\n10.1.2.3\n")
	for name, want := range map[string]string{
		"ip6-loopback": "::1",
		"router":       "fe80::1",
	} {
		got := hostNames.addrs(name)
		if len(got) != 1 || got[0] != netip.MustParseAddr(want) {
			t.Errorf("addrs(%q) = %v, want [%s]", name, got, want)
		}
	}
	if got := hostNames.addrs("name"); got != nil {
		t.Errorf("a line without an address gave %v", got)
	}
}
