//go:build linux

package main

import (
	"testing"

	"github.com/sockstray/sockstray/internal/netns"
)

// TestE2ELANThisHostThroughChain: the LAN proxy's route is a chain whose
// last hop is a second sockstray on this host's loopback, which lets its
// own (loopback) clients reach anything. A LAN client naming this host in
// any form, names included, must still be refused by the first hop: the
// last hop would reach this host's loopback on its behalf.
func TestE2ELANThisHostThroughChain(t *testing.T) {
	t.Parallel()
	n := netns.New(t)
	svc := startHostServices(t, n.Server)
	peer := startLANPeer(t, n.Client)
	pass := secret("lan-pass")

	// The last hop resolves names with the C library, as dante, ssh and
	// most SOCKS servers do: then 127.1 and 0x7f.1 are 127.0.0.1.
	_, last := startServeIn(t, n.Server, []string{"GODEBUG=netdns=cgo"}, "--listen", "127.0.0.1:0")
	srv, addr := startServeIn(t, n.Server, []string{"SOCKSTRAY_PASSWORD=" + pass},
		"--listen", n.Server.V4().String()+":0", "--user", "u", "--upstream", "socks5://"+last)
	c := &lanClient{host: n.Client, proxy: addr, user: "u", pass: pass}

	forms := append(thisHostForms(n),
		thisHost{name: "sub.localhost", d: nameDest("sub.localhost")}, // RFC 6761: loopback too
	)
	for _, p := range []lanProto{protoSOCKS5, protoXNetProxy, protoHTTPConn, protoHTTPGet} {
		t.Run(p.name, func(t *testing.T) {
			runLANControl(t, c, p, n, peer, n.Server.V4())
			for _, h := range forms {
				t.Run(h.name, func(t *testing.T) {
					mark := svc.tcpMark()
					got, body := p.ask(t, c, h.d, svc.TCPPort, false)
					if got != p.refused {
						t.Errorf("%s %s:%d through the chain: answer %q, want %q", p.name, h.d, svc.TCPPort, got, p.refused)
						if body != "" {
							t.Errorf("and the client received %q", body)
						}
					}
					if hits := svc.tcpSince(t, mark); len(hits) > 0 {
						t.Errorf("%s %s:%d through the chain reached this host's own service: %v", p.name, h.d, svc.TCPPort, hits)
					}
				})
			}
		})
	}

	t.Run("UDP", func(t *testing.T) {
		a := associate(t, c, false)
		control := func(t *testing.T) {
			t.Helper()
			if !a.echo(t, dest{ip: n.Client.V4()}, peer.UDPPort) {
				t.Fatalf("a datagram to another LAN host through the chain did not come back: the harness is broken")
			}
		}
		t.Run("control: another LAN host", control)
		for _, h := range append(udpTargets(n), forms[len(forms)-1]) {
			t.Run(h.name, func(t *testing.T) {
				mark := svc.udpMark()
				a.send(t, h.d, svc.UDPPort, []byte(secret("to-this-host")))
				control(t)
				if hits := svc.udpSince(t, mark); len(hits) > 0 {
					t.Errorf("a datagram to %s:%d through the chain reached this host's own UDP service: %q", h.d, svc.UDPPort, hits)
				}
			})
		}
	})
	noSecrets(t, "stderr", srv.stderr.String(), pass)
}
