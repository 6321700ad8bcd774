// Package dgram moves UDP datagrams in batches, for the UDP ASSOCIATE
// relay. On Linux a Reader takes everything queued on a socket in one
// recvmmsg, and a Writer sends a run of equal-sized datagrams to one
// address as one UDP GSO send (UDP_SEGMENT), all runs in one sendmmsg.
// Elsewhere both move one datagram per call.
//
// A proxy sends every datagram through the kernel's UDP stack twice, so
// its rate is bound by the stack's cost per packet; a GSO run goes through
// the IP and device layers once. socksload's UDP row has the figures.
package dgram

import "net/netip"

// MaxPayload is the largest UDP payload.
const MaxPayload = 65535

// Packet is one datagram a Reader read. Its bytes stay valid until the
// Reader's next Read.
type Packet struct {
	Addr netip.AddrPort // where it came from
	slot []byte         // the headroom, then the payload
	off  int            // where the payload starts in slot
	n    int
}

// Bytes is the datagram's payload.
func (p *Packet) Bytes() []byte { return p.slot[p.off : p.off+p.n] }

// Prepend writes h just before the payload, in the headroom the Reader
// left, and returns h and the payload as one slice: a header is put in
// front without copying the payload. h must fit in the headroom.
func (p *Packet) Prepend(h []byte) []byte {
	start := p.off - len(h)
	copy(p.slot[start:], h)
	return p.slot[start : p.off+p.n]
}

// MaxHeadroom is the most room a Reader leaves in front of a payload: enough
// for the largest SOCKS5 UDP header (RFC 1928 section 7: 4 + 1 + 255 + 2).
const MaxHeadroom = 262
