package outbound

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/sockstray/sockstray/core/socks5"
)

// How long pooled SSH connections live. Variables, so tests can shorten
// them.
var (
	// sshIdleTimeout closes an SSH connection that has carried no channel
	// for this long: a user who stopped browsing leaves no login open.
	sshIdleTimeout = 5 * time.Minute
	// sshKeepAlive is how often a keepalive@openssh.com request checks
	// that the server still answers; one unanswered for
	// sshKeepAliveTimeout drops the connection, so the next CONNECT makes
	// a new one instead of waiting on a dead one.
	sshKeepAlive        = 30 * time.Second
	sshKeepAliveTimeout = 15 * time.Second
)

// sshClients is the process's pool: keyed by the path to the SSH hop, so
// a Chain rebuilt by a config reload with the same hops finds the same
// connection.
var sshClients = &sshPool{clients: map[string]*pooledSSH{}}

type sshPool struct {
	mu      sync.Mutex
	clients map[string]*pooledSSH
}

// pooledSSH is one SSH connection, or one being made (ready open).
type pooledSSH struct {
	pool  *sshPool
	key   string
	ready chan struct{} // closed when the dial ended; then err or c is set
	err   error
	c     *ssh.Client
	wg    sync.WaitGroup // the watcher and the keep-alive loop
	done  chan struct{}  // closed when c is closed for good

	// The timings in force when it was made.
	idleAfter, every, timeout time.Duration

	mu       sync.Mutex
	channels int         // open channels
	idle     *time.Timer // runs while channels is 0
	closed   bool
}

// sshPoolKey names the path to the last of hops, secrets included only as
// a hash: a new password or key makes a new connection. A chain with its
// own Forward reaches the first hop its own way (another local address,
// another resolver), so it shares connections only with itself.
func sshPoolKey(forward *Direct, hops []Upstream) string {
	var b strings.Builder
	if forward != nil {
		fmt.Fprintf(&b, "forward %p\n", forward)
	}
	for _, h := range hops {
		fmt.Fprintf(&b, "%v|%s|%s|%x", h.Kind, h.Addr, h.Username, sha256.Sum256([]byte(h.Password)))
		if h.Kind == SSH {
			fmt.Fprintf(&b, "|%#v", h.sshConfig())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// get returns the pooled connection for key, making it with dial when
// there is none. Concurrent callers share one dial; reused tells whether
// the connection was there before this call.
func (p *sshPool) get(ctx context.Context, key string, dial func(context.Context) (*ssh.Client, error)) (pc *pooledSSH, reused bool, err error) {
	for {
		p.mu.Lock()
		pc, found := p.clients[key]
		if !found {
			pc = &pooledSSH{pool: p, key: key, ready: make(chan struct{}), done: make(chan struct{})}
			p.clients[key] = pc
		}
		p.mu.Unlock()
		if !found {
			pc.dial(ctx, dial)
		} else {
			select {
			case <-pc.ready:
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
		}
		if pc.err != nil {
			// Someone else's context ended their dial: ours may go on.
			if found && isContextErr(pc.err) && ctx.Err() == nil {
				continue
			}
			return nil, false, pc.err
		}
		if pc.acquire() {
			return pc, found, nil
		}
		// Closed for idleness or death between lookup and use: retry.
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// dial makes the connection and starts its keep-alive and watcher, or
// takes a failed entry out of the pool so the next caller tries afresh.
func (pc *pooledSSH) dial(ctx context.Context, dial func(context.Context) (*ssh.Client, error)) {
	defer close(pc.ready)
	pc.c, pc.err = dial(ctx)
	if pc.err != nil {
		pc.pool.remove(pc)
		return
	}
	pc.idleAfter, pc.every, pc.timeout = sshIdleTimeout, sshKeepAlive, sshKeepAliveTimeout
	pc.idle = time.AfterFunc(pc.idleAfter, pc.closeIfIdle)
	pc.wg.Add(2)
	go func() {
		defer pc.wg.Done()
		pc.c.Wait() // the transport ended: server gone, keep-alive failed, or closed
		pc.drop()
		close(pc.done)
	}()
	go func() {
		defer pc.wg.Done()
		pc.keepAlive()
	}()
}

func (p *sshPool) remove(pc *pooledSSH) {
	p.mu.Lock()
	if p.clients[pc.key] == pc {
		delete(p.clients, pc.key)
	}
	p.mu.Unlock()
}

// keepAlive asks the server for a reply every sshKeepAlive and closes the
// connection when one is missing: a dead peer behind NAT or a hung server
// would otherwise leave every new channel waiting.
func (pc *pooledSSH) keepAlive() {
	t := time.NewTicker(pc.every)
	defer t.Stop()
	for {
		select {
		case <-pc.done:
			return
		case <-t.C:
		}
		// SendRequest has no deadline: closing the client ends it.
		timer := time.AfterFunc(pc.timeout, func() { pc.c.Close() })
		_, _, err := pc.c.SendRequest("keepalive@openssh.com", true, nil)
		timer.Stop()
		if err != nil {
			pc.c.Close()
			return
		}
	}
}

// acquire counts a channel about to be opened; false if the connection is
// closed already.
func (pc *pooledSSH) acquire() bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.closed {
		return false
	}
	pc.channels++
	pc.idle.Stop()
	return true
}

// release counts a channel gone; the last one starts the idle timer.
func (pc *pooledSSH) release() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.channels--; pc.channels == 0 && !pc.closed {
		pc.idle.Reset(pc.idleAfter)
	}
}

func (pc *pooledSSH) closeIfIdle() {
	pc.mu.Lock()
	idle := pc.channels == 0 && !pc.closed
	pc.closed = pc.closed || idle // under the lock: no acquire slips in
	pc.mu.Unlock()
	if idle {
		pc.drop()
	}
}

// drop takes the connection out of the pool and closes it. Channels still
// open on it end with it.
func (pc *pooledSSH) drop() {
	pc.pool.remove(pc)
	pc.mu.Lock()
	pc.closed = true
	pc.idle.Stop()
	pc.mu.Unlock()
	pc.c.Close()
}

// closeAll closes every pooled connection and waits for their goroutines;
// for tests, which must leave no goroutine behind.
func (p *sshPool) closeAll() {
	p.mu.Lock()
	all := make([]*pooledSSH, 0, len(p.clients))
	for _, pc := range p.clients {
		all = append(all, pc)
	}
	p.mu.Unlock()
	for _, pc := range all {
		<-pc.ready
		if pc.err == nil {
			pc.drop()
			pc.wg.Wait()
		}
	}
}

// open asks the server for a direct-tcpip channel to next (RFC 4254
// section 7.2). The channel was counted by get; it is uncounted when the
// open fails or the conn is closed.
func (pc *pooledSSH) open(ctx context.Context, next socks5.Addr) (net.Conn, error) {
	host, port := sshAddrPort(next)
	msg := ssh.Marshal(&struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}{host, port, "0.0.0.0", 0})
	type opened struct {
		ch   ssh.Channel
		reqs <-chan *ssh.Request
		err  error
	}
	// OpenChannel waits for the server's answer with no deadline; the
	// keep-alive bounds it on a dead connection, ctx bounds our wait.
	res := make(chan opened, 1)
	go func() {
		ch, reqs, err := pc.c.OpenChannel("direct-tcpip", msg)
		res <- opened{ch, reqs, err}
	}()
	select {
	case r := <-res:
		if r.err != nil {
			pc.release()
			return nil, r.err
		}
		go ssh.DiscardRequests(r.reqs) // ends when the channel does
		return newSSHConn(r.ch, pc, next), nil
	case <-ctx.Done():
		go func() { // the answer may still come: close what it opens
			if r := <-res; r.err == nil {
				go ssh.DiscardRequests(r.reqs)
				r.ch.Close()
			}
			pc.release()
		}()
		return nil, ctx.Err()
	}
}
