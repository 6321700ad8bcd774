package control

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

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
	dst, err := socks5.ParseAddr(strings.TrimSpace(target))
	if err != nil {
		return nil, errors.New(lang.L(`"{{.Target}}": want HOST:PORT, such as example.org:443`, map[string]any{"Target": target}))
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
