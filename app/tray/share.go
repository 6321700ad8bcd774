package tray

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/uitext"
)

// LabelShareFor is the submenu that shares on the LAN for a while.
const LabelShareFor = "Share on LAN for"

// now is the clock of the countdown, and do what runs its refreshes on
// the UI goroutine; tests set them (Fyne's test driver runs fyne.Do on the
// caller's goroutine, here the timer's).
var (
	now = time.Now
	do  = fyne.Do
)

// minutesLeft is the time left of a share with an end, in minutes rounded
// up, and whether it has an end.
func minutesLeft(st control.State) (int, bool) {
	if !st.ShareLAN || st.ShareUntil.IsZero() {
		return 0, false
	}
	left := st.ShareUntil.Sub(now())
	return max(int((left+time.Minute-1)/time.Minute), 1), true
}

// shareLabel is the share item's text: with the time left when the share
// has an end.
func shareLabel(st control.State) string {
	if m, ok := minutesLeft(st); ok {
		return lang.L("Share on LAN ({{.Min}} min left)", map[string]any{"Min": m})
	}
	return lang.L(LabelShare)
}

// shareForMenu is the submenu of ShareDurations; act runs a choice.
func shareForMenu(c *control.Controller, st control.State, busy bool, act func(string, func() func() error) func()) *fyne.MenuItem {
	var items []*fyne.MenuItem
	for _, d := range control.ShareDurations {
		it := fyne.NewMenuItem(uitext.ShareDuration(d), act(lang.L("LAN sharing not changed"), func() func() error {
			return func() error { return c.ShareLANFor(d) }
		}))
		it.Checked = st.ShareLAN && st.ShareFor == d
		it.Disabled = busy
		items = append(items, it)
	}
	m := fyne.NewMenuItem(lang.L(LabelShareFor), nil)
	m.ChildMenu = fyne.NewMenu(lang.L(LabelShareFor), items...)
	return m
}

// tickShare refreshes the tray when the minutes left of a share change;
// call it on the UI goroutine, from Refresh.
func (t *Tray) tickShare(st control.State) {
	if t.tick != nil {
		t.tick.Stop()
		t.tick = nil
	}
	m, ok := minutesLeft(st)
	if !ok {
		return
	}
	next := st.ShareUntil.Sub(now()) - time.Duration(m-1)*time.Minute // when the count drops
	t.tick = time.AfterFunc(max(next, time.Second), func() { do(t.Refresh) })
}

// Stop stops the countdown's refreshes, for the app's end: the tray is
// gone then. Call it on the UI goroutine.
func (t *Tray) Stop() { t.tickShare(control.State{}) }
