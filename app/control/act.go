package control

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/profiles"
)

// act is the right to change what runs: the engine, the system proxy
// setting and the active profile. Only begin makes one, with c.op held
// until end, so an action's checks and the changes it decides on happen
// with no other action in between. The methods that change what runs are
// methods of act: holding one is how the code shows it may call them.
type act struct {
	c       *Controller
	active  *profiles.Profile // the active profile as this act leaves it
	notices []Notice          // for the listeners, once c.op is released
	dirty   bool              // whether the listeners hear of a change
}

// begin waits for the actions before it and starts one; it refuses once
// the app quits.
func (c *Controller) begin() (*act, error) {
	c.op.Lock()
	if c.isClosed() {
		c.op.Unlock()
		return nil, errClosed
	}
	return c.beginAlways(), nil
}

// beginAlways is begin for Close, with c.op already held.
func (c *Controller) beginAlways() *act {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &act{c: c, active: c.active}
}

// end points the system proxy at what now runs (or puts the user's
// setting back), publishes the outcome for State, releases c.op and only
// then calls the listeners: one may start another action.
func (a *act) end() {
	c := a.c
	a.settleSystemProxy()
	addr := ""
	if la := c.eng.Addr(); la != nil {
		addr = la.String()
	}
	until, d := a.shareEnd()
	c.mu.Lock()
	c.active, c.addr, c.sysOn = a.active, addr, c.sysAddr != ""
	c.shareUntil, c.shareFor = until, d
	c.mu.Unlock()
	c.op.Unlock()
	for _, n := range a.notices {
		c.deliver(n)
	}
	if a.dirty {
		c.changed()
	}
}

// changed has the listeners called when the act ends.
func (a *act) changed() { a.dirty = true }

// notify logs a notice now and hands it to the listeners when the act ends.
func (a *act) notify(level slog.Level, text string) {
	n := Notice{Level: level, Text: text}
	a.c.log.Log(context.Background(), level, n.Text)
	a.notices = append(a.notices, n)
	a.dirty = true
}

// fail records err as the last error, tells the user, and returns it.
func (a *act) fail(what string, err error) error {
	a.c.setErr(err)
	a.notify(slog.LevelError, lang.L("{{.What}}: {{.Err}}", map[string]any{"What": what, "Err": err}))
	return err
}

// use makes p the active profile, as applied.
func (a *act) use(p *profiles.Profile) {
	a.active = p
	a.c.setErr(nil)
	a.dirty = true
	a.followShare(p)
}

// updateSettings changes the settings and saves them, telling the user
// when they cannot be saved.
func (a *act) updateSettings(f func(*profiles.Settings)) error {
	err := a.c.saveSettings(f)
	if err != nil {
		a.notify(slog.LevelError, lang.L("Settings not saved: {{.Err}}", map[string]any{"Err": err}))
	}
	return err
}

// start starts the engine with the active profile, unless it runs.
func (a *act) start() error {
	c := a.c
	if c.eng.Running() {
		return nil
	}
	cfg, err := c.config(a.active)
	if err == nil {
		err = c.eng.Start(cfg)
	}
	if err != nil {
		return err
	}
	c.setErr(nil)
	c.log.Info("proxy on", "profile", a.active.Name, "listen", c.eng.Addr().String(), "route", routeName(cfg))
	a.updateSettings(func(s *profiles.Settings) { s.ProxyOnAtStart = true })
	a.changed()
	return nil
}

// stop puts the user's system proxy setting back, then stops the engine:
// in this order the system never points at a proxy that is not there.
func (a *act) stop() {
	a.releaseSystemProxy()
	a.c.eng.Stop()
	a.c.setErr(nil)
	a.changed()
}

// applyLive hands p to a running engine; it does nothing when the proxy
// is off. The system proxy follows when the act ends.
func (a *act) applyLive(p *profiles.Profile) error {
	c := a.c
	if !c.eng.Running() {
		return nil
	}
	cfg, err := c.config(p)
	if err != nil {
		return err
	}
	// The engine hands the port over itself when only the address changes
	// (loopback to the LAN on one port); open connections carry on.
	return c.eng.Apply(cfg)
}

// config turns p into the engine's config with its passwords from the
// keychain, and the app's logger.
func (c *Controller) config(p *profiles.Profile) (*server.Config, error) {
	creds, err := c.keychain.Credentials(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lang.L(`profile "{{.Name}}": passwords`, p), err)
	}
	cfg, err := p.ServerConfigWith(creds, profiles.Hooks{GroupEvent: c.groupEvent})
	if err != nil {
		return nil, err
	}
	cfg.Logger = c.log
	return cfg, nil
}

// groupEvent tells the user when a group of routes moves to another
// member and when all its members are down; the rest goes to the log.
func (c *Controller) groupEvent(e outbound.GroupEvent) {
	d := map[string]any{"Group": e.Group, "Member": e.Member, "From": e.From, "Err": e.Err}
	switch e.Kind {
	case outbound.MemberSwitched:
		c.notify(slog.LevelInfo, lang.L(`Route "{{.Group}}" now goes through "{{.Member}}" (was "{{.From}}")`, d))
	case outbound.AllDown:
		c.notify(slog.LevelWarn, lang.L(`Every member of route "{{.Group}}" is down; still trying them`, d))
	case outbound.MemberDown:
		c.log.Warn("route member down", "group", e.Group, "member", e.Member, "error", fmt.Sprint(e.Err))
	case outbound.MemberUp:
		c.log.Info("route member up again", "group", e.Group, "member", e.Member)
	}
}

func routeName(cfg *server.Config) string {
	if cfg.Route == nil {
		return "direct"
	}
	return cfg.Route.String()
}

// isActive reports whether name is the active profile's.
func (a *act) isActive(name string) bool { return strings.EqualFold(a.active.Name, name) }
