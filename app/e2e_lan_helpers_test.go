//go:build linux

// The LAN side for real: `sockstray serve` in one network namespace, a LAN
// client in another (internal/netns), and in the server's namespace the
// host's own services that no LAN client may reach. Everything listens and
// dials only inside the namespaces the test made.

package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/sockstray/sockstray/internal/netns"
)

const lanTimeout = 5 * time.Second // one step of a LAN client

// startServeIn runs `sockstray serve args...` inside h and returns it with
// the address from its first line.
func startServeIn(t *testing.T, h *netns.Host, env []string, args ...string) (*proc, string) {
	t.Helper()
	cmd := h.Command(sockstrayBin(t), append([]string{"serve"}, args...)...)
	p := startProc(t, childEnv(env...), cmd.Path, cmd.Args[1:]...)
	p.name = "sockstray serve in " + h.Name()
	line := p.firstLine(t)
	m := listeningRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first stdout line of sockstray serve %q = %q, want \"listening on HOST:PORT\"", args, line)
	}
	return p, m[1]
}

// hostServices are this host's own services in the server namespace: one
// dual-stack TCP listener (so 127.0.0.1, ::1, the LAN addresses and
// 0.0.0.0 all land on it) and UDP receivers on 0.0.0.0 and [::] with the
// all-hosts groups joined on the link, on one port each. They note what
// reaches them; a LAN client must never be among it.
type hostServices struct {
	host             *netns.Host
	TCPPort, UDPPort uint16

	mu      sync.Mutex
	tcp     [][2]netip.AddrPort // from and to of each accepted connection
	markers map[netip.AddrPort]bool
	udp     []string // "PAYLOAD from FROM" of each datagram
	wg      sync.WaitGroup
}

func startHostServices(t *testing.T, h *netns.Host) *hostServices {
	t.Helper()
	s := &hostServices{host: h, markers: map[netip.AddrPort]bool{}}
	ln, err := h.Listen("tcp", "[::]:0")
	if err != nil {
		t.Fatalf("this host's TCP service: %v", err)
	}
	s.TCPPort = uint16(ln.Addr().(*net.TCPAddr).Port)
	u4, err := h.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		t.Fatalf("this host's UDP service: %v", err)
	}
	s.UDPPort = uint16(u4.LocalAddr().(*net.UDPAddr).Port)
	u6, err := h.ListenPacket("udp6", fmt.Sprintf("[::]:%d", s.UDPPort))
	if err != nil {
		t.Fatalf("this host's UDP service on [::]: %v", err)
	}
	joinAllHosts(t, h, u4, u6)
	t.Cleanup(func() {
		ln.Close()
		u4.Close()
		u6.Close()
		s.wg.Wait()
	})
	s.wg.Add(3)
	go s.acceptLoop(ln)
	go s.readLoop(u4)
	go s.readLoop(u6)
	return s
}

// joinAllHosts joins 224.0.0.1, ff01::1 and ff02::1 on the link, so the
// receivers catch what a multicast datagram sent by the proxy would bring.
func joinAllHosts(t *testing.T, h *netns.Host, u4, u6 net.PacketConn) {
	t.Helper()
	var ifi *net.Interface
	if err := h.Do(func() (err error) {
		ifi, err = net.InterfaceByName(netns.LinkName)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := ipv4.NewPacketConn(u4).JoinGroup(ifi, &net.UDPAddr{IP: net.ParseIP("224.0.0.1")}); err != nil {
		t.Fatalf("join 224.0.0.1: %v", err)
	}
	for _, g := range []string{"ff01::1", "ff02::1"} {
		if err := ipv6.NewPacketConn(u6).JoinGroup(ifi, &net.UDPAddr{IP: net.ParseIP(g)}); err != nil {
			t.Fatalf("join %s: %v", g, err)
		}
	}
}

func (s *hostServices) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.tcp = append(s.tcp, [2]netip.AddrPort{addrPort(c.RemoteAddr()), addrPort(c.LocalAddr())})
		s.mu.Unlock()
		// Answer like a web server, so that whatever got here shows it.
		c.SetDeadline(time.Now().Add(lanTimeout))
		io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Length: 14\r\n\r\nTHIS-HOST-HIT\n")
		c.Close()
	}
}

func (s *hostServices) readLoop(pc net.PacketConn) {
	defer s.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.udp = append(s.udp, fmt.Sprintf("%s from %v", buf[:n], from))
		s.mu.Unlock()
	}
}

func addrPort(a net.Addr) netip.AddrPort {
	ap := netip.MustParseAddrPort(a.String())
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// tcpMark is where the next check starts.
func (s *hostServices) tcpMark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tcp)
}

// tcpSince returns the connections accepted since mark, as "FROM -> TO".
// It first makes a connection of its own and waits until it is accepted:
// accepts come in order, so everything the proxy opened before is counted
// by then.
func (s *hostServices) tcpSince(t *testing.T, mark int) []string {
	t.Helper()
	c, err := s.host.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.TCPPort))
	if err != nil {
		t.Fatalf("marker connection: %v", err)
	}
	defer c.Close()
	me := addrPort(c.LocalAddr())
	s.mu.Lock()
	s.markers[me] = true
	s.mu.Unlock()
	if !waitFor(lanTimeout, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.tcp) > 0 && s.tcp[len(s.tcp)-1][0] == me
	}) {
		t.Fatal("this host's TCP service did not accept the marker connection")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.tcp[mark:] {
		if !s.markers[c[0]] {
			out = append(out, fmt.Sprintf("%v -> %v", c[0], c[1]))
		}
	}
	return out
}

// udpSince returns the datagrams received since mark, after a marker
// datagram to each receiver has arrived (a socket's queue is in order).
func (s *hostServices) udpSince(t *testing.T, mark int) []string {
	t.Helper()
	for _, to := range []string{"127.0.0.1", "[::1]"} {
		marker := secret("marker")
		c, err := s.host.Dial("udp", fmt.Sprintf("%s:%d", to, s.UDPPort))
		if err != nil {
			t.Fatalf("marker datagram: %v", err)
		}
		c.Write([]byte(marker))
		c.Close()
		if !waitFor(lanTimeout, func() bool { return s.dropMarker(marker) }) {
			t.Fatalf("this host's UDP service on %s did not receive the marker", to)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.udp[mark:]...)
}

func (s *hostServices) udpMark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.udp)
}

func (s *hostServices) dropMarker(marker string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, d := range s.udp {
		if strings.HasPrefix(d, marker+" ") {
			s.udp = append(s.udp[:i], s.udp[i+1:]...)
			return true
		}
	}
	return false
}

// lanPeer is another LAN host's services, in the client namespace: what a
// LAN client may reach through the proxy (the positive control).
type lanPeer struct {
	Body             string
	TCPPort, UDPPort uint16
}

func startLANPeer(t *testing.T, h *netns.Host) *lanPeer {
	t.Helper()
	p := &lanPeer{Body: secret("lan-peer") + "\n"}
	ln, err := h.Listen("tcp", "[::]:0")
	if err != nil {
		t.Fatal(err)
	}
	p.TCPPort = uint16(ln.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, p.Body) }),
		ReadHeaderTimeout: lanTimeout,
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	pc, err := h.ListenPacket("udp", "[::]:0")
	if err != nil {
		t.Fatal(err)
	}
	p.UDPPort = uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	udone := make(chan struct{})
	go func() {
		defer close(udone)
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		pc.Close()
		<-done
		<-udone
	})
	return p
}
