package control

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/uitext"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/profiles"
)

// TestAllTimeout bounds each upstream's and route's test in TestAll, as
// `sockstray profiles test` does.
const TestAllTimeout = 15 * time.Second

// TestAll dials target (host:port) through every upstream and every route
// of p at once, as `sockstray profiles test` does, with the passwords
// typed in sec, else the keychain's. A profile or address that cannot be
// tried is the error; each dial's failure is in its result.
func (c *Controller) TestAll(ctx context.Context, p *profiles.Profile, sec Secrets, target string) ([]profiles.Tested, error) {
	dst, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	q, creds, err := c.testProfile(p, sec)
	if err != nil {
		return nil, err
	}
	return q.TestAll(ctx, creds, dst, TestAllTimeout)
}

// testProfile is p as a test dials through it, and its upstreams'
// passwords: those typed in sec, else the keychain's. Only the routes
// matter: a test does not listen, so the listening side (LAN share, local
// user) is left out, and its problems do not stop a test.
func (c *Controller) testProfile(p *profiles.Profile, sec Secrets) (*profiles.Profile, profiles.Credentials, error) {
	q := p.Clone()
	q.Host, q.ShareOnLAN, q.LANInterface, q.Username, q.Open = profiles.DefaultHost, false, "", "", false
	creds := profiles.Credentials{Upstream: make([]string, len(q.Upstreams))}
	for i, u := range q.Upstreams {
		if u.Username == "" {
			continue
		}
		if i < len(sec.Upstream) && sec.Upstream[i] != "" {
			creds.Upstream[i] = sec.Upstream[i]
			continue
		}
		pw, err := c.keychain.Get(profiles.UpstreamAccount(p.Name, u))
		if errors.Is(err, profiles.ErrNoPassword) && u.Kind == profiles.KindSSH {
			continue // an SSH login may need none: the agent, or a key without a passphrase
		}
		if errors.Is(err, profiles.ErrNoPassword) {
			return nil, profiles.Credentials{}, errors.New(NoUpstreamPassword(i+1, u))
		}
		if err != nil {
			return nil, profiles.Credentials{}, fmt.Errorf("%s: %w", lang.L("upstream {{.N}} password", map[string]any{"N": i + 1}), err)
		}
		creds.Upstream[i] = pw
	}
	return q, creds, nil
}

// TestResult is the outcome of TestRoute.
type TestResult struct {
	Latency time.Duration // until the route's connection was open (or failed)
	Err     error         // nil on success
	Reply   socks5.Reply  // the reply a client would get: 00 on success
}

// String says what happened, for the user.
func (r TestResult) String() string {
	d := map[string]any{"Latency": r.Latency.Round(time.Millisecond), "Err": r.Err,
		"Code": fmt.Sprintf("%#02x", byte(r.Reply)), "Reply": uitext.Reply(r.Reply)}
	if r.Err == nil {
		return lang.L("connected in {{.Latency}}", d)
	}
	return lang.L("failed after {{.Latency}}: reply {{.Code}} ({{.Reply}}): {{.Err}}", d)
}

// TestRoute dials target (host:port) through p's route, as the proxy would
// for a client, and closes the connection at once. Upstream passwords come
// from sec where typed, else from the keychain. A profile or address that
// cannot be tried is the error; a dial that fails is in the result.
func (c *Controller) TestRoute(ctx context.Context, p *profiles.Profile, sec Secrets, target string) (TestResult, error) {
	dst, err := parseTarget(target)
	if err != nil {
		return TestResult{}, err
	}
	q, creds, err := c.testProfile(p, sec)
	if err != nil {
		return TestResult{}, err
	}
	cfg, err := q.ServerConfig(creds)
	if err != nil {
		return TestResult{}, err
	}
	// The route the rules pick for the target, as for a client here.
	route, _ := cfg.Pick(server.Query{Dst: dst.Canonical(), Client: netip.IPv6Loopback()})
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	start := time.Now()
	conn, err := route.Dial(ctx, dst)
	res := TestResult{Latency: time.Since(start), Err: err, Reply: socks5.ReplyFor(err)}
	if conn != nil {
		conn.Close()
	}
	if err != nil && errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, nil
}

// parseTarget reads a test's target, host:port, as the user typed it.
func parseTarget(target string) (socks5.Addr, error) {
	dst, err := socks5.ParseAddr(strings.TrimSpace(target))
	if err != nil {
		return dst, errors.New(lang.L(`"{{.Target}}": want HOST:PORT, such as example.org:443`, map[string]any{"Target": target}))
	}
	return dst, nil
}
