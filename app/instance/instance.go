// Package instance keeps Sockstray to one running copy per user. The first
// launch claims a lock file and listens on a local socket; a later launch
// finds the lock taken, asks the running copy through the socket to show its
// window, and exits.
//
// The lock is an advisory file lock (flock on Unix, LockFileEx on Windows)
// that the kernel drops when its process dies, so a crash never leaves a lock
// that blocks the next start; a socket file the crashed copy left is removed
// by whoever takes the lock next. Deciding by the lock rather than by "the
// socket refuses connections" keeps two copies started at the same moment
// from both taking over a stale socket.
//
// Files, in DefaultDir(): sockstray.lock (kept: deleting a lock file others
// may have open would let two copies hold "the" lock), and sockstray.sock on
// Unix or sockstray.addr (loopback port and a secret token) on Windows.
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sockstray/sockstray/internal/filelock"
)

// ErrRunning is returned by Claim when another copy runs; it has been asked
// to show its window, and this one should exit.
var ErrRunning = errors.New("instance: Sockstray is already running")

// Timing: how long a message exchange may take, and how long Claim waits
// for a copy that holds the lock but does not answer yet (it is starting up
// or shutting down).
var (
	ioTimeout   = 2 * time.Second
	holderGrace = 3 * time.Second
)

const lockName = "sockstray.lock"

// Instance is the claim of the running copy. Close it on exit.
type Instance struct {
	ln     net.Listener
	lock   *os.File
	token  string
	onShow func()

	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	closed    bool
	conn      net.Conn // the connection being served, closed by Close
}

// Claim makes this process the running copy, with its files in dir, which
// must exist ("" means DefaultDir(), created if need be). If another copy
// already runs, Claim asks it to show itself and returns ErrRunning.
//
// onShow (may be nil) runs on the Instance's own goroutine each time a
// later launch asks to be shown: a GUI hands the work to its UI thread (in
// Fyne, fyne.Do) and returns; Close waits for a running onShow.
func Claim(dir string, onShow func()) (*Instance, error) {
	return claim(dir, onShow, defaultTransport)
}

func claim(dir string, onShow func(), tr transport) (*Instance, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	lockPath := filepath.Join(dir, lockName)
	deadline := time.Now().Add(holderGrace)
	for {
		lock, err := filelock.TryOpen(lockPath)
		if err == nil {
			ln, token, err := tr.listen(dir)
			if err != nil {
				lock.Close()
				return nil, fmt.Errorf("instance: listen: %w", err)
			}
			return start(ln, lock, token, onShow), nil
		}
		if !errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("instance: lock %s: %w", lockPath, err)
		}
		nerr := notify(tr, dir)
		if nerr == nil {
			return nil, ErrRunning
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("instance: another Sockstray holds %s but does not answer (%w); end that process and start again", lockPath, nerr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func start(ln net.Listener, lock *os.File, token string, onShow func()) *Instance {
	if onShow == nil {
		onShow = func() {}
	}
	in := &Instance{ln: ln, lock: lock, token: token, onShow: onShow, done: make(chan struct{})}
	go in.serve()
	return in
}

// Close stops answering later launches and releases the claim. The socket
// goes first, then the lock: a launch in between waits for the lock.
func (in *Instance) Close() error {
	var err error
	in.closeOnce.Do(func() {
		in.mu.Lock()
		in.closed = true
		if in.conn != nil {
			in.conn.Close()
		}
		in.mu.Unlock()
		err = in.ln.Close()
		<-in.done
		err = errors.Join(err, in.lock.Close())
	})
	return err
}

// serve answers one connection at a time; each has ioTimeout to say what it
// wants, so a stuck client delays the next by at most that.
func (in *Instance) serve() {
	defer close(in.done)
	for {
		c, err := in.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		} else if err != nil {
			time.Sleep(100 * time.Millisecond) // out of file descriptors, say: try again
			continue
		}
		if !in.setConn(c) {
			c.Close()
			return
		}
		show := in.handle(c)
		c.Close()
		in.setConn(nil)
		if show {
			in.onShow()
		}
	}
}

// setConn records the connection being served, so that Close can cut it
// short; it reports false once Close has begun.
func (in *Instance) setConn(c net.Conn) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.conn = c
	return !in.closed
}

// The protocol, one line each way: [token line] "show" → "ok".
const (
	msgShow = "show"
	msgOK   = "ok"
)

// handle reads one request and answers it; it reports whether to show.
func (in *Instance) handle(c net.Conn) bool {
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	r := bufio.NewReader(io.LimitReader(c, 512))
	if in.token != "" {
		if line, err := readLine(r); err != nil || line != in.token {
			return false
		}
	}
	line, err := readLine(r)
	if err != nil {
		return false
	}
	if line != msgShow {
		fmt.Fprintf(c, "error unknown request %q\n", line)
		return false
	}
	_, err = io.WriteString(c, msgOK+"\n")
	return err == nil
}

// notify asks the running copy to show itself.
func notify(tr transport, dir string) error {
	c, token, err := tr.dial(dir)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	msg := msgShow + "\n"
	if token != "" {
		msg = token + "\n" + msg
	}
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	line, err := readLine(bufio.NewReader(io.LimitReader(c, 512)))
	if err != nil {
		return err
	}
	if line != msgOK {
		return fmt.Errorf("running copy answered %q", line)
	}
	return nil
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}
