package dgram

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"
)

// listen opens a UDP socket on loopback for the test.
func listen(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func addrOf(c *net.UDPConn) netip.AddrPort {
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// datagram i of a test: size bytes, each its index.
func datagram(i, size int) []byte { return bytes.Repeat([]byte{byte(i)}, size) }

// receive reads n datagrams from c the plain way, with a deadline.
func receive(t *testing.T, c *net.UDPConn, n int) [][]byte {
	t.Helper()
	var got [][]byte
	buf := make([]byte, MaxPayload)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for len(got) < n {
		k, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("after %d of %d datagrams: %v", len(got), n, err)
		}
		got = append(got, bytes.Clone(buf[:k]))
	}
	return got
}

// readAll reads n datagrams through r, checking each one's source.
func readAll(t *testing.T, r *Reader, n int, from netip.AddrPort) (got [][]byte, batches []int) {
	t.Helper()
	for len(got) < n {
		pkts, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, len(pkts))
		for _, p := range pkts {
			if p.Addr != from {
				t.Errorf("datagram from %v, want %v", p.Addr, from)
			}
			got = append(got, bytes.Clone(p.Bytes()))
		}
	}
	return got, batches
}

func TestReaderReadsEveryDatagramWhole(t *testing.T) {
	rc, sc := listen(t), listen(t)
	sizes := []int{1, 0, 1500, 128, MaxPayload - 28, 7, 9000, 1, 1, 1, 512, 64}
	for i, size := range sizes {
		if _, err := sc.WriteToUDPAddrPort(datagram(i, size), addrOf(rc)); err != nil {
			t.Fatalf("send %d bytes: %v", size, err)
		}
	}
	got, _ := readAll(t, NewReader(rc, 0), len(sizes), addrOf(sc))
	for i, size := range sizes {
		if !bytes.Equal(got[i], datagram(i, size)) {
			t.Errorf("datagram %d: got %d bytes, want %d of %#x", i, len(got[i]), size, i)
		}
	}
}

func TestPrependPutsHeaderBeforePayload(t *testing.T) {
	rc, sc := listen(t), listen(t)
	sc.WriteToUDPAddrPort([]byte("payload"), addrOf(rc))
	pkts, err := NewReader(rc, 10).Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := pkts[0].Prepend([]byte("hdr:")); string(got) != "hdr:payload" {
		t.Errorf("Prepend gave %q", got)
	}
	if got := pkts[0].Bytes(); string(got) != "payload" {
		t.Errorf("payload after Prepend: %q", got)
	}
}

func TestWriterKeepsEveryDatagramApart(t *testing.T) {
	sc, a, b := listen(t), listen(t), listen(t)
	w := NewWriter(sc)
	// Runs of one size to one address, a shorter last one, another
	// address in between, an empty datagram and the largest one.
	type send struct {
		to   *net.UDPConn
		size int
	}
	sends := []send{{a, 100}, {a, 100}, {a, 100}, {a, 40}, {a, 100}, {b, 100}, {b, 100}, {a, 0}, {a, 100}, {a, 200}, {a, 65507}, {b, 1}}
	var want int
	wantAt := map[*net.UDPConn][][]byte{}
	for i, s := range sends {
		d := datagram(i, s.size)
		w.Add(d, addrOf(s.to), i+1)
		want += i + 1
		wantAt[s.to] = append(wantAt[s.to], d)
	}
	if got := w.Flush(); got != want {
		t.Errorf("Flush counted %d, want %d", got, want)
	}
	for _, c := range []*net.UDPConn{a, b} {
		got := receive(t, c, len(wantAt[c]))
		for i := range got {
			if !bytes.Equal(got[i], wantAt[c][i]) {
				t.Errorf("%v: datagram %d is %d bytes of %#x, want %d", addrOf(c), i, len(got[i]), got[i][:min(1, len(got[i]))], len(wantAt[c][i]))
			}
		}
	}
	if got := w.Flush(); got != 0 {
		t.Errorf("a second Flush counted %d", got)
	}
}

func TestWriterDropsOnlyWhatTheKernelRefuses(t *testing.T) {
	sc, a := listen(t), listen(t)
	w := NewWriter(sc)
	port0 := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0) // sendto refuses port 0
	w.Add([]byte("one"), addrOf(a), 1)
	w.Add([]byte("lost"), port0, 10)
	w.Add([]byte("two"), addrOf(a), 100)
	if got := w.Flush(); got != 101 {
		t.Errorf("Flush counted %d, want 101", got)
	}
	got := receive(t, a, 2)
	if string(got[0]) != "one" || string(got[1]) != "two" {
		t.Errorf("received %q", got)
	}
}
