package control

import (
	"log/slog"

	"fyne.io/fyne/v2/lang"

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
