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

	// Upstreams are the proxy servers the profile may go through. Without
	// Routes and DefaultRoute they form one chain, in order, that carries
	// everything (the first format's meaning); none means direct.
	Upstreams []Upstream

	// Routes are named ways out: a chain of upstreams, or a group of
	// routes with a policy. "direct" and "block" always exist.
	Routes []Route

	// Rules pick a route per destination, first match wins, in Clash's
	// classical syntax ("DOMAIN-SUFFIX,example.com,work"); RuleLists add
	// the rules of list files after them. DefaultRoute takes the rest; see
	// EffectiveDefault.
	Rules        []string
	RuleLists    []RuleList
	DefaultRoute string

	// DisableUDP and DisableBind turn UDP ASSOCIATE and BIND off.
	DisableUDP  bool
	DisableBind bool

	// HandshakeTimeout bounds a client's handshake; IdleTimeout closes a
	// connection idle that long (zero: never); MaxConns caps simultaneous
	// clients (zero: no cap).
	HandshakeTimeout time.Duration
	IdleTimeout      time.Duration
	MaxConns         int

	// dir is the folder the profile was read from, where relative rule
	// list paths are; empty (a profile not read from a file) means
	// DefaultDir.
	dir string
}

// Upstream is one proxy server. Its password (or SSH key passphrase),
// when Username is set, is in the keychain as UpstreamAccount(profile, u):
// keyed by the server and user, not by the hop's place in a chain.
type Upstream struct {
	// Name is what routes call it; an upstream without one can only be a
	// hop of the implicit chain (see Profile.Upstreams).
	Name string
	// Kind is its protocol: "socks5" (also when empty), "http", "https" or
	// "ssh".
	Kind     string
	Host     string
	Port     int
	Username string
	// CAFile, for https, is a PEM file of the CA that signed the proxy's
	// certificate; empty trusts the system's CAs.
	CAFile string
	// KeyFile, for ssh, is a private key to log in with (its passphrase in
	// the keychain); KnownHosts is the known_hosts file that vouches for
	// the server's host key, empty meaning ~/.ssh/known_hosts.
	KeyFile, KnownHosts string
}

// Upstream kinds, as the file spells them.
const (
	KindSOCKS5 = "socks5"
	KindHTTP   = "http"
	KindHTTPS  = "https"
	KindSSH    = "ssh"
)

// kind is u's kind with the default spelled out.
func (u Upstream) kind() string {
	if u.Kind == "" {
		return KindSOCKS5
	}
	return u.Kind
}

// Route is a named way out: a Chain of upstream names, in order, or a
// Group of route names (or "direct") with a Policy.
type Route struct {
	Name   string
	Chain  []string
	Group  []string
	Policy string // for a group: "failover" (the default) or "fastest"
	// CheckInterval, for a group, turns on active health checks: every
	// member dials CheckTarget (host:port) through itself that often. Off
	// by default: probes show every upstream to whoever watches.
	CheckInterval time.Duration
	CheckTarget   string
}

// Built-in route names and group policies.
const (
	RouteDirect    = "direct"
	RouteBlock     = "block"
	PolicyFailover = "failover"
	PolicyFastest  = "fastest"
)

// RuleList is a file of rules in Clash's classical text format, each line
// sending to Route unless it names a route itself. File is relative to the
// profiles folder unless absolute.
type RuleList struct {
	File  string
	Route string
}

// implicitChain names the chain of every upstream that carries everything
// in a profile that defines no routes (the first format's meaning).
const implicitChain = "upstreams"

// EffectiveDefault is the route that carries what no rule picks:
// DefaultRoute when set; else, in a profile without routes, the chain of
// all its upstreams (named "upstreams") when it has any; else direct.
func (p *Profile) EffectiveDefault() string {
	switch {
	case p.DefaultRoute != "":
		return p.DefaultRoute
	case len(p.Routes) == 0 && len(p.Upstreams) > 0:
		return implicitChain
	}
	return RouteDirect
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
	c.Routes = make([]Route, len(p.Routes))
	for i, r := range p.Routes {
		c.Routes[i] = r
		c.Routes[i].Chain, c.Routes[i].Group = slices.Clone(r.Chain), slices.Clone(r.Group)
	}
	if p.Routes == nil {
		c.Routes = nil
	}
	c.Rules = slices.Clone(p.Rules)
	c.RuleLists = slices.Clone(p.RuleLists)
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
