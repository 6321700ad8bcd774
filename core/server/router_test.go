package server_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/testnet"
)

// countingRoute is a direct route that counts what it carries.
type countingRoute struct {
	outbound.Direct
	name  string
	dials chan string
}

func (r *countingRoute) Dial(ctx context.Context, dst socks5.Addr) (net.Conn, error) {
	r.dials <- dst.String()
	return r.Direct.Dial(ctx, dst)
}

func (r *countingRoute) String() string { return r.name }

// TestRouterPicksPerRequest: the config's Router picks each request's
// route, the table and the log name the rule, and Block refuses in each
// protocol's words.
func TestRouterPicksPerRequest(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	work := &countingRoute{name: "work", dials: make(chan string, 10)}
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closed.Close() // a dead upstream: nothing listens there
	group := &outbound.Group{Name: "auto", Members: []outbound.Member{
		{Name: "dead", Route: &outbound.Chain{Hops: []outbound.Upstream{{Addr: closed.Addr().String()}}}},
		{Name: "direct", Route: &outbound.Direct{}},
	}}
	router := func(q server.Query) (outbound.Route, string) {
		switch {
		case q.UDP:
			return outbound.Block{}, "UDP"
		case q.Dst.Name == "blocked.test":
			return outbound.Block{}, "DOMAIN,blocked.test"
		case q.Dst.Name == "localhost":
			return group, "DOMAIN,localhost"
		case q.Dst.Port == uint16(echo.Port):
			return work, "DST-PORT," + strconv.Itoa(echo.Port)
		}
		return nil, ""
	}
	var log testnet.Buffer
	cfg := &server.Config{Router: router, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	addr, _, table := serveTable(t, cfg, nil)

	c := dial(t, addr)
	if r := connectNoAuth(t, c, echo.String()); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("CONNECT through the rule's route: reply %v", r.Reply)
	}
	if got := <-work.dials; got != echo.String() {
		t.Errorf("work route dialed %s", got)
	}
	row := waitRow(t, table, func(r stats.ConnStat) bool { return r.Replied })
	if row.Route != "work" || row.Rule != "DST-PORT,"+strconv.Itoa(echo.Port) {
		t.Errorf("row: route %q rule %q", row.Route, row.Rule)
	}
	c.Close()

	// A group: the dead member fails over to the live one, and the row
	// says which carried the connection.
	c = dial(t, addr)
	if r := connectNoAuth(t, c, "localhost:"+strconv.Itoa(echo.Port)); r.Reply != socks5.ReplySucceeded {
		t.Fatalf("CONNECT through the group: reply %v", r.Reply)
	}
	row = waitRow(t, table, func(r stats.ConnStat) bool { return r.Replied })
	if !strings.HasSuffix(row.Route, " via direct") || row.Rule != "DOMAIN,localhost" {
		t.Errorf("group row: route %q rule %q", row.Route, row.Rule)
	}
	c.Close()

	c = dial(t, addr)
	if r := connectNoAuth(t, c, "blocked.test:80"); r.Reply != socks5.ReplyNotAllowed {
		t.Errorf("blocked name over SOCKS5: reply %v, want 02", r.Reply)
	}
	c = dial(t, addr)
	send(t, c, []byte("CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n"))
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 403 {
		t.Errorf("blocked name over HTTP: %v %v, want 403", resp, err)
	}
	c = dial(t, addr)
	send(t, c, h("05 01 00"))
	expect(t, c, h("05 00"))
	send(t, c, request(t, socks5.CmdUDPAssociate, "0.0.0.0:0"))
	if r := readResponse(t, c); r.Reply != socks5.ReplyNotAllowed {
		t.Errorf("UDP routed to block: reply %v, want 02", r.Reply)
	}
	drained(table)
	if got := log.String(); !strings.Contains(got, `rule=DOMAIN,blocked.test`) || !strings.Contains(got, "route=block") {
		t.Errorf("log lacks the rule and route:\n%s", got)
	}
}

// listenCounter is a direct route that counts the sockets it opens.
type listenCounter struct {
	outbound.Direct
	opened atomic.Int32
}

func (r *listenCounter) ListenPacket(ctx context.Context) (outbound.PacketConn, error) {
	r.opened.Add(1)
	return r.Direct.ListenPacket(ctx)
}

func (r *listenCounter) String() string { return "counted" }

// TestRouterPicksPerDatagram: in one UDP association, each datagram takes
// the route the rules pick for its destination; a blocked one is dropped
// and logged once.
func TestRouterPicksPerDatagram(t *testing.T) {
	echo1, echo2, blocked := testnet.EchoUDP(t), testnet.EchoUDP(t), testnet.EchoUDP(t)
	counted := &listenCounter{}
	router := func(q server.Query) (outbound.Route, string) {
		switch {
		case q.UDP && q.Dst.Port == uint16(echo2.Port):
			return counted, "DST-PORT," + strconv.Itoa(echo2.Port)
		case q.UDP && q.Dst.Port == uint16(blocked.Port):
			return outbound.Block{}, "DST-PORT," + strconv.Itoa(blocked.Port)
		}
		return nil, ""
	}
	var log testnet.Buffer
	addr, _ := serveOn(t, &server.Config{Router: router, Logger: slog.New(slog.NewTextHandler(&log, nil))}, nil)
	u := associate(t, addr)
	for i := range 3 {
		for _, e := range []*net.UDPAddr{echo1, echo2} {
			msg := []byte(fmt.Sprintf("to %d, %d", e.Port, i))
			u.send(t, 0, e.AddrPort(), msg)
			if _, got, ok := u.recv(t, 5*time.Second); !ok || string(got) != string(msg) {
				t.Fatalf("echo through its route: %q %v", got, ok)
			}
		}
		u.send(t, 0, blocked.AddrPort(), []byte("blocked"))
	}
	if _, got, ok := u.recv(t, 300*time.Millisecond); ok {
		t.Errorf("a blocked datagram was answered: %q", got)
	}
	if n := counted.opened.Load(); n != 1 {
		t.Errorf("the per-destination route opened %d sockets, want 1", n)
	}
	if n := strings.Count(log.String(), "UDP datagrams dropped"); n != 1 {
		t.Errorf("%d log lines for the blocked datagrams, want 1:\n%s", n, log.String())
	}
}

// TestRulesRouteByClientNetworkWithoutLocalDNS: a real rule set picks the
// route by the client's network, and a name sent through an upstream route
// is resolved by the upstream, never here.
func TestRulesRouteByClientNetworkWithoutLocalDNS(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	// The upstream resolves the name itself (its own resolver hook).
	upstreamResolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	upstream, _ := serveOn(t, &server.Config{Route: &outbound.Direct{Resolve: upstreamResolve}}, nil)
	var localLookups atomic.Int32
	noLocalDNS := &outbound.Direct{Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
		localLookups.Add(1)
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}}
	chain := &outbound.Chain{Hops: []outbound.Upstream{{Addr: upstream}}, Forward: noLocalDNS}
	set, err := rules.New(mustRules(t,
		"SRC-IP-CIDR,192.168.0.0/16,lan",
		"DOMAIN-SUFFIX,svc.example,lan",
	), "direct")
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]outbound.Route{"lan": chain, "direct": noLocalDNS}
	router := func(q server.Query) (outbound.Route, string) {
		res := set.Match(rules.Query{Host: q.Dst.Name, Addr: q.Dst.IP, Port: q.Dst.Port, Client: q.Client, UDP: q.UDP})
		if res.Rule == nil {
			return nil, ""
		}
		return routes[res.Route], res.Rule.Condition()
	}
	cfg := &server.Config{Router: router, Route: noLocalDNS, AllowLocalTargets: true}
	lan, _, lanTable := serveTable(t, cfg, lanClient)
	local, _, localTable := serveTable(t, cfg, nil)
	name := "api.svc.example:" + strconv.Itoa(echo.Port)

	for _, tc := range []struct {
		name, addr, dst, rule string
		table                 *stats.Table
	}{
		{"client on the LAN", lan, echo.String(), "SRC-IP-CIDR,192.168.0.0/16", lanTable},
		{"name through the upstream", local, name, "DOMAIN-SUFFIX,svc.example", localTable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.addr)
			if r := connectNoAuth(t, c, tc.dst); r.Reply != socks5.ReplySucceeded {
				t.Fatalf("reply %v", r.Reply)
			}
			send(t, c, []byte("ping"))
			expect(t, c, []byte("ping"))
			row := waitRow(t, tc.table, func(r stats.ConnStat) bool { return r.Replied })
			if row.Rule != tc.rule || !strings.Contains(row.Route, upstream) {
				t.Errorf("rule %q route %q, want %q via %s", row.Rule, row.Route, tc.rule, upstream)
			}
		})
	}
	if n := localLookups.Load(); n != 0 {
		t.Errorf("the local resolver was asked %d times; names must go to the upstream", n)
	}
}

func mustRules(t *testing.T, lines ...string) []rules.Rule {
	t.Helper()
	var out []rules.Rule
	for _, l := range lines {
		r, err := rules.ParseLine(l, "")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}
