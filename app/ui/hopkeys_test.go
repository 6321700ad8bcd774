package ui

import (
	"crypto/rand"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/profiles"
)

// TestChangedHopAsksForItsPassword: the keychain holds a password per
// upstream, so a row whose host changes says that it needs its own, and
// after the save the form says which upstream has none.
func TestChangedHopAsksForItsPassword(t *testing.T) {
	k := controltest.NeedKeychain(t)
	w, c := newWindow(t)
	s := w.Profiles
	p := controltest.AddProfile(t, c, "Hops")
	t.Cleanup(func() { c.Store().Remove("Hops") })
	a := profiles.Upstream{Host: "a.example", Port: 1080, Username: "alice"}
	b := profiles.Upstream{Host: "b.example", Port: 1081, Username: "bob"}
	p.Upstreams = []profiles.Upstream{a, b}
	if err := c.Store().Save(p); err != nil {
		t.Fatal(err)
	}
	for _, u := range p.Upstreams {
		if err := k.Set(profiles.UpstreamAccount("Hops", u), rand.Text()); err != nil {
			t.Fatal(err)
		}
	}
	s.Refresh()
	s.Select("Hops")
	drain(&s.jobs)
	f := s.Form
	if f.Orig() != "Hops" || len(f.Upstreams.Rows) != 2 || f.Error.Visible() {
		t.Fatalf("editing %q, %d rows, error %q", f.Orig(), len(f.Upstreams.Rows), f.Error.Text)
	}
	row := f.Upstreams.Rows[1]
	stored := row.Password.PlaceHolder
	test.Type(row.Host, "2")
	if row.Password.PlaceHolder != "other server or user: type its password" {
		t.Errorf("placeholder after the host changed: %q", row.Password.PlaceHolder)
	}
	row.Host.SetText("b.example")
	if row.Password.PlaceHolder != stored {
		t.Errorf("placeholder back on the loaded host: %q, want %q", row.Password.PlaceHolder, stored)
	}
	row.Host.SetText("proxy2.example")
	tapAndWait(t, s, f.Save)
	want := "upstream 2 (bob@proxy2.example:1081) has no password in the keychain: type it in its row"
	if !f.Error.Visible() || !strings.Contains(f.Error.Text, want) {
		t.Errorf("after the save the form says %q, want %q", f.Error.Text, want)
	}
	if !strings.Contains(f.Upstreams.Rows[0].Password.PlaceHolder, "stored in the keychain") {
		t.Errorf("hop 1 lost its password: %q", f.Upstreams.Rows[0].Password.PlaceHolder)
	}
}
