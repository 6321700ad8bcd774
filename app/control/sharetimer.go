package control

import (
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/uitext"
	"github.com/sockstray/sockstray/profiles"
)

// ShareDurations are the lengths of time a LAN share can be given, the
// last, 0, meaning until it is turned off.
var ShareDurations = []time.Duration{15 * time.Minute, time.Hour, 4 * time.Hour, 0}

// timedShare is a LAN share with an end. Only acts create, replace and
// end one (c.share); its timer's expiry is an act too, which does nothing
// unless the share is still c.share: a share replaced or turned off by
// hand is never cut by the old timer.
type timedShare struct {
	profile string
	d       time.Duration
	until   time.Time
	timer   *time.Timer
}

// ShareLANFor shares the active profile on the LAN for d and then turns
// sharing off by itself, with a notice; d <= 0 shares until turned off.
// Whichever it is, it replaces the share's earlier end.
func (c *Controller) ShareLANFor(d time.Duration) error { return c.shareLAN(true, d) }

// timeShare gives the share of profile name an end after d, replacing the
// end it had; d <= 0 means none. There is one end at a time: a pending
// end of another profile (not active, so not in force) comes now, in its
// file, rather than never.
func (a *act) timeShare(name string, d time.Duration) {
	a.timeShareUntil(name, d, time.Now().Add(d))
}

// timeShareUntil is timeShare for a share given d that ends at until: a
// share taken up again after a restart keeps the length it was given.
func (a *act) timeShareUntil(name string, d time.Duration, until time.Time) {
	c := a.c
	if ts := c.share; ts != nil && !strings.EqualFold(ts.profile, name) {
		a.untimeShare()
		a.unshare(ts.profile)
	}
	a.untimeShare()
	if d <= 0 {
		return
	}
	ts := &timedShare{profile: name, d: d, until: until}
	ts.timer = time.AfterFunc(time.Until(until), func() { c.endShare(ts) })
	c.share = ts
	a.changed()
	// Written down, so that a start after a crash still ends it.
	a.updateSettings(func(s *profiles.Settings) {
		s.ShareEndsProfile, s.ShareEnds, s.ShareLength = name, ts.until.UTC().Truncate(time.Second), d
	})
}

// untimeShare drops the share's end, if it has one.
func (a *act) untimeShare() {
	if ts := a.c.share; ts != nil {
		ts.timer.Stop() // a timer already fired finds c.share changed
		a.c.share = nil
		a.changed()
		a.updateSettings(func(s *profiles.Settings) { s.ShareEndsProfile, s.ShareEnds, s.ShareLength = "", time.Time{}, 0 })
	}
}

// followShare keeps the share's end in step with the profile p that the
// act makes active: a share turned off some other way (the profile
// editor, an edit on disk) has nothing left to end.
func (a *act) followShare(p *profiles.Profile) {
	if ts := a.c.share; ts != nil && strings.EqualFold(ts.profile, p.Name) && !p.ShareOnLAN {
		a.untimeShare()
	}
}

// renameShare follows a rename of the profile whose share has an end.
func (a *act) renameShare(from, to string) {
	if ts := a.c.share; ts != nil && strings.EqualFold(ts.profile, from) {
		ts.profile = to
		a.updateSettings(func(s *profiles.Settings) { s.ShareEndsProfile = to })
	}
}

// resumeShare takes up the end of a LAN share that an earlier run gave
// one and did not see through (it crashed, or was killed): passed, the
// share is turned off in its file before the proxy starts; to come, its
// timer runs again for the time left.
func (c *Controller) resumeShare() {
	s := c.Settings()
	if s.ShareEndsProfile == "" {
		return
	}
	a, err := c.begin()
	if err != nil {
		return
	}
	defer a.end()
	forget := func() {
		a.updateSettings(func(s *profiles.Settings) { s.ShareEndsProfile, s.ShareEnds, s.ShareLength = "", time.Time{}, 0 })
	}
	name := s.ShareEndsProfile
	p, err := c.store.Load(name)
	if err != nil || !p.ShareOnLAN {
		forget() // gone, or no longer shared: nothing to end
		return
	}
	if left := time.Until(s.ShareEnds); left > 0 {
		length := s.ShareLength
		if length < left {
			length = left // a file from before lengths were kept
		}
		a.timeShareUntil(name, length, s.ShareEnds)
		return
	}
	forget()
	a.unshare(name)
	a.alert(slog.LevelInfo, lang.L(`LAN sharing of "{{.Name}}" ended while Sockstray was not running.`, map[string]any{"Name": name}))
}

// shareEnd is when the active profile's share ends and how long it was
// given, zero for never.
func (a *act) shareEnd() (time.Time, time.Duration) {
	if ts := a.c.share; ts != nil && a.isActive(ts.profile) {
		return ts.until, ts.d
	}
	return time.Time{}, 0
}

// endShare is ts's expiry: it turns the share off, unless ts was replaced
// or dropped meanwhile.
func (c *Controller) endShare(ts *timedShare) {
	a, err := c.begin()
	if err != nil {
		return // quitting: Close ends the share
	}
	defer a.end()
	if c.share != ts {
		return
	}
	a.untimeShare()
	a.unshare(ts.profile)
	d := map[string]any{"Name": ts.profile, "For": uitext.ShareDuration(ts.d)}
	a.alert(slog.LevelInfo, lang.L(`LAN sharing of "{{.Name}}" ended: it was shared {{.For}}.`, d))
}

// unshare turns off the sharing of profile name: live and in its file
// when it is active, in its file otherwise. When the engine cannot leave
// the LAN address it stops: a share must not outlive its end.
func (a *act) unshare(name string) {
	c := a.c
	d := map[string]any{"Name": name}
	if !a.isActive(name) {
		p, err := c.store.Load(name)
		if err != nil || !p.ShareOnLAN {
			return // gone or changed by hand meanwhile
		}
		p.ShareOnLAN = false
		if err := c.store.Save(p); err != nil {
			d["Err"] = err
			a.notify(slog.LevelError, lang.L(`LAN sharing of "{{.Name}}" not turned off in its file: {{.Err}}`, d))
		}
		return
	}
	p := a.active.Clone()
	p.ShareOnLAN = false
	if err := a.applyLive(p); err != nil {
		a.stop()
		d["Err"] = err
		a.notify(slog.LevelError, lang.L(`LAN sharing of "{{.Name}}" could not end live ({{.Err}}): the proxy was turned off`, d))
	}
	a.use(p)
	if err := c.store.Save(p); err != nil {
		d["Err"] = err
		a.notify(slog.LevelError, lang.L(`Profile "{{.Name}}" applied but not saved: {{.Err}}`, d))
	}
}

// alert is notify for a notice worth a desktop notification: the user may
// not be looking at the window.
func (a *act) alert(level slog.Level, text string) {
	a.notify(level, text)
	a.notices[len(a.notices)-1].Alert = true
}

// endShareOnQuit turns off, in its file, a share that has an end: the
// next start must not share without one. Call it with the engine stopped.
func (a *act) endShareOnQuit() {
	ts := a.c.share
	if ts == nil {
		return
	}
	a.untimeShare()
	a.unshare(ts.profile)
}
