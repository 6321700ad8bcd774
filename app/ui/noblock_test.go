package ui

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
)

// TestWindowDoesNotWaitForKeychain: with a keychain that answers only when
// the test lets it, saving a profile, switching profiles and turning the
// proxy on each return to the event loop at once, the controls say that
// they work, other controls keep answering taps, and once the keychain
// answers the proxy runs the chosen profile with the password saved.
func TestWindowDoesNotWaitForKeychain(t *testing.T) {
	controltest.NeedKeychain(t)
	kc := controltest.NewGateKeychain()
	w, c := newWindowWith(t, control.Options{Keychain: kc})
	controltest.AddProfile(t, c, "Other")
	s, f := w.Profiles, w.Profiles.Form
	w.Status.Refresh()
	s.Refresh()
	s.Select("Other")
	settle(w)
	if f.Orig() != "Other" {
		t.Fatalf("editing %q", f.Orig())
	}
	password := rand.Text()
	test.Type(f.Username, "alice")
	test.Type(f.Password, password)

	kc.Shut()
	t.Cleanup(kc.Open) // before the window's jobs are waited for
	atOnce := func(what string, handler func()) {
		t.Helper()
		start := time.Now()
		handler()
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("%s took %v with the keychain locked", what, d)
		}
	}
	atOnce("Save", func() { test.Tap(f.Save) })
	select {
	case <-kc.Waiting:
	case <-time.After(5 * time.Second):
		t.Fatal("the save never reached the keychain")
	}
	atOnce("choosing a profile", func() { w.Status.Profile.SetSelected("Other") })
	atOnce("Proxy on", func() { test.Tap(w.Status.Proxy) })

	// Meanwhile: the controls say that they work, and others still answer.
	if !f.Save.Disabled() || !w.Status.Proxy.Disabled() || !w.Status.Profile.Disabled() {
		t.Errorf("while waiting: Save disabled %v, Proxy %v, Profile %v", f.Save.Disabled(), w.Status.Proxy.Disabled(), w.Status.Profile.Disabled())
	}
	if !strings.HasSuffix(w.Status.Text.Text, "…") {
		t.Errorf("while waiting the status says %q", w.Status.Text.Text)
	}
	test.Tap(w.Status.Copy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != c.State().Addr {
		t.Errorf("Copy address while waiting copied %q, want %q", got, c.State().Addr)
	}
	w.ShowTab(TabLog)
	if w.Tabs.Selected() != w.tabs[TabLog] {
		t.Error("the tabs did not switch while waiting")
	}
	if st := c.State(); st.Running || st.Profile != "Direct" {
		t.Fatalf("something ran before the keychain answered: %+v", st)
	}

	kc.Open()
	settle(w)
	st := c.State()
	if !st.Running || st.Profile != "Other" || st.Err != nil {
		t.Fatalf("once the keychain answered: %+v", st)
	}
	if !w.Status.Proxy.Checked || w.Status.Proxy.Disabled() || w.Status.Profile.Selected != "Other" || w.Status.Profile.Disabled() ||
		!strings.HasPrefix(w.Status.Text.Text, "On at "+st.Addr) {
		t.Errorf("status bar: checked %v disabled %v, profile %q disabled %v, %q",
			w.Status.Proxy.Checked, w.Status.Proxy.Disabled(), w.Status.Profile.Selected, w.Status.Profile.Disabled(), w.Status.Text.Text)
	}
	if f.Dirty() || f.Save.Disabled() || f.Orig() != "Other" || f.Password.PlaceHolder != storedHint() {
		t.Errorf("editor: dirty %v, Save disabled %v, editing %q, placeholder %q", f.Dirty(), f.Save.Disabled(), f.Orig(), f.Password.PlaceHolder)
	}
	controltest.DialAuth(t, st.Addr, controltest.Echo(t), "alice", password).Close()
}
