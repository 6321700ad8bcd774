package outbound

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/sockstray/sockstray/core/socks5"
)

// sshChunk is the size of a read from a channel: SSH's largest packet
// payload, so one read takes a whole packet.
const sshChunk = 32 << 10

// sshConn is a direct-tcpip channel as a net.Conn with working deadlines.
// x/crypto's own chanConn refuses deadlines, but the relay counts bytes
// and notices idleness by read deadlines, and Handshake cancels by
// deadline, so the channel is read by a goroutine of its own and Read
// waits for it, or for the deadline. The goroutine ends when the channel
// does (at EOF, or when Close's close message is answered).
type sshConn struct {
	ch    ssh.Channel
	pool  *pooledSSH
	raddr net.Addr

	data    chan []byte // filled chunks, from the reader
	free    chan []byte // chunks Read is done with
	eof     chan struct{}
	readErr error // set before eof closes
	pending []byte
	cur     []byte

	rd, wd    deadline
	wdExpired atomic.Bool
	closeOnce sync.Once
	closed    chan struct{}
}

func newSSHConn(ch ssh.Channel, pool *pooledSSH, next socks5.Addr) *sshConn {
	c := &sshConn{
		ch: ch, pool: pool, raddr: label{"tcp", next.String()},
		data: make(chan []byte), free: make(chan []byte, 2), eof: make(chan struct{}),
		closed: make(chan struct{}), rd: makeDeadline(), wd: makeDeadline(),
	}
	c.free <- make([]byte, sshChunk)
	c.free <- make([]byte, sshChunk)
	go c.readLoop()
	return c
}

func (c *sshConn) readLoop() {
	defer close(c.eof)
	for {
		var buf []byte
		select {
		case buf = <-c.free:
		case <-c.closed:
			return
		}
		n, err := c.ch.Read(buf)
		if n > 0 {
			select {
			case c.data <- buf[:n]:
			case <-c.closed:
				return
			}
		}
		if err != nil {
			c.readErr = err
			return
		}
	}
}

// Read returns what the channel brought, io.EOF after the server's EOF,
// or os.ErrDeadlineExceeded at the read deadline (and can be called
// again after it).
func (c *sshConn) Read(b []byte) (int, error) {
	if len(c.pending) == 0 {
		if c.cur != nil {
			c.free <- c.cur[:cap(c.cur)] // never blocks: two chunks, two slots
			c.cur = nil
		}
		select {
		case <-c.closed:
			return 0, net.ErrClosed
		case <-c.rd.wait():
			return 0, os.ErrDeadlineExceeded
		default:
		}
		select {
		case buf := <-c.data:
			c.cur, c.pending = buf, buf
		case <-c.eof:
			if c.readErr == nil {
				return 0, io.EOF
			}
			return 0, c.readErr
		case <-c.rd.wait():
			return 0, os.ErrDeadlineExceeded
		case <-c.closed:
			return 0, net.ErrClosed
		}
	}
	n := copy(b, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// Write sends b. A channel write waits for the server's window and cannot
// be interrupted, so a write deadline that passes closes the channel: the
// peer took nothing for that long, and the relay ends such a connection
// anyway.
func (c *sshConn) Write(b []byte) (int, error) {
	select {
	case <-c.wd.wait():
		return 0, os.ErrDeadlineExceeded
	default:
	}
	if t := c.wd.get(); !t.IsZero() {
		timer := time.AfterFunc(time.Until(t), func() {
			c.wdExpired.Store(true)
			c.Close()
		})
		defer timer.Stop()
	}
	n, err := c.ch.Write(b)
	if err != nil && c.wdExpired.Load() {
		err = os.ErrDeadlineExceeded
	}
	return n, err
}

// CloseWrite sends EOF: the relay's half-close.
func (c *sshConn) CloseWrite() error { return c.ch.CloseWrite() }

// Close closes the channel, once, and gives its count back to the pool.
func (c *sshConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		close(c.closed)
		err = c.ch.Close()
		if err == io.EOF {
			err = nil // already closed by the server
		}
		c.pool.release()
	})
	return err
}

// LocalAddr is the SSH connection's own end: the channel has none.
func (c *sshConn) LocalAddr() net.Addr  { return c.pool.c.LocalAddr() }
func (c *sshConn) RemoteAddr() net.Addr { return c.raddr }

func (c *sshConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}
func (c *sshConn) SetReadDeadline(t time.Time) error  { c.rd.set(t); return nil }
func (c *sshConn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// deadline is a resettable deadline whose passing closes a channel, as in
// net.Pipe.
type deadline struct {
	mu     sync.Mutex
	t      time.Time
	timer  *time.Timer
	cancel chan struct{} // closed when the deadline passes
}

func makeDeadline() deadline { return deadline{cancel: make(chan struct{})} }

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.cancel // the timer fired: wait for it to have closed cancel
	}
	d.timer = nil
	d.t = t
	select {
	case <-d.cancel:
		d.cancel = make(chan struct{}) // passed before: reopen
	default:
	}
	if t.IsZero() {
		return
	}
	if dur := time.Until(t); dur > 0 {
		cancel := d.cancel
		d.timer = time.AfterFunc(dur, func() { close(cancel) })
		return
	}
	close(d.cancel)
}

func (d *deadline) wait() chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cancel
}

func (d *deadline) get() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.t
}
