package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
)

// Default limits where a Config leaves them zero.
const (
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultBindTimeout      = 60 * time.Second
)

// Config is what the server does. The zero value (with a Route) serves
// CONNECT, BIND and UDP ASSOCIATE without authentication to any client.
type Config struct {
	// Listen is the address to listen on, host:port. The engine uses it; the
	// server itself serves whatever listener it is given.
	Listen string

	// Username and Password, when Username is set, make username/password
	// authentication (RFC 1929) the only accepted method.
	Username string
	Password string

	// Allow lists the networks other hosts may connect from; empty allows
	// all. Clients on this host (loopback) always may. A list that admits
	// much of the public Internet counts as none (see OpenAllowlist).
	Allow []netip.Prefix

	// AllowLocalTargets lets clients from other hosts reach this host's own
	// addresses, loopback and link-local networks. Off by default: sharing a
	// proxy on the LAN must not expose services bound to 127.0.0.1.
	AllowLocalTargets bool

	// Route reaches destinations that Router sends nowhere else; nil
	// means direct.
	Route outbound.Route

	// Router picks the route of each request (of each association, for
	// UDP) and names the rule that chose it, for the table and the log.
	// Nil sends everything through Route.
	Router func(Query) (outbound.Route, string)

	// Checks run while the config is in force: started when it comes
	// into force, closed when another replaces it or the server stops
	// (the routes' active health checks).
	Checks []Checker

	// PAC, when set, makes the mixed port answer GET /proxy.pac with a
	// proxy auto-config file for the address the client reached it at.
	PAC func(proxy string) []byte

	// DisableBind and DisableUDP turn the commands off (answered with 07).
	DisableBind bool
	DisableUDP  bool

	// The listener also speaks SOCKS4/4a and HTTP proxy (CONNECT and
	// plain forwarding), told apart by the first byte; these turn them off.
	DisableSOCKS4 bool
	DisableHTTP   bool

	// HandshakeTimeout bounds everything from accept to the reply; zero is
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// IdleTimeout closes a relayed connection after that long without a
	// byte either way; zero never does.
	IdleTimeout time.Duration
	// MaxConns caps simultaneous client connections; zero is no cap.
	MaxConns int

	// NoCount turns live byte counting off. Only for measuring what counting
	// costs; the GUI shows no traffic then.
	NoCount bool

	// Logger receives one line per connection; nil discards.
	Logger *slog.Logger
}

// ErrOpenListener is the error of a config that would listen on a
// non-loopback address with neither authentication nor a client allowlist.
var ErrOpenListener = errors.New("refusing to listen on a non-loopback address without authentication or a client allowlist")

// Check reports the first reason the config cannot be served safely.
func (c *Config) Check() error {
	if c.Password != "" && c.Username == "" {
		return errors.New("a password is set but no username")
	}
	if c.Username != "" && c.Password == "" {
		return fmt.Errorf("username %q has no password", c.Username)
	}
	if len(c.Username) > 255 || len(c.Password) > 255 {
		return errors.New("username and password are limited to 255 bytes each (RFC 1929)")
	}
	if c.Listen == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", c.Listen, err)
	}
	if c.Username == "" && !isLoopbackHost(host) {
		switch {
		case len(c.Allow) == 0:
			return fmt.Errorf("%w (%s): set a username and password, or allow only some client networks", ErrOpenListener, c.Listen)
		case OpenAllowlist(c.Allow):
			return fmt.Errorf("%w (%s): the allowlist admits most of the Internet, which is as open as none; set a username and password, or allow only your own networks (such as 192.168.0.0/16)", ErrOpenListener, c.Listen)
		}
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (c *Config) handshakeTimeout() time.Duration {
	if c.HandshakeTimeout > 0 {
		return c.HandshakeTimeout
	}
	return DefaultHandshakeTimeout
}

// Checker is something that runs alongside a config, such as a group's
// health checks.
type Checker interface {
	Start() error
	Close() error
}

// Query is what a Router decides on.
type Query struct {
	Dst    socks5.Addr // as the client sent it (a name stays a name)
	Client netip.Addr
	UDP    bool // a UDP association; Dst is then what the client announced
}

func (c *Config) route() outbound.Route {
	if c.Route != nil {
		return c.Route
	}
	return directRoute
}

// Pick is the route for a request, and the rule that chose it ("" for
// the default).
func (c *Config) Pick(q Query) (outbound.Route, string) {
	if c.Router != nil {
		if r, rule := c.Router(q); r != nil {
			return r, rule
		}
	}
	return c.route(), ""
}

var directRoute = &outbound.Direct{}

func (c *Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return discardLogger
}

var discardLogger = slog.New(slog.DiscardHandler)
