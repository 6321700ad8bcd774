package dgram

import (
	"errors"
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// maxGSOBytes bounds a GSO run: the largest IPv4 UDP payload.
const maxGSOBytes = 65507

// Writer sends datagrams on a UDP socket in batches. Datagrams added
// between two Flushes go out in one sendmmsg; on a kernel with UDP GSO a
// run of them to one address, all of one size but the last, which may be
// shorter, goes as one message that the kernel splits.
type Writer struct {
	conn  *net.UDPConn
	pc    *ipv4.PacketConn
	gso   bool // the socket takes UDP_SEGMENT
	sent  int  // the counts of datagrams sent since the last Flush
	bufs  [maxBatch][]byte
	count [maxBatch]int
	added int
	runs  [maxBatch]run
	nruns int
	msgs  [maxBatch]ipv4.Message
}

// run is datagrams bufs[start:end] to one address, which go as one
// message.
type run struct {
	to         netip.AddrPort
	addr       net.UDPAddr
	start, end int
	size       int // of each datagram but the last
	bytes      int
	oob        []byte
}

// NewWriter sends on c.
func NewWriter(c *net.UDPConn) *Writer {
	w := &Writer{conn: c, pc: ipv4.NewPacketConn(c), gso: gsoWorks(c)}
	for i := range w.runs {
		w.runs[i].addr.IP = make(net.IP, 0, net.IPv6len)
		w.runs[i].oob = segmentCmsg()
	}
	return w
}

// Add queues p for to, to be sent by Flush, or at once if the batch is
// full. count is what Flush adds up for it once it is sent (its payload's
// length, say). p must stay unchanged until then.
func (w *Writer) Add(p []byte, to netip.AddrPort, count int) {
	if w.added == maxBatch {
		w.send()
	}
	i := w.added
	w.bufs[i], w.count[i] = p, count
	w.added++
	if w.nruns > 0 && w.joins(&w.runs[w.nruns-1], p, to) {
		r := &w.runs[w.nruns-1]
		r.end++
		r.bytes += len(p)
		return
	}
	r := &w.runs[w.nruns]
	w.nruns++
	r.to, r.start, r.end, r.size, r.bytes = to, i, i+1, len(p), len(p)
}

// joins says whether p can go in r's message: GSO splits a message into
// segments of one size, the last of which may be shorter.
func (w *Writer) joins(r *run, p []byte, to netip.AddrPort) bool {
	return w.gso && r.to == to && len(p) > 0 && len(p) <= r.size &&
		len(w.bufs[r.end-1]) == r.size && r.bytes+len(p) <= maxGSOBytes
}

// Flush sends what was added and returns the counts of the datagrams
// that went out, including those sent when a batch filled. A datagram
// the kernel refuses is dropped, as a lone send's would be.
func (w *Writer) Flush() int {
	w.send()
	sent := w.sent
	w.sent = 0
	return sent
}

func (w *Writer) send() {
	ms := w.msgs[:w.nruns]
	for i := range ms {
		r := &w.runs[i]
		r.setAddr()
		ms[i] = ipv4.Message{Buffers: w.bufs[r.start:r.end], Addr: &r.addr}
		if r.end-r.start > 1 {
			setSegment(r.oob, r.size)
			ms[i].OOB = r.oob
		}
	}
	for i := 0; i < len(ms); {
		k, err := w.pc.WriteBatch(ms[i:], 0)
		k = max(k, 0) // -1 with an error
		for _, r := range w.runs[i : i+k] {
			w.credit(r.start, r.end)
		}
		i += k
		if err == nil && k > 0 || i == len(ms) {
			continue
		}
		if r := &w.runs[i]; r.end-r.start > 1 {
			// A GSO message the path cannot take (a segment over its MTU,
			// a device without checksum offload): send its datagrams alone.
			if errors.Is(err, unix.EIO) {
				w.gso = false
			}
			w.sendEach(r)
		}
		i++
	}
	clear(w.bufs[:w.added])
	w.added, w.nruns = 0, 0
}

// setAddr puts r.to in the form x/net sends to, in r's own buffer.
func (r *run) setAddr() {
	a := r.to.Addr()
	if a.Is4() {
		b := a.As4()
		r.addr.IP = append(r.addr.IP[:0], b[:]...)
	} else {
		b := a.As16()
		r.addr.IP = append(r.addr.IP[:0], b[:]...)
	}
	r.addr.Port, r.addr.Zone = int(r.to.Port()), a.Zone()
}

func (w *Writer) sendEach(r *run) {
	for i := r.start; i < r.end; i++ {
		if _, err := w.conn.WriteToUDPAddrPort(w.bufs[i], r.to); err == nil {
			w.sent += w.count[i]
		}
	}
}

func (w *Writer) credit(start, end int) {
	for _, c := range w.count[start:end] {
		w.sent += c
	}
}

// gsoWorks says whether the kernel knows UDP_SEGMENT (Linux 4.18 on).
func gsoWorks(c *net.UDPConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var operr error = unix.ENOPROTOOPT
	raw.Control(func(fd uintptr) {
		_, operr = unix.GetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_SEGMENT)
	})
	return operr == nil
}

// segmentCmsg is a UDP_SEGMENT control message, its size to be set.
func segmentCmsg() []byte {
	b := make([]byte, unix.CmsgSpace(2))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = unix.SOL_UDP, unix.UDP_SEGMENT
	h.SetLen(unix.CmsgLen(2))
	return b
}

func setSegment(oob []byte, size int) {
	*(*uint16)(unsafe.Pointer(&oob[unix.CmsgLen(0)])) = uint16(size)
}
