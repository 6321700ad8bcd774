package profiles

import (
	"net/netip"
	"slices"
	"time"

	"github.com/sockstray/sockstray/core/server"
)

// Defaults of a new profile.
const (
	DefaultHost = "127.0.0.1"
	DefaultPort = 1080
)

// Profile is a named proxy configuration. It holds no password: those live
// in the keychain (see Keychain) under accounts named after the profile.
type Profile struct {
	// Name is also the file name (Name + ".toml"); see ValidName.
	Name string

	// Host and Port are where the proxy listens when not shared on the LAN.
	// Host must be a loopback address (or "localhost").
	Host string
	Port int

	// ShareOnLAN listens on the LAN instead: on all interfaces when
	// LANInterface is empty, else on the address of that interface (a name
	// such as "eth0", or one of its IP addresses).
	ShareOnLAN   bool
	LANInterface string

	// Username, when set, makes clients authenticate (RFC 1929); its
	// password is in the keychain as LocalAccount(Name).
	Username string

	// Allow lists the client networks that may connect. Empty means anyone
	// when not shared, and PrivateNetworks when shared on the LAN.
	Allow []netip.Prefix

	// Open acknowledges a LAN share with neither a password nor a narrowed
	// allowlist; without it such a profile is invalid.
	Open bool

	// AllowLocalTargets lets LAN clients reach this host's own addresses.
	AllowLocalTargets bool

	// Upstreams, when any, is the chain of SOCKS5 servers to go through, in
	// order; none means direct.
	Upstreams []Upstream

	// DisableUDP and DisableBind turn UDP ASSOCIATE and BIND off.
	DisableUDP  bool
	DisableBind bool

	// HandshakeTimeout bounds a client's handshake; IdleTimeout closes a
	// connection idle that long (zero: never); MaxConns caps simultaneous
	// clients (zero: no cap).
	HandshakeTimeout time.Duration
	IdleTimeout      time.Duration
	MaxConns         int
}

// Upstream is one SOCKS5 server of a chain. Its password, when Username is
// set, is in the keychain as UpstreamAccount(profile, u): keyed by the
// server and user, not by the hop's place in the chain.
type Upstream struct {
	Host     string
	Port     int
	Username string
}

// PrivateNetworks are the clients a LAN share admits when its profile
// lists none: the private and link-local ranges, never the whole Internet.
var PrivateNetworks = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

// New returns a profile with the defaults: listen on 127.0.0.1:1080, no
// authentication, direct, UDP and BIND on, the server's handshake timeout.
func New(name string) *Profile {
	return &Profile{
		Name:             name,
		Host:             DefaultHost,
		Port:             DefaultPort,
		HandshakeTimeout: server.DefaultHandshakeTimeout,
	}
}

// Clone returns a deep copy.
func (p *Profile) Clone() *Profile {
	c := *p
	c.Allow = slices.Clone(p.Allow)
	c.Upstreams = slices.Clone(p.Upstreams)
	return &c
}

// EffectiveAllow is the allowlist in force: Allow, or PrivateNetworks for a
// LAN share that lists none.
func (p *Profile) EffectiveAllow() []netip.Prefix {
	if len(p.Allow) == 0 && p.ShareOnLAN {
		return slices.Clone(PrivateNetworks)
	}
	return slices.Clone(p.Allow)
}

// narrowed reports whether the profile lists its own allowlist, one that
// leaves most of the Internet out (server.OpenAllowlist).
func (p *Profile) narrowed() bool {
	return len(p.Allow) > 0 && !server.OpenAllowlist(p.Allow)
}

// secretAccounts are the keychain accounts the profile uses: its local user's
// and each upstream's with a username.
func (p *Profile) secretAccounts() []string {
	var out []string
	if p.Username != "" {
		out = append(out, LocalAccount(p.Name))
	}
	for _, u := range p.Upstreams {
		if u.Username != "" {
			out = append(out, UpstreamAccount(p.Name, u))
		}
	}
	return out
}
