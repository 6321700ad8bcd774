// Package engine is the one facade the GUI, the tray and `sockstray serve`
// drive: start, stop, apply a new config without dropping open
// connections, read a snapshot of live statistics, close one connection.
package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/sockerr"
)

// ErrPortInUse is the error of a listen address another program holds.
var ErrPortInUse = errors.New("port already in use")

// ErrNotRunning is the error of Apply on a stopped engine.
var ErrNotRunning = errors.New("engine is not running")

// Engine runs one SOCKS5 server with live statistics. Its methods are safe
// for concurrent use.
type Engine struct {
	table *stats.Table

	mu       sync.Mutex
	srv      *server.Server
	ln       net.Listener
	serving  sync.WaitGroup
	stopTick chan struct{}
	ticking  sync.WaitGroup
}

// New returns a stopped engine. Its statistics (totals and throughput
// series) span every start and stop of its life.
func New() *Engine {
	return &Engine{table: stats.New(nil)}
}

// Start listens on cfg.Listen and serves until Stop.
func (e *Engine) Start(cfg *server.Config) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		return errors.New("engine already running")
	}
	ln, err := listen(cfg.Listen)
	if err != nil {
		return err
	}
	e.srv = server.New(cfg, e.table)
	e.serve(ln)
	e.stopTick = make(chan struct{})
	e.ticking.Add(1)
	go e.tick(e.stopTick, e.srv)
	return nil
}

func listen(addr string) (net.Listener, error) {
	lc := listenConfig()
	ln, err := lc.Listen(context.Background(), listenNetwork(addr), addr)
	if err != nil {
		if sockerr.Is(err, sockerr.AddrInUse) {
			return nil, fmt.Errorf("listen on %s: %w (another program, or another Sockstray, listens there)", addr, ErrPortInUse)
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// listenNetwork keeps a listener on an IPv4 address to IPv4: Go listens on
// both families for 0.0.0.0, which would share the proxy over IPv6 with a
// user who asked for IPv4 (and whose firewall may treat IPv6 otherwise).
// [::] stays both, as the system has it.
func listenNetwork(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if ip, perr := netip.ParseAddr(host); err == nil && perr == nil && ip.Is4() {
		return "tcp4"
	}
	return "tcp"
}

func (e *Engine) serve(ln net.Listener) {
	e.ln = ln
	e.serving.Add(1)
	go func() {
		defer e.serving.Done()
		e.srv.Serve(ln)
	}()
}

func (e *Engine) tick(stop chan struct{}, srv *server.Server) {
	defer e.ticking.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			e.table.Tick()
			srv.Tick(now)
		case <-stop:
			return
		}
	}
}

// Stop closes the listener and every connection, and returns when all of
// the engine's goroutines have ended. Stopping a stopped engine does
// nothing.
func (e *Engine) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv == nil {
		return
	}
	e.ln.Close()
	e.serving.Wait()
	e.srv.Close()
	close(e.stopTick)
	e.ticking.Wait()
	e.srv, e.ln = nil, nil
}

// Apply makes cfg the config for new connections; open connections keep
// theirs and keep running. When the listen address changes, the new
// address is bound first: if that fails, the old config stays in force and
// the error says why.
func (e *Engine) Apply(cfg *server.Config) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv == nil {
		return ErrNotRunning
	}
	old := e.srv.Config()
	if cfg.Listen == old.Listen {
		e.srv.Apply(cfg)
		return nil
	}
	ln, err := listen(cfg.Listen)
	if errors.Is(err, ErrPortInUse) && samePort(e.ln.Addr(), cfg.Listen) {
		// 127.0.0.1:P to 0.0.0.0:P (sharing on the LAN): the old listener
		// holds the port itself. Hand it over: close, bind, and bind the
		// old address again if the new one fails. Open connections are
		// their own sockets and carry on either way.
		e.ln.Close()
		e.serving.Wait()
		if ln, err = listen(cfg.Listen); err != nil {
			old, rerr := listen(e.ln.Addr().String())
			if rerr != nil {
				return fmt.Errorf("%w; and the old address is lost: %v", err, rerr)
			}
			e.serve(old)
			return err
		}
		e.srv.Apply(cfg)
		e.serve(ln)
		return nil
	}
	if err != nil {
		return err
	}
	e.srv.Apply(cfg)
	e.ln.Close()
	e.serving.Wait()
	e.serve(ln)
	return nil
}

// samePort reports whether listen address addr asks for the port a
// listens on.
func samePort(a net.Addr, addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	ta, ok := a.(*net.TCPAddr)
	return err == nil && ok && port == strconv.Itoa(ta.Port)
}

// Running reports whether the engine is started.
func (e *Engine) Running() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.srv != nil
}

// Addr is the address the engine listens on (with the real port when the
// config asked for port 0), or nil when stopped.
func (e *Engine) Addr() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ln == nil {
		return nil
	}
	return e.ln.Addr()
}

// Config is the config in force, or nil when stopped.
func (e *Engine) Config() *server.Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv == nil {
		return nil
	}
	return e.srv.Config()
}

// Snapshot copies the live statistics. It never waits on the relay.
func (e *Engine) Snapshot() stats.Snapshot { return e.table.Snapshot() }

// Changes counts the changes to the live connections a Snapshot would
// show (stats.Table.Changes): equal counts, equal rows.
func (e *Engine) Changes() uint64 { return e.table.Changes() }

// Latest is the newest throughput point, without a copy of the table.
func (e *Engine) Latest() stats.Point { return e.table.Latest() }

// Summary is Snapshot without the connections: series and totals only.
func (e *Engine) Summary() stats.Snapshot { return e.table.Summary() }

// SetOnDone sets a function called with the final counts of each
// connection as it ends; see [stats.Table.SetOnDone].
func (e *Engine) SetOnDone(f func(stats.ConnStat)) { e.table.SetOnDone(f) }

// CloseAll closes every live connection and returns how many.
func (e *Engine) CloseAll() int { return e.table.CloseAll() }

// CloseConn closes the live connection with that id and reports whether
// there was one.
func (e *Engine) CloseConn(id uint64) bool { return e.table.CloseConn(id) }
