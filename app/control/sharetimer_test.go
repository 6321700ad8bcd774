package control_test

import (
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/profiles"
)

// openShare makes an open profile (no keychain needed to share it) the
// active one, with the proxy on, and returns its port.
func openShare(t *testing.T, c *control.Controller) int {
	t.Helper()
	p := controltest.AddProfile(t, c, "Shared")
	p.Open = true
	if err := c.SaveProfile("Shared", p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if err := c.UseProfile("Shared"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	return p.Port
}

// listensBeyond127001 reports whether the proxy takes connections on
// 127.0.0.2: a share listens on every address, 127.0.0.2 among them, and
// an unshared proxy only on 127.0.0.1. Loopback only: no packet leaves.
func listensBeyond127001(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.2", strconv.Itoa(port)), 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// alerts collects the notices worth a desktop notification.
func alerts(c *control.Controller) <-chan control.Notice {
	ch := make(chan control.Notice, 8)
	c.OnNotice(func(n control.Notice) {
		if n.Alert {
			ch <- n
		}
	})
	return ch
}

func TestShareForEndsByItself(t *testing.T) {
	c := controltest.New(t)
	port := openShare(t, c)
	ends := alerts(c)
	before := time.Now()
	if err := c.ShareLANFor(300 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	st := c.State()
	if !st.ShareLAN || st.ShareFor != 300*time.Millisecond || st.ShareUntil.Before(before) || st.ShareUntil.After(time.Now().Add(300*time.Millisecond)) {
		t.Fatalf("state after ShareLANFor: %+v", st)
	}
	if !listensBeyond127001(port) {
		t.Fatal("not listening beyond 127.0.0.1 while shared")
	}
	select {
	case n := <-ends:
		if n.Text != `LAN sharing of "Shared" ended: it was shared for 0 minutes.` {
			t.Errorf("notice %q", n.Text)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the share did not end")
	}
	st = c.State()
	if st.ShareLAN || !st.ShareUntil.IsZero() || st.ShareFor != 0 || !st.Running {
		t.Fatalf("state after the end: %+v", st)
	}
	if listensBeyond127001(port) {
		t.Error("still listening beyond 127.0.0.1 after the share ended")
	}
	conn := controltest.Dial(t, st.Addr, controltest.Echo(t))
	conn.Close()
	if p, err := c.Store().Load("Shared"); err != nil || p.ShareOnLAN {
		t.Errorf("file after the end: share_on_lan %v, %v", p != nil && p.ShareOnLAN, err)
	}
}

// A share made by hand after a timed one, or with another duration, is
// not cut by the first one's timer.
func TestShareForReplacedByHand(t *testing.T) {
	for _, tc := range []struct {
		name  string
		again func(c *control.Controller) error
		until bool // whether the new share has an end
	}{
		{"off and on", func(c *control.Controller) error {
			if err := c.SetShareLAN(false); err != nil {
				return err
			}
			return c.SetShareLAN(true)
		}, false},
		{"on again", func(c *control.Controller) error { return c.SetShareLAN(true) }, false},
		{"longer", func(c *control.Controller) error { return c.ShareLANFor(time.Hour) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := controltest.New(t)
			port := openShare(t, c)
			ends := alerts(c)
			if err := c.ShareLANFor(100 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if err := tc.again(c); err != nil {
				t.Fatal(err)
			}
			// Long enough for the first timer to have fired many times over.
			select {
			case n := <-ends:
				t.Fatalf("the old timer ended the new share: %q", n.Text)
			case <-time.After(time.Second):
			}
			st := c.State()
			if !st.ShareLAN || st.ShareUntil.IsZero() == tc.until || !listensBeyond127001(port) {
				t.Fatalf("state: %+v", st)
			}
		})
	}
}

// Sharing turned off in the profile editor drops the end; a share made
// later is not cut by it.
func TestShareForDroppedBySave(t *testing.T) {
	c := controltest.New(t)
	openShare(t, c)
	ends := alerts(c)
	if err := c.ShareLANFor(200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	p := c.Active()
	p.ShareOnLAN = false
	if err := c.SaveProfile("Shared", p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if st := c.State(); st.ShareLAN || !st.ShareUntil.IsZero() {
		t.Fatalf("state after the save: %+v", st)
	}
	if err := c.SetShareLAN(true); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-ends:
		t.Fatalf("the dropped timer ended a later share: %q", n.Text)
	case <-time.After(time.Second):
	}
	if !c.State().ShareLAN {
		t.Fatal("share ended")
	}
}

// Quitting during a timed share turns it off in the file: the next start
// must not share without an end.
func TestShareForEndsOnQuit(t *testing.T) {
	c := controltest.New(t)
	openShare(t, c)
	if err := c.ShareLANFor(time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(0, 0); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Store().Load("Shared"); err != nil || p.ShareOnLAN {
		t.Fatalf("file after quit: %+v, %v", p, err)
	}
}

// A timer that fires while an act replaces its share (here one waiting on
// a slow keychain) finds itself replaced when its turn comes, and does
// nothing.
func TestShareForTimerFiredDuringReplace(t *testing.T) {
	gate := controltest.NewGateKeychain()
	c := controltest.NewWith(t, control.Options{Keychain: gate})
	port := openShare(t, c)
	ends := alerts(c)
	if err := c.ShareLANFor(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	gate.Shut()
	done := make(chan error, 1)
	go func() { done <- c.SetShareLAN(true) }()
	select {
	case <-gate.Waiting: // the act holds the controller, waiting for the keychain
	case <-time.After(10 * time.Second):
		t.Fatal("SetShareLAN never asked the keychain")
	}
	time.Sleep(500 * time.Millisecond) // the timer fires and waits for its turn
	gate.Open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-ends:
		t.Fatalf("the replaced timer ended the share: %q", n.Text)
	case <-time.After(time.Second):
	}
	if st := c.State(); !st.ShareLAN || !st.ShareUntil.IsZero() || !listensBeyond127001(port) {
		t.Fatalf("state: %+v", st)
	}
}

// Timed shares, shares by hand and their ends interleaved from several
// goroutines: an end is only ever published with a share, and once the
// last change is a share by hand, no timer cuts it.
func TestShareForStress(t *testing.T) {
	c := controltest.New(t)
	openShare(t, c)
	stop := time.Now().Add(1500 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for time.Now().Before(stop) {
				switch r.IntN(3) {
				case 0:
					c.ShareLANFor(time.Duration(1+r.IntN(20)) * time.Millisecond)
				case 1:
					c.SetShareLAN(r.IntN(2) == 0)
				default:
					time.Sleep(time.Duration(r.IntN(5)) * time.Millisecond)
				}
				if st := c.State(); !st.ShareUntil.IsZero() && (!st.ShareLAN || st.ShareFor == 0) {
					select {
					case errs <- fmt.Sprintf("an end without a share: %+v", st):
					default:
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if err := c.SetShareLAN(true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // ten times the longest timer
	if st := c.State(); !st.ShareLAN || !st.ShareUntil.IsZero() {
		t.Fatalf("after a share by hand: %+v", st)
	}
}

// A share made on another profile while the first one's end is pending
// ends the first one's share in its file now: there is one end at a
// time, and no share is left without one.
func TestShareForOtherProfile(t *testing.T) {
	c := controltest.New(t)
	openShare(t, c)
	if err := c.ShareLANFor(time.Hour); err != nil {
		t.Fatal(err)
	}
	q := controltest.AddProfile(t, c, "Other")
	q.Open = true
	if err := c.SaveProfile("Other", q, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if err := c.UseProfile("Other"); err != nil {
		t.Fatal(err)
	}
	if st := c.State(); !st.ShareUntil.IsZero() {
		t.Fatalf("the end of another profile's share shown: %+v", st)
	}
	if p, err := c.Store().Load("Shared"); err != nil || !p.ShareOnLAN {
		t.Fatalf("a switch ended the first share: %v", err)
	}
	if err := c.SetShareLAN(true); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Store().Load("Shared"); err != nil || p.ShareOnLAN {
		t.Fatalf("the first profile still shares in its file (%v)", err)
	}
	if st := c.State(); !st.ShareLAN || !st.ShareUntil.IsZero() {
		t.Fatalf("state: %+v", st)
	}
}

// openAt opens a controller on a folder that a run before this one left:
// a profile "Shared" shared on the LAN and active with the proxy on, and
// in the settings, as that run wrote them, its share's end at ends after
// a share of length (0: a file from before lengths were kept).
func openAt(t *testing.T, ends time.Time, length time.Duration) (*control.Controller, string) {
	t.Helper()
	dir := t.TempDir()
	store := &profiles.Store{Dir: filepath.Join(dir, "profiles"), Keychain: &profiles.Keychain{Service: controltest.Service}}
	p := profiles.New("Shared")
	p.Port, p.ShareOnLAN, p.Open = controltest.FreePort(t), true, true
	if err := store.Create(p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "settings.toml")
	s := profiles.Settings{ActiveProfile: "Shared", ProxyOnAtStart: true, ShareEndsProfile: "Shared", ShareEnds: ends.UTC().Truncate(time.Second), ShareLength: length}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	c, err := control.Open(control.Options{Store: store, SettingsPath: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(0, 0) })
	return c, path
}

// A share whose end passed while the app was not running (it crashed, or
// was killed) is off at the next start, before the proxy listens; one
// whose end is to come goes on until then.
func TestShareForSurvivesACrash(t *testing.T) {
	t.Run("ended", func(t *testing.T) {
		c, path := openAt(t, time.Now().Add(-time.Minute), time.Hour)
		ends := alerts(c)
		c.Restore()
		st := c.State()
		if !st.Running || st.ShareLAN || listensBeyond127001(c.Active().Port) {
			t.Fatalf("after the start: running %v, shared %v, listening beyond 127.0.0.1 %v", st.Running, st.ShareLAN, listensBeyond127001(c.Active().Port))
		}
		if p, err := c.Store().Load("Shared"); err != nil || p.ShareOnLAN {
			t.Errorf("file: shared %v, %v", p.ShareOnLAN, err)
		}
		if s, _ := profiles.LoadSettings(path); s.ShareEndsProfile != "" {
			t.Errorf("settings still hold the end: %+v", s)
		}
		select {
		case n := <-ends:
			if !strings.Contains(n.Text, "ended while Sockstray was not running") {
				t.Errorf("notice %q", n.Text)
			}
		default:
			t.Error("no notice that the share ended")
		}
	})
	t.Run("to come", func(t *testing.T) {
		end := time.Now().Add(40 * time.Minute)
		c, path := openAt(t, end, time.Hour)
		c.Restore()
		st := c.State()
		if !st.Running || !st.ShareLAN || !listensBeyond127001(c.Active().Port) {
			t.Fatalf("after the start: running %v, shared %v", st.Running, st.ShareLAN)
		}
		if d := st.ShareUntil.Sub(end); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("share ends at %v, want about %v", st.ShareUntil, end)
		}
		// The length it was given, which the LAN tab and the tray show
		// chosen, not the time left.
		if st.ShareFor != time.Hour {
			t.Errorf("share for %v after the restart, want the 1h it was given", st.ShareFor)
		}
		if err := c.SetShareLAN(false); err != nil {
			t.Fatal(err)
		}
		if s, _ := profiles.LoadSettings(path); s.ShareEndsProfile != "" || !s.ShareEnds.IsZero() {
			t.Errorf("a share turned off by hand left its end in the settings: %+v", s)
		}
	})
}
