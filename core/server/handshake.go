package server

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/sockstray/sockstray/core/socks5"
)

// handshakeBufSize holds the largest greeting (257 bytes), username/password
// request (513) and request (262) together, so a client that pipelines all
// three in one write is read in one go.
const handshakeBufSize = 1100

var handshakeBufs = sync.Pool{New: func() any { return new([handshakeBufSize]byte) }}

// msgReader reads SOCKS messages from a connection into a pooled buffer:
// one read usually holds a whole message (or several, pipelined), and a
// message split over many reads is put together.
type msgReader struct {
	conn net.Conn
	buf  *[handshakeBufSize]byte
	r, w int
}

func newMsgReader(c net.Conn) *msgReader {
	return &msgReader{conn: c, buf: handshakeBufs.Get().(*[handshakeBufSize]byte)}
}

// release returns the buffer and hands back any bytes read past the last
// message: data the client sent before our reply, owed to the destination.
func (m *msgReader) release() []byte {
	var rest []byte
	if m.w > m.r {
		rest = append([]byte(nil), m.buf[m.r:m.w]...)
	}
	handshakeBufs.Put(m.buf)
	m.buf = nil
	return rest
}

// errTruncated is a connection that ended inside a message.
var errTruncated = fmt.Errorf("%w: connection closed mid-message", socks5.ErrShort)

// peek returns the first byte the client sends, leaving it unread.
func (m *msgReader) peek() (byte, error) {
	for m.w == m.r {
		k, err := m.conn.Read(m.buf[m.w:])
		m.w += k
		if err != nil && k == 0 {
			return 0, err
		}
	}
	return m.buf[m.r], nil
}

// buffered returns the bytes read but not yet parsed.
func (m *msgReader) buffered() []byte { return m.buf[m.r:m.w] }

func readMsg[T any](m *msgReader, parse func([]byte) (T, int, error)) (T, error) {
	for {
		v, n, err := parse(m.buf[m.r:m.w])
		if err == nil {
			m.r += n
			return v, nil
		}
		if !errors.Is(err, socks5.ErrShort) {
			return v, err
		}
		if m.r > 0 {
			m.w = copy(m.buf[:], m.buf[m.r:m.w])
			m.r = 0
		}
		k, rerr := m.conn.Read(m.buf[m.w:])
		m.w += k
		if rerr != nil && k == 0 {
			if m.w > 0 {
				return v, errTruncated
			}
			return v, rerr
		}
	}
}
