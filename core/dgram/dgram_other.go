//go:build !linux

package dgram

import (
	"net"
	"net/netip"
)

// Reader reads a UDP socket's datagrams, one per Read here (recvmmsg is
// Linux's).
type Reader struct {
	conn     *net.UDPConn
	headroom int
	slot     []byte
	pkt      [1]Packet
}

// NewReader reads c's datagrams, leaving headroom bytes (at most
// MaxHeadroom) in front of each payload for Packet.Prepend.
func NewReader(c *net.UDPConn, headroom int) *Reader {
	return &Reader{conn: c, headroom: min(headroom, MaxHeadroom)}
}

// Read waits for a datagram and returns it. It fails only when the socket
// does.
func (r *Reader) Read() ([]Packet, error) {
	if r.slot == nil {
		r.slot = make([]byte, r.headroom+MaxPayload)
	}
	n, from, err := r.conn.ReadFromUDPAddrPort(r.slot[r.headroom:])
	if err != nil {
		return nil, err
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	r.pkt[0] = Packet{Addr: from, slot: r.slot, off: r.headroom, n: n}
	return r.pkt[:], nil
}

// Writer sends datagrams on a UDP socket, each as Add is called here.
type Writer struct {
	conn *net.UDPConn
	sent int
}

// NewWriter sends on c.
func NewWriter(c *net.UDPConn) *Writer { return &Writer{conn: c} }

// Add sends p to to; count is what Flush adds up for it once it is sent
// (its payload's length, say).
func (w *Writer) Add(p []byte, to netip.AddrPort, count int) {
	if _, err := w.conn.WriteToUDPAddrPort(p, to); err == nil {
		w.sent += count
	}
}

// Flush returns the counts of the datagrams sent since the last Flush.
func (w *Writer) Flush() int {
	sent := w.sent
	w.sent = 0
	return sent
}
