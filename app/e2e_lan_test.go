//go:build linux

package main

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/netns"
)

// thisHost is one way for a LAN client to name the proxy's own host.
type thisHost struct {
	name string
	d    dest
	// want is the answer per protocol where it is not the protocol's
	// refusal (reply 2, reply 91, status 403).
	want map[string]string
}

// thisHostForms are the names of the server's host a LAN client may try:
// loopback in every spelling, the unspecified addresses, the host's own
// LAN addresses, its link-local address with and without a zone.
func thisHostForms(n *netns.Net) []thisHost {
	s := n.Server
	zoned := s.LinkLocal().String() // fe80::1%lan0
	return []thisHost{
		{name: "127.0.0.1", d: ipDest("127.0.0.1")},
		{name: "127.0.0.2", d: ipDest("127.0.0.2")},
		{name: "::1", d: ipDest("::1")},
		{name: "::ffff:127.0.0.1", d: ipDest("::ffff:127.0.0.1")},
		// BIND's address is the peer to expect: 0.0.0.0 and :: mean "any
		// peer" (RFC 1928 section 4), not this host, and many clients send
		// them; refusing would break BIND for LAN clients.
		{name: "0.0.0.0", d: ipDest("0.0.0.0"), want: map[string]string{protoBIND.name: "reply 0"}},
		{name: "::", d: ipDest("::"), want: map[string]string{protoBIND.name: "reply 0"}},
		{name: "LAN v4", d: dest{ip: s.V4()}},
		{name: "LAN v6", d: dest{ip: s.V6()}},
		{name: "link-local without zone", d: dest{ip: s.LinkLocal().WithZone("")}},
		{name: "link-local with zone", d: nameDest(zoned)},
		{name: "localhost", d: nameDest("localhost")},
		// The numeric spellings below are not IP literals to Go, but
		// inet_aton, glibc's getaddrinfo, curl and browsers read them as
		// 127.0.0.1, and so would the last hop of a chain: this host,
		// refused as such (not "host unreachable" from a failed lookup).
		{name: "LOCALHOST.", d: nameDest("LOCALHOST.")},
		{name: "127.1", d: nameDest("127.1")},
		{name: "2130706433", d: nameDest("2130706433")},
		{name: "0x7f.1", d: nameDest("0x7f.1")},
		{name: "name 127.0.0.1", d: nameDest("127.0.0.1")},
		{name: "name ::1", d: nameDest("::1")},
		{name: "name LAN v4", d: nameDest(s.V4().String())},
	}
}

// lanSetup is one way of sharing the proxy on the LAN.
type lanSetup struct {
	name   string
	args   []string
	dialTo netip.Addr // the server address the client uses
	auth   bool
}

func lanSetups(n *netns.Net) []lanSetup {
	s := n.Server
	return []lanSetup{
		{"listen LAN v4 with password", []string{"--listen", s.V4().String() + ":0", "--user", "u"}, s.V4(), true},
		{"listen 0.0.0.0 with password", []string{"--listen", "0.0.0.0:0", "--user", "u"}, s.V4(), true},
		{"listen [::] with password", []string{"--listen", "[::]:0", "--user", "u"}, s.V6(), true},
		// SOCKS4 cannot carry a password: it is served to an allowlist.
		{"listen LAN v4 with allowlist", []string{"--listen", s.V4().String() + ":0", "--allow", n.Client.V4().String() + "/32," + n.Client.V6().String() + "/128"}, s.V4(), false},
	}
}

// TestE2ELANThisHostTCP: a LAN client asks for this host with every TCP
// protocol of the mixed port and every spelling of "this host"; each is
// refused with its protocol's answer and the host's own service sees
// nothing. Another LAN host is reachable with each (the control).
func TestE2ELANThisHostTCP(t *testing.T) {
	t.Parallel()
	n := netns.New(t)
	svc := startHostServices(t, n.Server)
	peer := startLANPeer(t, n.Client)
	pass := secret("lan-pass")
	for _, setup := range lanSetups(n) {
		t.Run(setup.name, func(t *testing.T) {
			srv, addr := startServeIn(t, n.Server, []string{"SOCKSTRAY_PASSWORD=" + pass}, setup.args...)
			_, port, _ := net.SplitHostPort(addr)
			c := &lanClient{host: n.Client, proxy: net.JoinHostPort(setup.dialTo.String(), port)}
			protos := []lanProto{protoSOCKS5, protoXNetProxy, protoBIND, protoHTTPConn, protoHTTPGet}
			if setup.auth {
				c.user, c.pass = "u", pass
			} else {
				protos = append(protos, protoSOCKS4)
			}
			for _, p := range protos {
				t.Run(p.name, func(t *testing.T) {
					runLANControl(t, c, p, n, peer, setup.dialTo)
					for _, h := range thisHostForms(n) {
						t.Run(h.name, func(t *testing.T) {
							mark := svc.tcpMark()
							want := p.refused
							if w, ok := h.want[p.name]; ok {
								want = w
							}
							got, body := p.ask(t, c, h.d, svc.TCPPort, false)
							if got != want {
								t.Errorf("%s %s:%d: answer %q, want %q", p.name, h.d, svc.TCPPort, got, want)
								if body != "" {
									t.Errorf("and the client received %q", body)
								}
							}
							if hits := svc.tcpSince(t, mark); len(hits) > 0 {
								t.Errorf("%s %s:%d reached this host's own service: %v", p.name, h.d, svc.TCPPort, hits)
							}
						})
					}
				})
			}
			noSecrets(t, "stderr", srv.stderr.String(), pass)
		})
	}
}

const bindHello = "hello from the LAN peer\n"

// runLANControl proves the harness can fail: another LAN host (the client
// namespace) is reachable through the proxy with this protocol.
func runLANControl(t *testing.T, c *lanClient, p lanProto, n *netns.Net, peer *lanPeer, server netip.Addr) {
	t.Helper()
	dests := []dest{{ip: n.Client.V4()}, {ip: n.Client.V6()}}
	if p.name == protoBIND.name {
		// The peer must reach the address BIND listens on, which is the
		// one the client reached the proxy on.
		dests = dests[:1]
		if server.Is6() {
			dests = []dest{{ip: n.Client.V6()}}
		}
	}
	for _, d := range dests {
		t.Run("control: another LAN host "+d.String(), func(t *testing.T) {
			answer, got := p.ask(t, c, d, peer.TCPPort, true)
			want := peer.Body
			if p.name == protoBIND.name {
				want = bindHello
			}
			if answer != p.ok || !strings.Contains(got, want) {
				t.Fatalf("%s to a LAN host %s: answer %q and %q, want %q and %q: the harness is broken",
					p.name, d.authority(peer.TCPPort), answer, got, p.ok, want)
			}
		})
	}
}
