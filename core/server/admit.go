package server

import (
	"errors"
	"net"
	"net/netip"
)

// served is a config with what is derived from it once, not per
// connection: the hashed credentials and whether it listens on loopback
// only.
type served struct {
	cfg          *Config
	creds        *credentials // nil without authentication
	loopbackOnly bool
}

func newServed(cfg *Config) *served {
	cur := &served{cfg: cfg, creds: newCredentials(cfg.Username, cfg.Password)}
	if host, _, err := net.SplitHostPort(cfg.Listen); err == nil {
		cur.loopbackOnly = isLoopbackHost(host)
	}
	return cur
}

// admission is what the server knows of an open client connection to
// decide whether a config admits it.
type admission struct {
	client netip.Addr // unmapped
	// authed is set once the client has passed authentication (or needed
	// none); proof is the credentials it gave then, nil for none.
	authed bool
	proof  *credentials
}

var (
	errClientNotAllowed = errors.New("client address not in the allowlist")
	errNotShared        = errors.New("the proxy is no longer shared with other hosts")
	errCredsChanged     = errors.New("the credentials this client gave are no longer valid")
)

// admits reports why the config would turn the client away, or nil. A
// client that proved credentials which are no longer the config's is
// turned away; so is a client from another host that gave none where the
// config now asks for them. This host's own programs that needed no
// password keep their connections when one is set (turning on LAN sharing
// must not cut the user's own browser off).
func (cur *served) admits(a *admission) error {
	local := a.client.IsLoopback()
	switch {
	case cur.loopbackOnly && !local:
		return errNotShared
	case !clientAllowed(cur.cfg.Allow, a.client):
		return errClientNotAllowed
	case !a.authed || cur.creds == nil:
		return nil
	case a.proof != nil && *a.proof != *cur.creds, a.proof == nil && !local:
		return errCredsChanged
	}
	return nil
}

// admit records that the client on c passed authentication with proof
// (nil when the config asked for none) and checks, under the same lock
// that Apply takes, that the config in force now still admits it: a
// config applied while the client was authenticating against the old one
// must not let it through.
func (s *Server) admit(c net.Conn, proof *credentials) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.conns[c]
	if !ok {
		return net.ErrClosed
	}
	a.authed, a.proof = true, proof
	return s.cur.admits(a)
}
