package server_test

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

func TestBind(t *testing.T) {
	addr, _ := serveOn(t, &server.Config{}, nil)
	c := dial(t, addr)
	send(t, c, h("05 01 00"))
	expect(t, c, h("05 00"))
	send(t, c, request(t, socks5.CmdBind, "127.0.0.1:0"))
	first := readResponse(t, c)
	if first.Reply != socks5.ReplySucceeded {
		t.Fatalf("first reply %v", first.Reply)
	}
	if !first.Bound.IP.IsLoopback() || first.Bound.Port == 0 {
		t.Fatalf("first reply bound %v: want a loopback address with a port", first.Bound)
	}

	peer, err := net.Dial("tcp", first.Bound.String())
	if err != nil {
		t.Fatalf("peer connecting to the bound address: %v", err)
	}
	defer peer.Close()
	second := readResponse(t, c)
	if second.Reply != socks5.ReplySucceeded {
		t.Fatalf("second reply %v", second.Reply)
	}
	if second.Bound.String() != peer.LocalAddr().String() {
		t.Fatalf("second reply names %v, the peer is %v", second.Bound, peer.LocalAddr())
	}
	send(t, peer, []byte("from peer"))
	expect(t, c, []byte("from peer"))
	send(t, c, []byte("from client"))
	peer.SetDeadline(time.Now().Add(5 * time.Second))
	expect(t, peer, []byte("from client"))
}

func TestBindEndsWhenClientLeaves(t *testing.T) {
	addr, srv := serveOn(t, &server.Config{}, nil)
	c := dial(t, addr)
	send(t, c, h("05 01 00"))
	expect(t, c, h("05 00"))
	send(t, c, request(t, socks5.CmdBind, "127.0.0.1:0"))
	first := readResponse(t, c)
	c.Close()
	waitOpen(t, srv, 0)
	if p, err := net.DialTimeout("tcp", first.Bound.String(), time.Second); err == nil {
		p.Close()
		t.Fatal("BIND listener still open after the client left")
	}
}

// udpClient is a SOCKS5 UDP client: a control connection and a socket.
type udpClient struct {
	ctl   net.Conn
	sock  *net.UDPConn
	relay *net.UDPAddr
}

func associate(t *testing.T, addr string) *udpClient {
	t.Helper()
	c := dial(t, addr)
	send(t, c, h("05 01 00"))
	expect(t, c, h("05 00"))
	send(t, c, request(t, socks5.CmdUDPAssociate, "0.0.0.0:0"))
	r := readResponse(t, c)
	if r.Reply != socks5.ReplySucceeded {
		t.Fatalf("UDP ASSOCIATE reply %v", r.Reply)
	}
	ap, ok := r.Bound.AddrPort()
	if !ok || ap.Port() == 0 {
		t.Fatalf("bound %v", r.Bound)
	}
	sock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sock.Close() })
	return &udpClient{ctl: c, sock: sock, relay: net.UDPAddrFromAddrPort(ap)}
}

func (u *udpClient) send(t *testing.T, frag byte, dst netip.AddrPort, payload []byte) {
	t.Helper()
	b, err := socks5.UDPHeader{Frag: frag, Addr: socks5.AddrFromAddrPort(dst)}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.sock.WriteToUDP(append(b, payload...), u.relay); err != nil {
		t.Fatal(err)
	}
}

// recv returns the next datagram's header and payload, or ok=false after
// wait.
func (u *udpClient) recv(t *testing.T, wait time.Duration) (socks5.UDPHeader, []byte, bool) {
	t.Helper()
	buf := make([]byte, 70000)
	u.sock.SetReadDeadline(time.Now().Add(wait))
	n, err := u.sock.Read(buf)
	if err != nil {
		return socks5.UDPHeader{}, nil, false
	}
	hd, hl, err := socks5.ParseUDPHeader(buf[:n])
	if err != nil {
		t.Fatalf("reply datagram header: %v", err)
	}
	return hd, buf[hl:n], true
}

// A burst sent faster than the relay reads it goes through in batches,
// equal sizes as GSO runs (package dgram): every datagram comes back whole
// and in order, and the row counts every payload byte each way.
func TestUDPAssociateBurst(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	addr, _, table := serveTable(t, &server.Config{}, nil)
	u := associate(t, addr)

	var sizes []int
	for i := range 60 {
		switch {
		case i%20 == 19:
			sizes = append(sizes, 40) // ends a run
		case i%30 == 29:
			sizes = append(sizes, 9000)
		default:
			sizes = append(sizes, 512)
		}
	}
	var total int64
	for i, size := range sizes {
		u.send(t, 0, echo, bytes.Repeat([]byte{byte(i)}, size))
		total += int64(size)
	}
	for i, size := range sizes {
		hd, p, ok := u.recv(t, 5*time.Second)
		if !ok {
			t.Fatalf("datagram %d of %d did not come back", i, len(sizes))
		}
		if src, _ := hd.Addr.AddrPort(); src != echo || !bytes.Equal(p, bytes.Repeat([]byte{byte(i)}, size)) {
			t.Fatalf("datagram %d: %d bytes of %#x from %v, want %d of %#x from %v", i, len(p), p[:min(1, len(p))], src, size, i, echo)
		}
	}
	u.ctl.Close()
	if tot := drained(table); tot.Up != total || tot.Down != total {
		t.Errorf("counted %d up, %d down; %d bytes went each way", tot.Up, tot.Down, total)
	}
}

func TestUDPAssociate(t *testing.T) {
	echo := testnet.EchoUDP(t).AddrPort()
	addr, srv := serveOn(t, &server.Config{}, nil)
	u := associate(t, addr)

	u.send(t, 0, echo, []byte("hello udp"))
	hd, payload, ok := u.recv(t, 5*time.Second)
	if !ok {
		t.Fatal("no answer through the association")
	}
	if got, _ := hd.Addr.AddrPort(); got != echo || hd.Frag != 0 {
		t.Fatalf("answer header %+v, want source %v", hd, echo)
	}
	if string(payload) != "hello udp" {
		t.Fatalf("payload %q", payload)
	}

	big := bytes.Repeat([]byte{7}, 60000)
	u.send(t, 0, echo, big)
	if _, p, ok := u.recv(t, 5*time.Second); !ok || !bytes.Equal(p, big) {
		t.Fatal("60000-byte datagram did not come back intact")
	}

	// Fragments are dropped: nothing comes back.
	u.send(t, 1, echo, []byte("fragment"))
	if _, p, ok := u.recv(t, 300*time.Millisecond); ok {
		t.Fatalf("fragment was relayed: %q", p)
	}

	// Datagrams from another address than the client's are dropped.
	other, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	hdr, _ := socks5.UDPHeader{Addr: socks5.AddrFromAddrPort(echo)}.Append(nil)
	other.WriteToUDP(append(hdr, "intruder"...), u.relay)
	other.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := other.Read(make([]byte, 100)); err == nil {
		t.Fatalf("a stranger's datagram was relayed (%d bytes back)", n)
	}

	// The association ends with its control connection.
	u.ctl.Close()
	waitOpen(t, srv, 0)
	u.send(t, 0, echo, []byte("after close"))
	if _, p, ok := u.recv(t, 300*time.Millisecond); ok {
		t.Fatalf("relayed after the control connection closed: %q", p)
	}
}
