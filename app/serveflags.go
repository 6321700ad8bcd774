package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/profiles"
)

// Environment variables that carry passwords: never flags, which other
// users can read in the process list. Each upstream has its own
// (profiles.UpstreamPasswordsFromEnv).
const (
	envPassword         = profiles.EnvPassword
	envUpstreamPassword = profiles.EnvUpstreamPassword
)

// builtinProfile is the profile a fresh install has.
const builtinProfile = "Direct"

// upstreamList collects --upstream values. They are parsed after the flags,
// not in Set: the flag package quotes a value that Set rejects in its
// message, and the value may hold a password.
type upstreamList []string

func (u *upstreamList) String() string { return fmt.Sprint(len(*u), " upstreams") }

func (u *upstreamList) Set(s string) error {
	*u = append(*u, s)
	return nil
}

// upstreamSchemes are the kinds of hop --upstream takes, by URL scheme.
var upstreamSchemes = map[string]outbound.Kind{
	"socks5": outbound.SOCKS5,
	"http":   outbound.HTTP,
	"https":  outbound.HTTPS,
	"ssh":    outbound.SSH,
}

const upstreamForm = "socks5://, http://, https:// or ssh://[USER@]HOST:PORT"

// parseUpstream reads SCHEME://[USER@]HOST:PORT[?ca=FILE], without its
// password. A password in the URL is refused rather than used: it would
// sit in shell history and ps output; pwVar names where it belongs. For
// https, ca names a PEM file of the CA that signed the proxy's
// certificate (default: the system's CAs).
func parseUpstream(s, pwVar string) (outbound.Upstream, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url's error quotes the whole value, password and all.
		return outbound.Upstream{}, errors.New("--upstream: not a URL; want " + upstreamForm)
	}
	kind, known := upstreamSchemes[u.Scheme]
	if !known || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		return outbound.Upstream{}, fmt.Errorf("--upstream %s: want %s", u.Redacted(), upstreamForm)
	}
	if _, set := u.User.Password(); set {
		return outbound.Upstream{}, fmt.Errorf("upstream %s: a password on the command line is refused; set %s", u.Redacted(), pwVar)
	}
	up := outbound.Upstream{Kind: kind, Addr: u.Host}
	if u.User != nil {
		up.Username = u.User.Username()
	}
	query := u.Query()
	if ca := query.Get("ca"); ca != "" && kind == outbound.HTTPS {
		if up.TLS, err = profiles.CAConfig(ca); err != nil {
			return outbound.Upstream{}, fmt.Errorf("upstream %s: ca: %w", u.Redacted(), err)
		}
		query.Del("ca")
	}
	if len(query) > 0 {
		return outbound.Upstream{}, fmt.Errorf("upstream %s: unknown parameters; only https takes ?ca=FILE", u.Redacted())
	}
	return up, nil
}

// upstreamChain is the chain of the --upstream URLs, each upstream with a
// username given its own password from the environment. SSH hops log in
// with the agent, sshKey when set, or that password, and trust the host
// keys of ~/.ssh/known_hosts.
func upstreamChain(urls []string, sshKey string) (*outbound.Chain, error) {
	chain := &outbound.Chain{Hops: make([]outbound.Upstream, len(urls))}
	users := make([]string, len(urls))
	for i, s := range urls {
		up, err := parseUpstream(s, profiles.UpstreamPasswordHint(i+1, len(urls)))
		if err != nil {
			return nil, err
		}
		if up.Kind == outbound.SSH {
			up.SSH = &outbound.SSHConfig{KeyFile: sshKey}
		}
		chain.Hops[i], users[i] = up, up.Username
	}
	pws, err := profiles.UpstreamPasswordsFromEnv(users)
	if err != nil {
		return nil, err
	}
	for i := range chain.Hops {
		if users[i] != "" && pws[i] == "" && chain.Hops[i].Kind != outbound.SSH {
			return nil, fmt.Errorf("upstream %d, %s, has a username but no password: set %s", i+1, urls[i], profiles.UpstreamPasswordHint(i+1, len(urls)))
		}
		chain.Hops[i].Password = pws[i]
	}
	return chain, nil
}

// parseAllow reads a comma-separated list of CIDRs (a bare IP is a /32 or
// /128).
func parseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := rules.ParseNetwork(f)
		if err != nil {
			return nil, fmt.Errorf("--allow %q: not a CIDR such as 192.168.1.0/24", f)
		}
		out = append(out, p)
	}
	return out, nil
}

// serveConfig turns serve's flags and environment into an engine config.
// With --profile, the config is the saved profile's (only --listen may
// change it), and the returned servedProfile follows its edits.
func serveConfig(args []string, stderr io.Writer) (*server.Config, *servedProfile, error) {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return nil, nil, err
	}
	if f.set["profile"] {
		return f.profileConfig()
	}
	return f.config()
}

// serveFlags are serve's flags as given; set names those on the command
// line.
type serveFlags struct {
	profile, listen, user, allow, sshKey string
	ups                                  upstreamList
	handshake, idle                      time.Duration
	maxConns                             int
	noBind, noUDP, allowLocal            bool
	set                                  map[string]bool
}

func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{set: map[string]bool{}}
	fs := flag.NewFlagSet("sockstray serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.profile, "profile", builtinProfile, "a saved profile, followed live as its file changes (without it, the flags make the config)")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:1080", "listen address HOST:PORT (port 0 picks a free one)")
	fs.StringVar(&f.user, "user", "", "require username/password; the password comes from $"+envPassword)
	fs.StringVar(&f.allow, "allow", "", "client allowlist: CIDR[,CIDR...]")
	fs.Var(&f.ups, "upstream", "chain through "+upstreamForm+" (repeat for a chain); the Nth upstream's password from $"+
		profiles.UpstreamPasswordEnv(1)+", _2, … ($"+envUpstreamPassword+" for a chain of one)")
	fs.DurationVar(&f.handshake, "handshake-timeout", server.DefaultHandshakeTimeout, "close clients that have not finished the handshake by then")
	fs.DurationVar(&f.idle, "idle-timeout", 0, "close connections idle that long (0: never)")
	fs.IntVar(&f.maxConns, "max-conns", 0, "most client connections at once (0: no limit)")
	fs.BoolVar(&f.noBind, "no-bind", false, "refuse BIND")
	fs.BoolVar(&f.noUDP, "no-udp", false, "refuse UDP ASSOCIATE")
	fs.StringVar(&f.sshKey, "ssh-key", "", "private key for ssh:// upstreams (else the agent; its passphrase from the upstream's password variable)")
	fs.BoolVar(&f.allowLocal, "allow-local-targets", false, "let clients from other hosts reach this host's own and loopback addresses")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return nil, fmt.Errorf("--listen %q: want HOST:PORT", f.listen)
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, nil
}

// profileConfig is the saved profile's config: only --listen may go with
// --profile.
func (f *serveFlags) profileConfig() (*server.Config, *servedProfile, error) {
	for _, name := range []string{"user", "allow", "upstream", "handshake-timeout", "idle-timeout", "max-conns", "no-bind", "no-udp", "allow-local-targets", "ssh-key"} {
		if f.set[name] {
			return nil, nil, fmt.Errorf("--%s cannot be combined with --profile (only --listen can); change the profile instead", name)
		}
	}
	override := ""
	if f.set["listen"] {
		override = f.listen
	}
	return profileConfig(f.profile, override)
}

// config is the config the flags make, without a profile.
func (f *serveFlags) config() (*server.Config, *servedProfile, error) {
	if f.handshake <= 0 || f.idle < 0 || f.maxConns < 0 {
		return nil, nil, errors.New("timeouts and --max-conns must not be negative, and --handshake-timeout must be positive")
	}
	cfg := &server.Config{
		Listen:            f.listen,
		HandshakeTimeout:  f.handshake,
		IdleTimeout:       f.idle,
		MaxConns:          f.maxConns,
		DisableBind:       f.noBind,
		DisableUDP:        f.noUDP,
		AllowLocalTargets: f.allowLocal,
	}
	if f.user != "" {
		pass := os.Getenv(envPassword)
		if pass == "" {
			return nil, nil, fmt.Errorf("--user %s needs its password in $%s", f.user, envPassword)
		}
		cfg.Username, cfg.Password = f.user, pass
	}
	var err error
	if cfg.Allow, err = parseAllow(f.allow); err != nil {
		return nil, nil, err
	}
	if len(f.ups) > 0 {
		if cfg.Route, err = upstreamChain(f.ups, f.sshKey); err != nil {
			return nil, nil, err
		}
	}
	return cfg, nil, cfg.Check()
}
