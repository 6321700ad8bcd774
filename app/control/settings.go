package control

import (
	"errors"
	"log/slog"
	"slices"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/profiles"
)

// Restore turns the proxy on when it was on when the app last quit, and
// then "Use as system proxy" when that was on too.
func (c *Controller) Restore() {
	c.resumeShare() // before the proxy starts: an ended share must not listen
	s := c.Settings()
	switch {
	case s.ProxyOnAtStart && s.SystemProxyOnAtStart && c.sysProxy != nil:
		// It starts the proxy first; refused (the profile now needs a
		// password), the proxy still comes on.
		if c.SetSystemProxy(true) != nil && !c.State().Running {
			_ = c.SetProxy(true)
		}
	case s.ProxyOnAtStart:
		_ = c.SetProxy(true)
	}
}

// SetTheme saves the app's colours, one of profiles.Themes or "" for the
// system's.
func (c *Controller) SetTheme(name string) error {
	if name != "" && !slices.Contains(profiles.Themes, name) {
		return errors.New(lang.L(`theme "{{.Theme}}": want one of {{.List}}`, map[string]any{"Theme": name, "List": strings.Join(profiles.Themes, ", ")}))
	}
	return c.updateSettings(func(s *profiles.Settings) { s.Theme = name })
}

// Settings returns the settings in force.
func (c *Controller) Settings() profiles.Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.settings
}

// SetLanguage saves the app's language, one of profiles.Languages or ""
// for the system's. It applies at the next start: strings already shown
// do not change.
func (c *Controller) SetLanguage(tag string) error {
	if tag != "" && !slices.Contains(profiles.Languages, tag) {
		return errors.New(lang.L(`language "{{.Tag}}": want one of {{.List}}`, map[string]any{"Tag": tag, "List": strings.Join(profiles.Languages, ", ")}))
	}
	return c.updateSettings(func(s *profiles.Settings) { s.Language = tag })
}

// updateSettings changes the settings and saves them, telling the user
// when they cannot be saved.
func (c *Controller) updateSettings(f func(*profiles.Settings)) error {
	err := c.saveSettings(f)
	if err != nil {
		c.notify(slog.LevelError, lang.L("Settings not saved: {{.Err}}", map[string]any{"Err": err}))
	}
	return err
}

// saveSettings changes the settings and saves them. c.saveMu makes the
// file's order of writes the order of the changes: a save from an act and
// one from SetLanguage never leave the older settings on disk.
func (c *Controller) saveSettings(f func(*profiles.Settings)) error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	f(&c.settings)
	s := c.settings
	c.mu.Unlock()
	return s.Save(c.settingsPath)
}
