package server

import (
	"crypto/sha256"
	"crypto/subtle"
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

// credentials compares username/password in constant time. Both sides are
// hashed first so that the comparison takes the same time whatever the
// lengths, and both fields are always compared, so a wrong user and a
// wrong password cost the same.
type credentials struct {
	user, pass [sha256.Size]byte
}

func newCredentials(user, pass string) *credentials {
	if user == "" {
		return nil
	}
	return &credentials{user: sha256.Sum256([]byte(user)), pass: sha256.Sum256([]byte(pass))}
}

func (c *credentials) match(u socks5.UserPass) bool {
	user := sha256.Sum256([]byte(u.Username))
	pass := sha256.Sum256([]byte(u.Password))
	ok := subtle.ConstantTimeCompare(c.user[:], user[:]) & subtle.ConstantTimeCompare(c.pass[:], pass[:])
	return ok == 1
}

// errAuthFailed is a client that gave wrong credentials.
var errAuthFailed = errors.New("authentication failed: wrong username or password")

// errNoMethod is a client that offers no method the server accepts.
var errNoMethod = errors.New("no acceptable authentication method offered")

// negotiate runs method selection and, when configured, RFC 1929
// authentication. It returns the authenticated username ("" without auth).
func negotiate(m *msgReader, creds *credentials, out []byte) (string, error) {
	g, err := readMsg(m, socks5.ParseGreeting)
	if err != nil {
		return "", fmt.Errorf("greeting: %w", err)
	}
	method := socks5.AuthNoAcceptable
	switch {
	case creds != nil:
		if g.Has(socks5.AuthUserPass) {
			method = socks5.AuthUserPass
		}
	case g.Has(socks5.AuthNone):
		method = socks5.AuthNone
	}
	if _, err := m.conn.Write(socks5.AppendMethodSelection(out[:0], method)); err != nil {
		return "", fmt.Errorf("method selection: %w", err)
	}
	switch method {
	case socks5.AuthNoAcceptable:
		return "", errNoMethod
	case socks5.AuthNone:
		return "", nil
	}
	up, err := readMsg(m, socks5.ParseUserPass)
	if err != nil {
		return "", fmt.Errorf("username/password: %w", err)
	}
	status := socks5.AuthSuccess
	if !creds.match(up) {
		status = socks5.AuthFailure
	}
	if _, err := m.conn.Write(socks5.AppendUserPassReply(out[:0], status)); err != nil {
		return "", fmt.Errorf("username/password reply: %w", err)
	}
	if status != socks5.AuthSuccess {
		return up.Username, errAuthFailed
	}
	return up.Username, nil
}
