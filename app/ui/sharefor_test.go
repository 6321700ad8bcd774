package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control"
)

// openShared makes the active profile one that may be shared without a
// password (open), the proxy on.
func openShared(t *testing.T, w *Window, c *control.Controller) {
	t.Helper()
	p := c.Active()
	p.Open = true
	if err := c.SaveProfile(p.Name, p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	settle(w)
}

func TestLANShareForAnHourShowsCountdown(t *testing.T) {
	w, c := newWindow(t)
	openShared(t, w, c)
	w.ShowTab(TabLAN)
	l := w.LAN
	if l.Ends.Visible() || l.For.Selected != "until turned off" {
		t.Fatalf("before: ends shown %v, for %q", l.Ends.Visible(), l.For.Selected)
	}
	l.For.SetSelected("for 1 hour") // no share yet: only the choice
	settle(w)
	if c.State().ShareLAN {
		t.Fatal("choosing a length shared")
	}
	test.Tap(l.Share)
	settle(w)
	st := c.State()
	if !st.ShareLAN || st.ShareFor != time.Hour {
		t.Fatalf("state after the tap: %+v", st)
	}
	l.now = func() time.Time { return st.ShareUntil.Add(-30*time.Minute - 5*time.Second) }
	w.sample() // the sampler's second
	want := "Sharing turns off at " + st.ShareUntil.Local().Format("15:04") + ": 30:05 left"
	if !l.Ends.Visible() || l.Ends.Text != want {
		t.Fatalf("countdown %q (shown %v), want %q", l.Ends.Text, l.Ends.Visible(), want)
	}
	// Another length restarts the count from now.
	l.For.SetSelected("for 15 minutes")
	settle(w)
	if st2 := c.State(); !st2.ShareLAN || st2.ShareFor != 15*time.Minute || !st2.ShareUntil.Before(st.ShareUntil) {
		t.Fatalf("state after 15 minutes: %+v", st2)
	}
	// Until turned off: no countdown.
	l.For.SetSelected("until turned off")
	settle(w)
	if st3 := c.State(); !st3.ShareLAN || !st3.ShareUntil.IsZero() || l.Ends.Visible() {
		t.Fatalf("state until turned off: %+v, countdown shown %v", st3, l.Ends.Visible())
	}
}

// The end of a share shows in the tab and as a desktop notification.
func TestLANShareEndsWithNotification(t *testing.T) {
	w, c := newWindow(t)
	openShared(t, w, c)
	w.ShowTab(TabLAN)
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Sockstray",
		Content: `LAN sharing of "Direct" ended: it was shared for 0 minutes.`}, func() {
		if err := c.ShareLANFor(200 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		settle(w)
		if !w.LAN.Share.Checked || !w.LAN.Ends.Visible() {
			t.Fatalf("shared %v, countdown shown %v", w.LAN.Share.Checked, w.LAN.Ends.Visible())
		}
		eventually(t, "the share to end", func() bool { return !c.State().ShareLAN })
		settle(w)
	})
	if w.LAN.Share.Checked || w.LAN.Ends.Visible() || !strings.HasPrefix(w.LAN.Status.Text, "Not shared") {
		t.Errorf("after the end: checked %v, countdown %v, status %q", w.LAN.Share.Checked, w.LAN.Ends.Visible(), w.LAN.Status.Text)
	}
}
