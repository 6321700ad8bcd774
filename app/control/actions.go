package control

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/profiles"
)

// SetProxy starts or stops the engine with the active profile, and
// remembers the choice for the next start. A start that fails (port in
// use, a password missing from the keychain) leaves the proxy off and
// says why.
func (c *Controller) SetProxy(on bool) error {
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	if !on {
		a.stop()
		c.log.Info("proxy off")
		a.updateSettings(func(s *profiles.Settings) { s.ProxyOnAtStart = false })
		return nil
	}
	if err := a.start(); err != nil {
		return a.fail(lang.L("proxy not started"), err)
	}
	return nil
}

func (c *Controller) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// UseProfile makes the profile name the active one and, when the proxy is
// on, applies it live: open connections keep running. When it cannot be
// applied, the profile in force stays.
func (c *Controller) UseProfile(name string) error {
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	p, err := c.store.Load(name)
	if err != nil {
		return a.fail(lang.L(`profile "{{.Name}}" not used`, map[string]any{"Name": name}), err)
	}
	if err := a.applyLive(p); err != nil {
		return a.fail(lang.L(`profile "{{.Name}}" not applied`, map[string]any{"Name": name}), err)
	}
	a.use(p)
	c.log.Info("profile in use", "profile", p.Name)
	a.updateSettings(func(s *profiles.Settings) { s.ActiveProfile = p.Name })
	return nil
}

// SetShareLAN turns the active profile's LAN sharing on (until turned
// off) or off, applies it live and saves the profile. A share the profile
// cannot make safely (no username and no narrowed allowlist) is refused
// with the validator's message, and nothing changes. Either way it drops
// the end a share had (ShareLANFor).
func (c *Controller) SetShareLAN(on bool) error { return c.shareLAN(on, 0) }

// shareLAN is SetShareLAN and ShareLANFor: sharing on or off, and its end
// after d when on.
func (c *Controller) shareLAN(on bool, d time.Duration) error {
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	p := a.active.Clone()
	p.ShareOnLAN = on
	if err := p.Validate(); err != nil {
		return a.fail(lang.L("LAN sharing not changed"), err)
	}
	if err := a.applyLive(p); err != nil {
		return a.fail(lang.L("LAN sharing not changed"), err)
	}
	if err := c.store.Save(p); err != nil {
		a.notify(slog.LevelError, lang.L(`Profile "{{.Name}}" applied but not saved: {{.Err}}`, map[string]any{"Name": p.Name, "Err": err}))
	}
	a.use(p)
	a.timeShare(p.Name, d)
	c.log.Info("LAN sharing", "profile", p.Name, "on", on, "for", d.String())
	return nil
}

// Profiles lists the profile files, broken ones with their errors.
func (c *Controller) Profiles() ([]profiles.Entry, error) { return c.store.List() }

// Secrets are passwords typed into the profile editor. An empty one leaves
// the keychain's as it is.
type Secrets struct {
	Local    string
	Upstream []string // by index of Profile.Upstreams
}

// String hides the passwords.
func (Secrets) String() string { return "control.Secrets{…}" }

// GoString hides the passwords under %#v too.
func (s Secrets) GoString() string { return s.String() }

// SaveProfile saves p, created new when orig is empty or renamed from
// orig. Passwords go to the keychain before the file is written (a new
// profile is removed again when they cannot), so a saved file does not
// name a user whose typed password was lost. When p is the active profile
// and the proxy is on, it is applied live. Errors are an
// *profiles.InvalidError for the form, or a keychain or file error.
func (c *Controller) SaveProfile(orig string, p *profiles.Profile, sec Secrets) error {
	return c.saveProfile(orig, p, sec, nil)
}

// SaveEdited is SaveProfile for an editor that loaded the profile orig at
// version base (profiles.Store.LoadVersion). When the file changed on disk
// since, nothing is saved, not even the passwords, and the error is a
// *profiles.ConflictError: saving again with its Disk version overwrites.
func (c *Controller) SaveEdited(orig string, p *profiles.Profile, sec Secrets, base profiles.Version) error {
	return c.saveProfile(orig, p, sec, &base)
}

func (c *Controller) saveProfile(orig string, p *profiles.Profile, sec Secrets, base *profiles.Version) error {
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	p = p.Clone()
	if err := p.Validate(); err != nil {
		return err
	}
	// Before the rename and the keychain: a conflict changes nothing.
	if base != nil && orig != "" {
		if err := c.store.CheckVersion(orig, *base); err != nil {
			return err
		}
	}
	// From here the keychain may change (a rename moves passwords, a save
	// drops an old hop's): HasPassword asks it again, except for the
	// passwords just stored.
	var stored []string
	defer func() { c.forgetPasswords(stored...) }()
	if orig == "" {
		if err := c.store.Create(p); err != nil {
			return err
		}
	} else if orig != p.Name {
		if err := c.store.Rename(orig, p.Name); err != nil {
			return err
		}
		a.renameShare(orig, p.Name)
	}
	stored, err = c.storeSecrets(p, sec)
	if err != nil {
		if orig == "" {
			c.store.Remove(p.Name)
		}
		return err
	}
	if orig != "" {
		save := c.store.Save
		if base != nil {
			// A rename keeps the content, so base still names the file.
			save = func(p *profiles.Profile) error { return c.store.SaveIf(p, *base) }
		}
		if err := save(p); err != nil {
			return err
		}
	}
	c.log.Info("profile saved", "profile", p.Name)
	a.changed()
	if a.active.Name == orig || a.active.Name == p.Name {
		// Active even when not applied: the file in force is the saved one.
		err := a.applyLive(p)
		a.use(p)
		a.updateSettings(func(s *profiles.Settings) { s.ActiveProfile = p.Name })
		if err != nil {
			c.setErr(err)
			a.notify(slog.LevelError, lang.L(`Profile "{{.Name}}" saved but not applied: {{.Err}}`, map[string]any{"Name": p.Name, "Err": err}))
		}
	}
	return nil
}

// storeSecrets stores the passwords typed and returns their accounts.
func (c *Controller) storeSecrets(p *profiles.Profile, sec Secrets) ([]string, error) {
	var stored []string
	if p.Username != "" && sec.Local != "" {
		if err := c.keychain.Set(profiles.LocalAccount(p.Name), sec.Local); err != nil {
			return stored, fmt.Errorf("%s: %w", lang.L("password not stored"), err)
		}
		stored = append(stored, profiles.LocalAccount(p.Name))
	}
	for i, u := range p.Upstreams {
		if u.Username != "" && i < len(sec.Upstream) && sec.Upstream[i] != "" {
			if err := c.keychain.Set(profiles.UpstreamAccount(p.Name, u), sec.Upstream[i]); err != nil {
				return stored, fmt.Errorf("%s: %w", lang.L("upstream {{.N}} password not stored", map[string]any{"N": i + 1}), err)
			}
			stored = append(stored, profiles.UpstreamAccount(p.Name, u))
		}
	}
	return stored, nil
}

// NoUpstreamPassword says that upstream n (from 1), u, has no password in
// the keychain: a hop whose host, port or username changed is another
// upstream, with no password until one is typed for it.
func NoUpstreamPassword(n int, u profiles.Upstream) string {
	return lang.L("upstream {{.N}} ({{.Hop}}) has no password in the keychain: type it in its row", map[string]any{"N": n, "Hop": u.Key()})
}

// HasPassword reports whether the keychain holds a password for account,
// and the keychain's error when it cannot tell. The answer is cached: only
// the first question about an account (after the app stored or deleted
// passwords) asks the keychain, which may be slow: call it off the UI
// goroutine all the same.
func (c *Controller) HasPassword(account string) (bool, error) {
	c.mu.Lock()
	ok, known := c.hasPw[account]
	gen := c.hasPwGen
	c.mu.Unlock()
	if known {
		return ok, nil
	}
	_, err := c.keychain.Get(account)
	switch {
	case errors.Is(err, profiles.ErrNoPassword):
		ok = false
	case err != nil:
		return false, err // not cached: the keychain may come back
	default:
		ok = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.hasPwGen { // else the app changed passwords meanwhile
		c.rememberLocked(account, ok)
	}
	return ok, nil
}

// rememberLocked records whether account has a password; c.mu is held.
func (c *Controller) rememberLocked(account string, ok bool) {
	if c.hasPw == nil {
		c.hasPw = map[string]bool{}
	}
	c.hasPw[account] = ok
}

// forgetPasswords empties HasPassword's cache after the app stored, moved
// or deleted passwords (a save may drop an old hop's, a rename moves
// them, a removal deletes them), then records the accounts just stored.
func (c *Controller) forgetPasswords(stored ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hasPw = nil
	c.hasPwGen++
	for _, a := range stored {
		c.rememberLocked(a, true)
	}
}

// NewProfile creates a profile with the defaults under a free name built
// from base ("New profile", "New profile 2", …) and returns it.
func (c *Controller) NewProfile(base string) (*profiles.Profile, error) {
	a, err := c.begin()
	if err != nil {
		return nil, err
	}
	defer a.end()
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s %d", base, i)
		}
		p := profiles.New(name)
		err := c.store.Create(p)
		if errors.Is(err, profiles.ErrExists) {
			continue
		}
		if err != nil {
			return nil, err
		}
		a.changed()
		return p, nil
	}
	return nil, errors.New(lang.L(`no free name like "{{.Base}}"`, map[string]any{"Base": base}))
}

// RemoveProfile deletes a profile and its passwords. The active profile
// cannot be removed: choose another first.
func (c *Controller) RemoveProfile(name string) error {
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	if a.isActive(name) {
		return errors.New(lang.L(`profile "{{.Name}}" is in use; choose another profile first`, map[string]any{"Name": name}))
	}
	err = c.store.Remove(name)
	c.forgetPasswords()
	if err != nil {
		return err
	}
	c.log.Info("profile removed", "profile", name)
	a.changed()
	return nil
}
