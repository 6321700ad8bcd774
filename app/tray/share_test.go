package tray

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
)

// sharable returns a controller whose active profile may be shared
// without a password (open), the proxy on.
func sharable(t *testing.T) *control.Controller {
	t.Helper()
	test.NewTempApp(t)
	c := controltest.New(t)
	p := c.Active()
	p.Open = true
	if err := c.SaveProfile(p.Name, p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	return c
}

// setNow sets the countdown's clock for the test.
func setNow(t *testing.T, f func() time.Time) {
	now = f
	t.Cleanup(func() { now = time.Now })
}

func TestMenuSharesForAWhileWithCountdown(t *testing.T) {
	c := sharable(t)
	h, wait := waiting(t, Hooks{})
	m := Menu(c, h)
	sub := item(t, m, LabelShareFor).ChildMenu
	item(t, sub, "for 1 hour").Action()
	wait()
	st := c.State()
	if !st.ShareLAN || st.ShareFor != time.Hour {
		t.Fatalf("state after \"for 1 hour\": %+v", st)
	}
	setNow(t, func() time.Time { return st.ShareUntil.Add(-42*time.Minute - 10*time.Second) })
	m = Menu(c, h)
	share := item(t, m, "Share on LAN (43 min left)")
	if !share.Checked || !item(t, item(t, m, LabelShareFor).ChildMenu, "for 1 hour").Checked {
		t.Error("share or its length not checked")
	}
	want := "Sockstray: on, " + st.Addr + " (Direct, shared on the LAN, 43 min left)"
	if got := Title(st); got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	// The share item turns the share off, and the end with it.
	share.Action()
	wait()
	if st := c.State(); st.ShareLAN || !st.ShareUntil.IsZero() {
		t.Fatalf("state after the share item: %+v", st)
	}
	item(t, Menu(c, h), LabelShare)
}

// The tray counts down by itself: it refreshes when the minutes left drop.
func TestTrayCountdownRefreshes(t *testing.T) {
	c := sharable(t)
	if err := c.ShareLANFor(time.Hour); err != nil {
		t.Fatal(err)
	}
	st := c.State()
	start := time.Now()
	// 1 min 0.5 s left: the count drops from 2 to 1 half a second from now.
	setNow(t, func() time.Time { return st.ShareUntil.Add(-time.Minute - 500*time.Millisecond + time.Since(start)) })
	loop := make(chan func(), 4) // this goroutine plays the app's event loop
	do = func(f func()) { loop <- f }
	t.Cleanup(func() { do = fyne.Do })
	var titles []string
	tr := New(&fakeDesktop{}, c, Hooks{})
	tr.SetTitle = func(s string) { titles = append(titles, s) }
	tr.Refresh()
	defer tr.Stop()
	select {
	case f := <-loop:
		f()
	case <-time.After(10 * time.Second):
		t.Fatal("no refresh")
	}
	if len(titles) != 2 || !strings.Contains(titles[0], "2 min left)") || !strings.Contains(titles[1], "1 min left)") {
		t.Errorf("titles %q", titles)
	}
	if tr.tick == nil {
		t.Error("no refresh planned for the next minute")
	}
	if err := c.SetShareLAN(false); err != nil {
		t.Fatal(err)
	}
	tr.Refresh()
	if tr.tick != nil {
		t.Error("a countdown refresh planned without a share")
	}
}
