// Package server is the SOCKS5 server: it accepts clients, negotiates the
// method, authenticates (RFC 1929), and carries out CONNECT, BIND and UDP
// ASSOCIATE (RFC 1928) through a route, under the access rules of its
// config. It keeps live statistics in a stats.Table.
package server

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/sockstray/sockstray/core/stats"
)

// Server serves SOCKS5 on any number of listeners with one config, which
// Apply replaces for new connections while open ones go on with theirs.
type Server struct {
	cur   atomic.Pointer[served]
	stats *stats.Table

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// New returns a server with the config, recording into table (which may be
// shared with the code that reads it).
func New(cfg *Config, table *stats.Table) *Server {
	s := &Server{stats: table, conns: map[net.Conn]struct{}{}}
	s.Apply(cfg)
	return s
}

// Config returns the config in force for new connections.
func (s *Server) Config() *Config { return s.cur.Load().cfg }

// Apply makes cfg the config of connections accepted from now on.
func (s *Server) Apply(cfg *Config) {
	s.cur.Store(&served{cfg: cfg, creds: newCredentials(cfg.Username, cfg.Password)})
}

// served is a config with what is derived from it once, not per
// connection: the hashed credentials.
type served struct {
	cfg   *Config
	creds *credentials
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
		if !s.track(c) {
			continue
		}
		go s.handle(c)
	}
}

// track registers a new connection, or closes it when the server is
// closed or full. A full server closes at once without a reply: the client
// sees a closed connection instead of hanging in the listen backlog.
func (s *Server) track(c net.Conn) bool {
	cfg := s.Config()
	s.mu.Lock()
	if s.closed || (cfg.MaxConns > 0 && len(s.conns) >= cfg.MaxConns) {
		full := !s.closed
		s.mu.Unlock()
		c.Close()
		if full {
			cfg.logger().Warn("connection limit reached, client turned away",
				"client", c.RemoteAddr().String(), "max_conns", cfg.MaxConns)
		}
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	return true
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
	s.mu.Unlock()
	s.wg.Wait()
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
