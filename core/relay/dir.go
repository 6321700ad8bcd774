package relay

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// dir is one direction of a relay: src → dst. Only its own goroutine
// touches its fields; it owns src's read deadline and dst's write deadline.
type dir struct {
	r        *relay
	name     string // "up" or "down", for errors
	src, dst net.Conn
	ctr      *atomic.Int64
	n        int64 // bytes written to dst so far

	// splice path: dst.ReadFrom(&lr) with lr.R the source *net.TCPConn.
	spliceTo *net.TCPConn
	lr       io.LimitedReader
	limit    int64      // budget of the next ReadFrom call, see copySplice
	queue    queueState // the low unsent mark on spliceTo, see tuneQueue
	lowat    int        // the mark's value while queueLimited
	// limitedAt and limitedN: when the mark was set and n then, to measure
	// the download's rate since.
	limitedAt time.Time
	limitedN  int64

	raw  syscall.RawConn // src's, to wait for data and read it in one step; nil if none
	held bool            // one is a byte read from src while waiting, not yet written
	one  [1]byte

	// readChunk is d.readReady, bound once (a method value allocates);
	// chunk and chunkN/chunkErr are what it read.
	readChunk func(fd uintptr) bool
	chunk     *[bufSize]byte
	chunkN    int
	chunkErr  error
}

const (
	bufSize = 32 << 10
	// minLimit bounds how long one splice call can run on a very slow
	// destination: 20 KB/s moves it in one Flush (100 ms). A fast stream
	// outgrows it by doubling in a few calls of microseconds each.
	minLimit = 2 << 10
)

// bufPool holds the buffered loop's buffers, lent out only while data flows.
var bufPool = sync.Pool{New: func() any { return new([bufSize]byte) }}

func (d *dir) init(r *relay, name string, src, dst net.Conn, ctr *atomic.Int64) {
	d.r, d.name, d.src, d.dst, d.ctr = r, name, src, dst, ctr
	s, sok := src.(*net.TCPConn)
	t, tok := dst.(*net.TCPConn)
	if canSplice && sok && tok && !r.opt.buffered {
		d.spliceTo, d.lr.R, d.limit = t, s, minLimit
	}
	// Only a bare *net.TCPConn: a wrapper could hold buffered bytes that a
	// read from the socket would skip.
	if canReadRaw && sok {
		if raw, err := s.SyscallConn(); err == nil {
			d.raw = raw
			d.readChunk = d.readReady
		}
	}
}

func (d *dir) add(n int64) {
	d.n += n
	if d.ctr != nil && n != 0 {
		d.ctr.Add(n)
	}
}

// run copies until EOF (nil) or an error.
func (d *dir) run(pending []byte) error {
	opt := &d.r.opt
	if len(pending) > 0 {
		if opt.Idle > 0 {
			d.dst.SetWriteDeadline(time.Now().Add(opt.Idle))
		}
		n, err := d.dst.Write(pending)
		d.add(int64(n))
		d.r.touch()
		if err != nil {
			return err
		}
	}
	// Start idle where waiting is free, so a connection that never carries
	// data never takes a pipe or buffer.
	idle := d.raw != nil
	for {
		if idle {
			stream, err := d.wait()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if !stream {
				continue
			}
		}
		start := time.Now()
		d.src.SetReadDeadline(start.Add(opt.Flush))
		if opt.Idle > 0 {
			d.dst.SetWriteDeadline(start.Add(opt.Idle))
		}
		n, err := d.copy(start)
		if n > 0 {
			d.r.touch()
		}
		switch {
		case err == nil:
			return nil
		case err == errBudget:
			idle = false
		case !isTimeout(err):
			return err
		case opt.Idle > 0 && time.Since(start) >= opt.Idle:
			// The write deadline: dst took nothing for Idle.
			return ErrIdle
		default:
			// The read deadline: counters are current; go on, or wait
			// without resources if nothing came in a whole interval.
			idle = n == 0
		}
	}
}

// A destination that took more than fastBytes at more than fastRate
// bytes a second on average is fast enough to go without the low unsent
// mark; the kernel's buffers of a slow one hold a few MiB at most, so they
// cannot fake it. lowatFrom is below what the kernel buffers of even a
// small client take before the relay blocks (measured: a 20 KB/s reader
// blocked it after less than 256 KiB, and then for over 30 s).
const (
	lowatFrom = 32 << 10
	fastBytes = 64 << 20
	fastRate  = 16 << 20
)

// errBudget ends a splice call that used up its byte budget (not EOF).
var errBudget = errors.New("budget used")

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// copy moves bytes until EOF (nil), the deadlines or an error, and counts them.
func (d *dir) copy(start time.Time) (int64, error) {
	var n int64
	if d.held {
		d.held = false
		w, err := d.dst.Write(d.one[:])
		n += int64(w)
		d.add(int64(w))
		if err != nil {
			return n, err
		}
	}
	var m int64
	var err error
	if d.spliceTo != nil {
		m, err = d.copySplice(start)
	} else {
		m, err = d.copyBuffered()
	}
	return n + m, err
}

// copySplice moves bytes in the kernel and counts them when ReadFrom
// returns. The read deadline makes it return at least every Flush while
// the source is read; the budget (limit) makes it return about as often when
// the destination is what holds it back, because then the source never runs
// dry and each pump of up to 1 MiB into a slow destination happens before
// the deadline is looked at again. The budget follows the measured rate,
// so a fast stream still makes about one call per Flush.
func (d *dir) copySplice(start time.Time) (int64, error) {
	d.lr.N = d.limit
	n, err := d.spliceTo.ReadFrom(&d.lr)
	d.add(n)
	if err == nil && d.lr.N == 0 {
		err = errBudget
	}
	if n > 0 {
		el := max(time.Since(start), time.Microsecond)
		rate := float64(n) * float64(d.r.opt.Flush) / float64(el)
		// Doubling at most: a burst that only fills socket buffers must
		// not pass for the destination's rate.
		d.limit = int64(min(max(rate, minLimit), 2*float64(d.limit), 1<<50))
		d.tuneQueue()
	}
	return n, err
}

// queueState is where a download stands with the low unsent mark.
type queueState uint8

const (
	queueNone    queueState = iota // not the client's socket, or settled
	queueUnset                     // the client's socket, mark not set yet
	queueLimited                   // mark set
)

// tuneQueue sets the low unsent mark (limitQueue) on the client's socket
// once a download has moved lowatFrom bytes, before the kernel's buffers
// could fill, so short connections never pay the syscall; keeps it at
// about two budgets (a budget is what moves in one Flush), so the kernel
// takes one in each step and the counter moves every Flush even at
// 20 KB/s; and takes it off once the download proves fast. The mark is
// set again only when the rate has more than halved or doubled: no
// syscall while a rate holds.
func (d *dir) tuneQueue() {
	want := lowatFor(d.limit)
	switch {
	case d.queue == queueUnset && d.n > lowatFrom:
		d.queue = queueNone
		if limitQueue(d.spliceTo, want) {
			d.queue, d.lowat, d.limitedAt, d.limitedN = queueLimited, want, time.Now(), d.n
		}
	case d.queue == queueLimited && d.n-d.limitedN > fastBytes &&
		float64(d.n-d.limitedN)/time.Since(d.limitedAt).Seconds() > fastRate:
		d.queue = queueNone
		unlimitQueue(d.spliceTo)
	case d.queue == queueLimited && (want > 2*d.lowat || 2*want < d.lowat):
		if limitQueue(d.spliceTo, want) {
			d.lowat = want
		}
	}
}

// lowatFor is the low unsent mark for a budget: the kernel wakes a
// blocked writer when less than half the mark is unsent, so each step
// moves about one budget.
func lowatFor(limit int64) int {
	return int(min(max(2*limit, 2*minLimit), maxNotSentLowat))
}

// copyBuffered is the user-space loop; it counts every chunk.
func (d *dir) copyBuffered() (int64, error) {
	buf := bufPool.Get().(*[bufSize]byte)
	defer bufPool.Put(buf)
	var n int64
	for {
		nr, rerr := d.src.Read(buf[:])
		if nr > 0 {
			nw, werr := d.dst.Write(buf[:nr])
			n += int64(nw)
			d.add(int64(nw))
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// wait blocks, holding no buffer or pipe, until src has data, EOF (io.EOF)
// or an error, or the idle timeout (ErrIdle). With a raw conn the data is
// read as soon as the poller says it is there, into a buffer lent only for
// that read, and written to dst at once: a short message (a request, a
// reply, a keystroke) costs one read and one write, where a peek and a
// splice in and out cost three. stream reports a read that filled the
// buffer: more is coming, and the kernel copies it (copy). Without a raw
// conn it reads one byte, which copy then writes first, and stream is true.
func (d *dir) wait() (stream bool, err error) {
	idle := d.r.opt.Idle
	for {
		var dl time.Time
		if idle > 0 {
			dl = d.r.idleSince().Add(idle)
		}
		d.src.SetReadDeadline(dl)
		if d.raw != nil {
			err = d.raw.Read(d.readChunk)
			if err == nil {
				return d.passChunk()
			}
		} else {
			var n int
			n, err = d.src.Read(d.one[:])
			if n > 0 {
				d.held = true
				return true, nil
			}
		}
		if !isTimeout(err) {
			return false, err
		}
		// Deadline: the other direction may have moved bytes meanwhile.
		if idle > 0 && time.Since(d.r.idleSince()) >= idle {
			return false, ErrIdle
		}
	}
}

// readReady is the callback of raw.Read: it reads what src has, or says
// false to be called again once the poller sees src readable. The buffer
// is taken only for a read that finds something.
func (d *dir) readReady(fd uintptr) bool {
	if d.chunk == nil {
		d.chunk = bufPool.Get().(*[bufSize]byte)
	}
	d.chunkN, d.chunkErr = readNow(fd, d.chunk[:])
	if d.chunkErr == errWouldBlock {
		bufPool.Put(d.chunk)
		d.chunk = nil
		return false
	}
	return true
}

// passChunk writes what readReady read to dst and gives the buffer back.
func (d *dir) passChunk() (stream bool, err error) {
	buf, n, rerr := d.chunk, d.chunkN, d.chunkErr
	d.chunk, d.chunkErr = nil, nil
	defer bufPool.Put(buf)
	switch {
	case rerr != nil:
		return false, rerr
	case n == 0:
		return false, io.EOF
	}
	opt := &d.r.opt
	if opt.Idle > 0 {
		d.dst.SetWriteDeadline(time.Now().Add(opt.Idle))
	}
	w, err := d.dst.Write(buf[:n])
	d.add(int64(w))
	d.r.touch()
	if err != nil {
		if opt.Idle > 0 && isTimeout(err) {
			return false, ErrIdle
		}
		return false, err
	}
	return n == len(buf), nil
}
