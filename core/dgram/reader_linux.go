package dgram

import (
	"errors"
	"net"
	"net/netip"
	"sync"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// maxBatch is how many datagrams one Read returns, or one sendmmsg sends,
// at most.
const maxBatch = 8

// Reader reads a UDP socket's datagrams: all that are queued, up to
// maxBatch, in one recvmmsg. Its buffers come from a pool when datagrams
// arrive and go back once the queue is drained, so a Reader waiting on a
// quiet socket holds none: a batch's buffers are half a megabyte, and an
// association may sit idle for hours.
type Reader struct {
	pc       *ipv4.PacketConn // its batch calls serve either family
	headroom int
	slots    *slots // nil while waiting
	drained  bool   // the last Read took all that was queued
	msgs     [maxBatch]ipv4.Message
	pkts     [maxBatch]Packet
	peek     [1]ipv4.Message
}

type slots [maxBatch][]byte

var slotPool = sync.Pool{New: func() any {
	s := new(slots)
	for i := range s {
		s[i] = make([]byte, MaxHeadroom+MaxPayload)
	}
	return s
}}

// NewReader reads c's datagrams, leaving headroom bytes (at most
// MaxHeadroom) in front of each payload for Packet.Prepend.
func NewReader(c *net.UDPConn, headroom int) *Reader {
	r := &Reader{pc: ipv4.NewPacketConn(c), headroom: min(headroom, MaxHeadroom)}
	r.peek[0].Buffers = [][]byte{make([]byte, 1)}
	return r
}

// Read waits for a datagram and returns it with all that are queued
// behind it, up to a batch. It fails only when the socket does.
func (r *Reader) Read() ([]Packet, error) {
	if r.drained {
		r.release()
	}
	// After a full batch more may be queued, or none: look without
	// waiting, so that buffers are never held while waiting.
	flags := unix.MSG_DONTWAIT
	if r.slots == nil {
		// Wait holding no buffers: peek at the next datagram's first byte.
		if _, err := r.pc.ReadBatch(r.peek[:], unix.MSG_PEEK); err != nil {
			return nil, err
		}
		r.take()
		flags = 0
	}
	n, err := r.pc.ReadBatch(r.msgs[:], flags)
	if err != nil {
		r.release()
		if errors.Is(err, unix.EAGAIN) {
			return r.Read()
		}
		return nil, err
	}
	r.drained = n < maxBatch
	for i, m := range r.msgs[:n] {
		r.pkts[i] = Packet{Addr: addrPort(m.Addr), slot: r.slots[i], off: r.headroom, n: m.N}
	}
	return r.pkts[:n], nil
}

func (r *Reader) take() {
	r.slots = slotPool.Get().(*slots)
	for i := range r.msgs {
		r.msgs[i].Buffers = append(r.msgs[i].Buffers[:0], r.slots[i][r.headroom:r.headroom+MaxPayload])
	}
}

func (r *Reader) release() {
	if r.slots == nil {
		return
	}
	for i := range r.msgs {
		r.msgs[i].Buffers[0] = nil
		r.pkts[i] = Packet{}
	}
	slotPool.Put(r.slots)
	r.slots, r.drained = nil, false
}

// addrPort is a's address and port, an IPv4 address as such, not mapped.
func addrPort(a net.Addr) netip.AddrPort {
	u, ok := a.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}
	}
	ap := u.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
