package outbound

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/sockstray/sockstray/core/socks5"
)

// Kind is the protocol an upstream speaks.
type Kind uint8

const (
	// SOCKS5 is RFC 1928, with RFC 1929 username/password. The only kind
	// that relays UDP.
	SOCKS5 Kind = iota
	// HTTP is an HTTP proxy's CONNECT method (RFC 9110 section 9.3.6),
	// with Basic authentication (RFC 7617) when a username is set.
	HTTP
	// HTTPS is HTTP's CONNECT inside TLS to the proxy, whose certificate
	// is verified (see Upstream.TLS).
	HTTPS
	// SSH is an OpenSSH-compatible server (RFC 4254 "direct-tcpip"
	// channels): TCP only. See SSHConfig.
	SSH
)

// String is the kind's URL scheme: "socks5", "http", "https" or "ssh".
func (k Kind) String() string {
	switch k {
	case SOCKS5:
		return "socks5"
	case HTTP:
		return "http"
	case HTTPS:
		return "https"
	case SSH:
		return "ssh"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}

// Upstream is a proxy server to go through.
type Upstream struct {
	// Kind is its protocol; the zero value is SOCKS5.
	Kind Kind
	// Addr is "host:port". A name is resolved by the hop before this one,
	// or by the Chain's Forward route for the first hop.
	Addr string
	// Username and Password are offered when Username is set (RFC 1929 for
	// SOCKS5, Basic for HTTP and HTTPS); the server may still ask for none.
	// For SSH, Username is the login (empty: this host's user name), and
	// Password is offered for password authentication, or is the
	// passphrase of an encrypted SSH.KeyFile (and then never sent to the
	// server).
	Username, Password string
	// TLS configures the connection to an HTTPS upstream; nil verifies the
	// proxy's certificate against the system's roots. An empty ServerName
	// means the host of Addr, so a config that only sets RootCAs (a custom
	// CA) serves any upstream. The config is cloned, never changed.
	TLS *tls.Config
	// SSH is how to log in to an SSH upstream and check its host key; nil
	// means the zero SSHConfig. Other kinds ignore it.
	SSH *SSHConfig
}

// String is "user@host:port" or "host:port", with "scheme://" in front
// for kinds other than SOCKS5: never the password, so that an Upstream in
// a log line or an error discloses nothing.
func (u Upstream) String() string {
	s := u.Addr
	if u.Username != "" {
		s = u.Username + "@" + u.Addr
	}
	if u.Kind != SOCKS5 {
		s = u.Kind.String() + "://" + s
	}
	return s
}

// GoString leaves the password out, also under %#v, and the TLS config,
// which may hold a client certificate's private key.
func (u Upstream) GoString() string {
	tlsConf := "nil"
	if u.TLS != nil {
		tlsConf = "<set>"
	}
	return fmt.Sprintf("outbound.Upstream{Kind:%v, Addr:%q, Username:%q, Password:<redacted>, TLS:%s, SSH:%#v}", u.Kind, u.Addr, u.Username, tlsConf, u.SSH)
}

func (u Upstream) auth() *socks5.UserPass {
	if u.Username == "" {
		return nil
	}
	return &socks5.UserPass{Username: u.Username, Password: u.Password}
}

// connect asks the upstream, over conn (a connection to it), for a
// connection to next, in the upstream's protocol. On failure conn is
// closed.
func (u Upstream) connect(ctx context.Context, conn net.Conn, next socks5.Addr) (net.Conn, error) {
	switch u.Kind {
	case SOCKS5:
		if _, err := Handshake(ctx, conn, socks5.CmdConnect, next, u.auth()); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	case HTTP, HTTPS:
		c, err := u.httpConnect(ctx, conn, next)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return c, nil
	}
	// SSH hops never get here: Chain.through opens their channels from
	// a pooled client, not over a connection of their own.
	conn.Close()
	return nil, fmt.Errorf("%v upstreams are not supported", u.Kind)
}
