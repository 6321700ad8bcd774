package dgram

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockstray/sockstray/internal/netns"
)

func TestReaderTakesAllThatIsQueued(t *testing.T) {
	rc, sc := listen(t), listen(t)
	const n = 2*maxBatch + 3
	for i := range n {
		sc.WriteToUDPAddrPort(datagram(i, 100), addrOf(rc))
	}
	_, batches := readAll(t, NewReader(rc, 0), n, addrOf(sc))
	if want := []int{maxBatch, maxBatch, 3}; !slices.Equal(batches, want) {
		t.Errorf("read in batches of %v, want %v", batches, want)
	}
}

// A reader waiting on a quiet socket gives its batch buffers back: an
// association idle for hours costs no more than its sockets. Half the
// readers here took one datagram, half a full batch, after which more
// might have been queued.
func TestIdleReadersHoldNoBuffers(t *testing.T) {
	const readers = 64
	sc := listen(t)
	done := make(chan struct{}, readers)
	for i := range readers {
		rc := listen(t)
		r := NewReader(rc, 0)
		burst := 1 + i%2*(maxBatch-1)
		for range burst {
			sc.WriteToUDPAddrPort([]byte("wake"), addrOf(rc))
		}
		go func() {
			if pkts, _ := r.Read(); len(pkts) != burst {
				t.Errorf("read %d datagrams of %d", len(pkts), burst)
			}
			done <- struct{}{}
			r.Read() // waits until the socket closes
		}()
	}
	for range readers {
		<-done
	}
	time.Sleep(100 * time.Millisecond) // every reader back to waiting
	var m runtime.MemStats
	runtime.GC()
	runtime.GC() // the pool lets go of what it kept
	runtime.ReadMemStats(&m)
	held := m.HeapInuse
	perReader := float64(held) / readers
	// Holding its batch would be 8 × 64 KiB each.
	if perReader > 64<<10 {
		t.Errorf("%d idle readers hold %d KiB of heap, %.0f KiB each", readers, held>>10, perReader/1024)
	}
}

// A run of equal-sized datagrams to one address leaves as one GSO send: a
// socket that takes GRO receives it whole, with the segment size.
func TestWriterSendsARunAsOne(t *testing.T) {
	sc, rc := listen(t), listen(t)
	raw, _ := rc.SyscallConn()
	var groErr error
	raw.Control(func(fd uintptr) {
		groErr = unix.SetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_GRO, 1)
	})
	if groErr != nil {
		t.Skipf("no UDP_GRO here: %v", groErr)
	}
	w := NewWriter(sc)
	if !w.gso {
		t.Skip("the kernel takes no UDP_SEGMENT")
	}
	for i := range 3 {
		w.Add(datagram(i, 100), addrOf(rc), 1)
	}
	w.Flush()
	buf, oob := make([]byte, MaxPayload), make([]byte, 64)
	rc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, oobn, _, _, err := rc.ReadMsgUDPAddrPort(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 || msgs[0].Header.Type != unix.UDP_GRO {
		t.Fatalf("received %d bytes with control messages %v (%v), want one run of 3 × 100 with UDP_GRO", n, msgs, err)
	}
	if size := binary.NativeEndian.Uint16(msgs[0].Data); n != 300 || size != 100 {
		t.Errorf("received %d bytes in segments of %d, want 300 in segments of 100", n, size)
	}
}

// A run whose datagrams are larger than the link's MTU cannot go as GSO
// segments: the writer sends them one by one, fragmented, and none is lost.
func TestWriterSendsARunAloneWhenGSOCannot(t *testing.T) {
	nw := netns.New(t)
	pc, err := nw.Server.ListenPacket("udp", netip.AddrPortFrom(nw.Server.V4(), 0).String())
	if err != nil {
		t.Fatal(err)
	}
	rc := pc.(*net.UDPConn)
	t.Cleanup(func() { rc.Close() })
	cp, err := nw.Client.ListenPacket("udp", netip.AddrPortFrom(nw.Client.V4(), 0).String())
	if err != nil {
		t.Fatal(err)
	}
	sc := cp.(*net.UDPConn)
	t.Cleanup(func() { sc.Close() })

	w := NewWriter(sc)
	to := addrOf(rc)
	for i := range 3 {
		w.Add(datagram(i, 3000), to, 1) // over the veth's 1500
	}
	w.Add(datagram(3, 1000), to, 1)
	w.Add(datagram(4, 1000), to, 1)
	if got := w.Flush(); got != 5 {
		t.Errorf("Flush counted %d sent, want 5", got)
	}
	got := receive(t, rc, 5)
	for i, size := range []int{3000, 3000, 3000, 1000, 1000} {
		if !bytes.Equal(got[i], datagram(i, size)) {
			t.Errorf("datagram %d: %d bytes, want %d", i, len(got[i]), size)
		}
	}
}
