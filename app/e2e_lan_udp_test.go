//go:build linux

package main

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/netns"
)

// udpTargets are the forms of this host for datagrams: the TCP ones plus
// broadcast and multicast, which reach this host as well as others.
func udpTargets(n *netns.Net) []thisHost {
	return append(thisHostForms(n),
		thisHost{name: "255.255.255.255", d: ipDest("255.255.255.255")},
		thisHost{name: "directed broadcast", d: dest{ip: n.Broadcast4()}},
		thisHost{name: "224.0.0.1", d: ipDest("224.0.0.1")},
		thisHost{name: "ff01::1", d: ipDest("ff01::1")},
		thisHost{name: "ff02::1", d: ipDest("ff02::1")},
		thisHost{name: "ff02::1 with zone", d: nameDest("ff02::1%" + netns.LinkName)},
		thisHost{name: "name directed broadcast", d: nameDest(n.Broadcast4().String())},
	)
}

// TestE2ELANThisHostUDP: a LAN client's datagrams through UDP ASSOCIATE to
// any form of this host, broadcast or multicast are dropped, and the
// host's own UDP receivers (0.0.0.0, [::], the all-hosts groups) get
// nothing; datagrams to another LAN host go through (the control).
func TestE2ELANThisHostUDP(t *testing.T) {
	t.Parallel()
	n := netns.New(t)
	svc := startHostServices(t, n.Server)
	peer := startLANPeer(t, n.Client)
	pass := secret("lan-pass")
	for _, setup := range lanSetups(n)[:3] {
		t.Run(setup.name, func(t *testing.T) {
			_, addr := startServeIn(t, n.Server, []string{"SOCKSTRAY_PASSWORD=" + pass}, setup.args...)
			_, port, _ := net.SplitHostPort(addr)
			c := &lanClient{host: n.Client, proxy: net.JoinHostPort(setup.dialTo.String(), port), user: "u", pass: pass}
			a := associate(t, c, setup.dialTo.Is6())
			peerAddr := n.Client.V4()
			if setup.dialTo.Is6() {
				peerAddr = n.Client.V6()
			}
			control := func(t *testing.T) {
				t.Helper()
				if !a.echo(t, dest{ip: peerAddr}, peer.UDPPort) {
					t.Fatalf("a datagram to another LAN host %v:%d did not come back: the harness is broken", peerAddr, peer.UDPPort)
				}
			}
			t.Run("control: another LAN host", control)
			for _, h := range udpTargets(n) {
				t.Run(h.name, func(t *testing.T) {
					mark := svc.udpMark()
					a.send(t, h.d, svc.UDPPort, []byte(secret("to-this-host")))
					// The relay handles a client's datagrams in order: once
					// the next one has made the round trip, this one was
					// sent on or dropped.
					control(t)
					if hits := svc.udpSince(t, mark); len(hits) > 0 {
						t.Errorf("a datagram to %s:%d reached this host's own UDP service: %q", h.d, svc.UDPPort, hits)
					}
				})
			}
		})
	}
}

// udpAssoc is a LAN client's UDP association.
type udpAssoc struct {
	pc    net.PacketConn // in the client namespace
	relay net.Addr       // the proxy's relay address from the reply
}

func associate(t *testing.T, c *lanClient, v6 bool) *udpAssoc {
	t.Helper()
	any := ipDest("0.0.0.0")
	if v6 {
		any = ipDest("::")
	}
	ctrl, rep, bound := c.socks5(t, 3, any, 0)
	if rep != 0 {
		t.Fatalf("UDP ASSOCIATE: reply %d, want 0", rep)
	}
	ctrl.SetDeadline(time.Time{}) // the association lives as long as it
	network := "udp4"
	if v6 {
		network = "udp6"
	}
	pc, err := c.host.ListenPacket(network, ":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return &udpAssoc{pc: pc, relay: net.UDPAddrFromAddrPort(bound)}
}

// send writes one datagram with the RFC 1928 section 7 header for d.
func (a *udpAssoc) send(t *testing.T, d dest, port uint16, payload []byte) {
	t.Helper()
	h := []byte{0, 0, 0}
	switch {
	case d.name != "":
		h = append(append(h, 3, byte(len(d.name))), d.name...)
	case d.ip.Is4():
		h = append(append(h, 1), d.ip.AsSlice()...)
	default:
		h = append(append(h, 4), d.ip.AsSlice()...)
	}
	h = binary.BigEndian.AppendUint16(h, port)
	if _, err := a.pc.WriteTo(append(h, payload...), a.relay); err != nil {
		t.Fatalf("send to the relay: %v", err)
	}
}

// echo sends a datagram to an echo service and reports whether it came
// back; other datagrams on the way are skipped.
func (a *udpAssoc) echo(t *testing.T, d dest, port uint16) bool {
	t.Helper()
	payload := []byte(secret("echo"))
	a.send(t, d, port, payload)
	deadline := time.Now().Add(lanTimeout)
	buf := make([]byte, 2048)
	for {
		a.pc.SetReadDeadline(deadline)
		n, _, err := a.pc.ReadFrom(buf)
		if err != nil {
			return false
		}
		if bytes.HasSuffix(buf[:n], payload) {
			return true
		}
	}
}
