// Package relay copies bytes between a SOCKS client's connection and the
// outbound connection once the handshake is over: TCP with half-close in both
// directions, live per-connection byte counters and an optional idle timeout.
// It knows nothing of SOCKS, dialing or the stats table; the server hands it
// two connected net.Conns and the two counters it wants kept current.
//
// # Design
//
// A direction that streams moves its bytes with splice(2) through a kernel
// pipe ((*net.TCPConn).ReadFrom on Linux), never copying them into user
// space. To count them while they flow, each ReadFrom runs under a read
// deadline Flush ahead and adds what it moved when the deadline returns it;
// internal/poll.Splice checks that deadline only before filling the empty
// pipe, so no byte is lost or counted twice. Other platforms and other
// net.Conn types use a read/write loop with a pooled 32 KiB buffer.
//
// An idle direction holds neither a pipe nor a buffer: it waits in the
// poller through syscall.RawConn and reads what arrives straight into a
// buffer lent for that one read, so a request or reply costs one read and
// one write; only a read that fills the buffer goes on to splice. A
// connection holds no timer or goroutine beyond its deadlines and the
// goroutine of its second direction, and the second direction to end skips
// its shutdown (the close right after sends the FIN).
//
// The figures that chose this design are measured, not kept here:
// BenchmarkRelay (throughput and relay CPU per GB against the buffered loop
// and a bare io.Copy relay), engine's BenchmarkConnection (the profile and
// allocations of a whole short connection), and tools/socksload (make bench:
// CPU per connection, handshake rates and idle memory beside microsocks and
// a bare Go relay). Most of a short connection's cost is system calls, and
// of those most are the net package's own (addresses read at accept and
// dial, TCP_NODELAY, epoll registration).
package relay

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrIdle is returned by TCP when it closed the connections because no byte
// moved in either direction for Options.Idle.
var ErrIdle = errors.New("relay: idle timeout")

// Options tune a relay. The zero value means: no idle timeout, counters
// brought up to date every 100 ms while bytes flow.
type Options struct {
	// Idle closes both connections after that long without a byte moving in
	// either direction; 0 means never. It is measured with a granularity of
	// Flush, so Flush is lowered to Idle/2 when it is longer than that.
	// A write that makes no progress for Idle also counts as idle.
	Idle time.Duration

	// Flush is the longest a counter lags behind the bytes moved while they
	// flow; 0 means 100 ms.
	Flush time.Duration

	// buffered forces the user-space loop where splice would be used, to
	// compare the two in tests and benchmarks.
	buffered bool
}

// defaultFlush is well under the stats tick (1 s): a counter that moves
// in steps of a second, read by a tick of a second, aliases (a steady
// 400 KB/s read as 0, 0.8, 0.4 MB/s), while steps of 100 ms put each
// per-second rate within 10 % of the truth. It costs about ten ReadFrom
// calls a second per direction while bytes flow, nothing per byte, and
// nothing while idle.
const defaultFlush = 100 * time.Millisecond

func (o Options) norm() Options {
	if o.Flush <= 0 {
		o.Flush = defaultFlush
	}
	if o.Idle < 0 {
		o.Idle = 0
	}
	if o.Idle > 0 && o.Flush > o.Idle/2 {
		o.Flush = o.Idle / 2
	}
	return o
}

// TCP copies client→target (up) and target→client (down) until both
// directions have ended, then closes both connections and returns the bytes
// moved each way.
//
// pending holds bytes already read from the client (pipelined behind the
// handshake); they are written to target first and counted as up. up and
// down, when not nil, receive the byte counts as they move, at least once
// per Flush while bytes flow; at return they have received exactly upBytes
// and downBytes.
//
// EOF on one side is passed on with CloseWrite and the other direction goes
// on; if the destination cannot half-close, the relay ends instead. An error
// in either direction closes both connections. To stop a relay, close either
// connection: TCP then returns promptly with an error wrapping
// net.ErrClosed. err is nil when both directions ended with EOF, ErrIdle
// after an idle timeout, and otherwise the first error, naming its
// direction.
//
// TCP runs one direction on the calling goroutine and starts exactly one
// goroutine for the other, which has ended by the time TCP returns.
func TCP(client, target net.Conn, up, down *atomic.Int64, pending []byte, opt Options) (upBytes, downBytes int64, err error) {
	r := &relay{opt: opt.norm(), client: client, target: target}
	r.touch()
	r.up.init(r, "up", client, target, up)
	r.down.init(r, "down", target, client, down)
	if r.down.spliceTo != nil {
		r.down.queue = queueUnset // the client's socket: see tuneQueue
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.down.finish(r.down.run(nil))
	}()
	r.up.finish(r.up.run(pending))
	r.wg.Wait()
	client.Close()
	target.Close()
	return r.up.n, r.down.n, r.err
}

// relay is the state both directions share.
type relay struct {
	opt            Options
	client, target net.Conn
	up, down       dir
	wg             sync.WaitGroup

	// last is when a byte last moved in either direction, as nanoseconds
	// since epoch; kept only when there is an idle timeout.
	last atomic.Int64

	mu      sync.Mutex
	err     error // first cause of the end, reported by TCP
	closing bool  // both conns are being closed; later errors are echoes
	eofs    int   // directions that ended with EOF
}

// epoch anchors last on the monotonic clock.
var epoch = time.Now()

func (r *relay) touch() {
	if r.opt.Idle > 0 {
		r.last.Store(int64(time.Since(epoch)))
	}
}

// idleSince is when a byte last moved, suitable as a deadline base.
func (r *relay) idleSince() time.Time {
	return epoch.Add(time.Duration(r.last.Load()))
}

// stop records why the relay ends (nil for a normal end) unless an earlier
// cause is known, and closes both connections so both directions return.
func (r *relay) stop(err error) {
	r.mu.Lock()
	if !r.closing {
		r.err = err
		r.closing = true
	}
	r.mu.Unlock()
	r.client.Close()
	r.target.Close()
}

// lastEOF counts a direction that ended with EOF and reports whether it
// is the second.
func (r *relay) lastEOF() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eofs++
	return r.eofs == 2
}

// finish ends one direction: pass EOF on, or stop the relay.
func (d *dir) finish(err error) {
	switch {
	case errors.Is(err, ErrIdle):
		d.r.stop(ErrIdle)
	case err != nil:
		d.r.stop(fmt.Errorf("relay %s: %w", d.name, err))
	default:
		cw, ok := d.dst.(interface{ CloseWrite() error })
		if !ok {
			// Without half-close the peer would wait for an EOF that never
			// comes; ending the relay is the visible failure.
			d.r.stop(nil)
			return
		}
		if d.r.lastEOF() {
			// TCP closes both sockets next, and each close sends the FIN
			// (both were read to EOF, so neither has unread bytes that
			// would turn it into a reset): a shutdown would be one more
			// syscall for nothing.
			return
		}
		if err := cw.CloseWrite(); err != nil {
			d.r.stop(fmt.Errorf("relay %s: %w", d.name, err))
		}
	}
}
