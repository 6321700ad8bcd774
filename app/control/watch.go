package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/uitext"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/profiles"
)

// watch handles the profile watcher's events until it closes: an edit of
// the active profile on disk is applied live; a broken file is reported
// with its line and the last good version stays in force.
func (c *Controller) watch(w *profiles.Watcher) {
	defer close(c.watchDone)
	for ev := range w.Events() {
		c.handle(ev)
	}
}

// handle acts on one event. Whether the event is about the active profile
// is decided inside the act: a switch made while the event waited has
// already happened, and the edit of a profile no longer active changes
// nothing. The active profile's events go through profiles.Follower, as
// serve's do, with the act's applyLive to put a new version in force.
func (c *Controller) handle(ev profiles.Event) {
	a, err := c.begin()
	if err != nil {
		return // quitting
	}
	defer a.end()
	a.changed()
	if !a.isActive(ev.Name) {
		if ev.Kind == profiles.Invalid {
			a.notify(slog.LevelError, lang.L(`Profile "{{.Name}}": {{.Err}}`, ev))
		}
		return
	}
	name := a.active.Name
	f := profiles.Follower{Name: name, Use: a.applyLive, Load: c.store.Load}
	p, err := f.Handle(ev)
	switch {
	case ev.Kind == profiles.Removed:
		a.notify(slog.LevelWarn, lang.L(`The file of profile "{{.Name}}" was removed; the profile stays in force until you choose another.`, ev))
	case ev.Kind == profiles.Invalid:
		a.notify(slog.LevelError, lang.L(`Profile "{{.Name}}": {{.Err}}; the last good version stays in force`, ev))
	case err != nil:
		c.setErr(err)
		a.notify(slog.LevelError, lang.L(`Profile "{{.Name}}" changed on disk but was not applied: {{.Err}}`, map[string]any{"Name": name, "Err": err}))
	case p != nil:
		a.use(p)
		c.log.Info("profile changed on disk, applied", "profile", name)
	}
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
	dst, err := socks5.ParseAddr(strings.TrimSpace(target))
	if err != nil {
		return TestResult{}, errors.New(lang.L(`"{{.Target}}": want HOST:PORT, such as example.org:443`, map[string]any{"Target": target}))
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
