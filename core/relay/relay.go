// Package relay copies bytes between a SOCKS client's connection and the
// outbound connection once the handshake is over: TCP with half-close in both
// directions, live per-connection byte counters and an optional idle timeout.
// It knows nothing of SOCKS, dialing or the stats table; the server hands it
// two connected net.Conns and the two counters it wants kept current.
//
// # How bytes are copied and counted
//
// When both connections are *net.TCPConn on Linux, each direction runs
// (*net.TCPConn).ReadFrom, which moves the data with splice(2) through a
// kernel pipe and never copies it into user space. ReadFrom only returns at
// EOF or on an error, so to see the bytes while they flow, each call runs
// under a read deadline on the source Flush ahead: when it fires, ReadFrom
// returns the bytes written so far together with a timeout, the direction
// adds them to its counter and calls again. No byte is lost or counted
// twice: internal/poll.Splice checks the read deadline only before draining
// the source into the empty pipe, never between draining and pumping the
// pipe into the destination, so a read timeout always leaves the pipe empty
// and written exact. (A write deadline could strand bytes in the pipe; the
// relay sets one only as the idle timeout, where it closes both sides
// anyway.)
//
// Everything else (other platforms, other net.Conn types, and the
// comparison in the benchmarks) uses a read/write loop with a pooled 32 KiB
// buffer that counts every chunk.
//
// The splice path is the one kept, by measurement: BenchmarkRelay
// (bench_test.go) pushes data over loopback through the relay from a
// separate process and reports the relay process's CPU time per GB. Means
// on a 2-CPU VM, Go 1.26, -count=5, benchmark and peer sharing both CPUs
// (and, in brackets, -count=8 with each pinned to its own CPU):
//
//	                          MB/s          relay CPU ms/GB
//	splice, counting          2348 (2155)   222 (326)
//	splice, counting off      2231 (2195)   232 (323)
//	bare io.Copy both ways    2239 (2148)   241 (315)
//	buffered loop, counting   1939 (1814)   376 (425)
//
// Run-to-run noise is about ±5 %; a further pinned A/B run of 15 each gave
// 203 ms/GB for splice with counting against 213 for the bare io.Copy
// relay. Counting thus costs nothing measurable against counting off or
// the bare relay (a few ReadFrom calls and atomic adds per second), while
// the buffered loop, which copies every byte into and out of user space,
// costs 30 to 70 % more CPU and 15 % of the throughput. (The table is from
// a 1 s Flush; with 100 ms, -count=4 on a loaded 2-CPU VM: 212 ms/GB
// counting against 218 with counting off, before 266 against 268: ten
// calls a second instead of one cost nothing measurable.)
//
// # Idle connections and short exchanges
//
// An idle direction holds neither a pipe nor a buffer: it starts idle, and
// after one Flush interval without a byte it is idle again. Idle, it waits
// in the poller through syscall.RawConn and, once the source is readable,
// reads what is there straight away into a pooled buffer lent for that
// read and writes it on (a one-byte read where there is no RawConn). Only
// a read that fills the buffer, a stream, goes on with the kernel copy
// above. There is no timer or goroutine per connection other than the
// deadlines and the one goroutine that runs the second direction.
//
// # What a connection costs
//
// Most of a short connection's CPU time is system calls (on this project's
// test VM, a gVisor sandbox, over three quarters in the handshake
// benchmark's profile), so the relay is built to make few: a request or
// reply passes with one read and one write, where a peek and a splice in
// and out took three; the second direction to end skips the shutdown, as
// the close right after sends the FIN. What is left per connection is
// mostly the net package's own (accept also reads the local address and
// sets TCP_NODELAY and keep-alive; dial adds epoll registration, SO_ERROR,
// both addresses and the same two options; close deregisters from epoll)
// and the scheduler's wake-ups between the accept, handshake and relay
// goroutines. socksload's "server CPU per connection" row and the strace
// counts in the commit history measure it; engine's BenchmarkConnection
// gives the profile and allocations.
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
