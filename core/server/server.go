// Package server is the SOCKS5 server: it accepts clients, negotiates the
// method, authenticates (RFC 1929), and carries out CONNECT, BIND and UDP
// ASSOCIATE (RFC 1928) through a route, under the access rules of its
// config. The same port speaks SOCKS4/4a and HTTP proxy. It keeps live
// statistics in a stats.Table.
//
// One request of each protocol reads top to bottom in its own file
// (socks5.go, socks4.go, http.go); the steps they share (admission, the
// table row and log line, dialing with the access rules, the relay) are
// functions they call, in conn.go, admit.go and commands.go.
package server

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/authlimit"
	"github.com/sockstray/sockstray/core/stats"
)

// Server serves SOCKS5 on any number of listeners with one config, which
// Apply replaces: new connections and new requests get the new config, and
// open connections whose client the new config would not admit are closed.
type Server struct {
	stats *stats.Table
	guard *authlimit.Limiter // failed logins per client address, across configs

	// mu guards the config in force and the open connections together, so
	// that admitting a client and applying a config that turns it away
	// cannot interleave.
	mu     sync.Mutex
	cur    *served
	conns  map[net.Conn]*admission
	closed bool
	wg     sync.WaitGroup
}

// New returns a server with the config, recording into table (which may be
// shared with the code that reads it).
func New(cfg *Config, table *stats.Table) *Server {
	s := &Server{stats: table, conns: map[net.Conn]*admission{}}
	s.guard = authlimit.New(authlimit.Config{Report: func(e authlimit.Event) {
		s.current().cfg.logger().Warn(e.String())
	}})
	s.Apply(cfg)
	return s
}

// Tick is called about once a second by the server's owner: it writes the
// summaries of failed logins whose minute has ended.
func (s *Server) Tick(now time.Time) { s.guard.Flush(now) }

// Config returns the config in force for new connections.
func (s *Server) Config() *Config { return s.current().cfg }

func (s *Server) current() *served {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Apply makes cfg the config of new connections and requests, and closes
// at once every open connection whose client cfg would not admit (sharing
// turned off, allowlist narrowed, password changed). Admitted connections
// keep running with the config they started with.
func (s *Server) Apply(cfg *Config) {
	next := newServed(cfg)
	var gone []net.Conn
	s.mu.Lock()
	prev := s.cur
	s.cur = next
	for c, a := range s.conns {
		if next.admits(a) != nil {
			gone = append(gone, c)
		}
	}
	s.mu.Unlock()
	for _, c := range gone {
		c.Close()
	}
	if len(gone) > 0 {
		cfg.logger().Info("config changed: disconnected clients it no longer admits", "count", len(gone))
	}
	if prev != nil && prev.cfg == cfg {
		return // the same config again: its checks run already
	}
	for _, c := range cfg.Checks {
		if err := c.Start(); err != nil {
			cfg.logger().Warn("health checks not started: " + err.Error())
		}
	}
	if prev != nil {
		stopChecks(prev.cfg)
	}
}

func stopChecks(cfg *Config) {
	for _, c := range cfg.Checks {
		c.Close()
	}
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("server closed")

// Serve accepts clients on ln until ln is closed or the server is, and
// returns then. It does not close ln.
func (s *Server) Serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if s.isClosed() {
				return ErrServerClosed
			}
			return err
		}
		if cur, ok := s.track(c); ok {
			go s.handle(c, cur)
		}
	}
}

// track registers a new connection and returns the config it is served
// with, or closes it when the server is closed or full, or the client is
// not admitted. A full server closes at once without a reply: the client
// sees a closed connection instead of hanging in the listen backlog.
func (s *Server) track(c net.Conn) (*served, bool) {
	a := &admission{client: addrPortOf(c.RemoteAddr()).Addr().Unmap()}
	s.mu.Lock()
	cur := s.cur
	max := cur.cfg.MaxConns
	switch {
	case s.closed:
		s.mu.Unlock()
		c.Close()
		return nil, false
	case max > 0 && len(s.conns) >= max:
		s.mu.Unlock()
		c.Close()
		cur.cfg.logger().Warn("connection limit reached, client turned away",
			"client", c.RemoteAddr().String(), "max_conns", max)
		return nil, false
	}
	if err := cur.admits(a); err != nil {
		s.mu.Unlock()
		c.Close()
		cur.cfg.logger().Warn("client turned away", "client", c.RemoteAddr().String(), "error", err.Error())
		return nil, false
	}
	s.conns[c] = a
	s.wg.Add(1)
	s.mu.Unlock()
	return cur, true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close closes every open client connection (their relays end with them)
// and waits until every connection's goroutines have returned. Listeners
// are the caller's to close.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	cur := s.cur
	s.mu.Unlock()
	s.wg.Wait()
	stopChecks(cur.cfg)
	// Whatever failed logins are still counted get their line now.
	s.guard.Flush(time.Now().Add(authlimit.ReportWindow))
}

// Open reports how many client connections are open, in handshake or
// relaying.
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	case nil:
		return netip.AddrPort{}
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}
