package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/uitext"
)

// The LAN screen's choice of how long a share lasts, and its countdown.
// The controller owns the end (control.Controller.ShareLANFor); the
// screen only shows it.

func (l *LAN) buildFor() {
	var opts []string
	for _, d := range control.ShareDurations {
		opts = append(opts, uitext.ShareDuration(d))
	}
	l.For = widget.NewSelect(opts, l.onFor)
	l.quiet = true
	l.For.SetSelectedIndex(len(opts) - 1) // until turned off
	l.quiet = false
	l.Ends = widget.NewLabel("")
	l.Ends.Importance = widget.WarningImportance
	l.ctrl.OnNotice(func(n control.Notice) {
		if n.Alert { // the share ended by itself: the user may be elsewhere
			do(func() { fyne.CurrentApp().SendNotification(fyne.NewNotification("Sockstray", n.Text)) })
		}
	})
}

// duration is the share's length chosen, 0 for until turned off.
func (l *LAN) duration() time.Duration {
	if i := l.For.SelectedIndex(); i >= 0 {
		return control.ShareDurations[i]
	}
	return 0
}

// onFor gives a share in force its new length at once, counted from now;
// without a share the choice waits for the switch.
func (l *LAN) onFor(string) {
	if l.quiet || l.busy || !l.ctrl.Active().ShareOnLAN {
		return
	}
	d := l.duration()
	l.change(func() error { return l.ctrl.ShareLANFor(d) })
}

// showFor shows the length of the share in force, and its countdown.
func (l *LAN) showFor(st control.State) {
	if st.ShareLAN {
		for i, d := range control.ShareDurations {
			if d == st.ShareFor && i != l.For.SelectedIndex() {
				l.quiet = true
				l.For.SetSelectedIndex(i)
				l.quiet = false
			}
		}
	}
	l.showEnd(st)
}

// showEnd shows the time left of a share with an end; the sampler calls it
// each second while the screen is in view.
func (l *LAN) showEnd(st control.State) {
	if !st.ShareLAN || st.ShareUntil.IsZero() {
		l.Ends.SetText("")
		l.Ends.Hide()
		return
	}
	l.Ends.SetText(lang.L("Sharing turns off at {{.At}}: {{.Left}} left", map[string]any{
		"At": st.ShareUntil.Local().Format("15:04"), "Left": uitext.Countdown(st.ShareUntil.Sub(l.now()))}))
	l.Ends.Show()
}
