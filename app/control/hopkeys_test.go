package control_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/profiles"
)

// TestSaveProfileKeepsEachHopsPassword: an upstream that demands bob's
// password is hop 2 of [A, B]; once hop A is removed, the route sends B
// its own password (with positional accounts it got A's), and once B's
// host changes it has none, and the test says so.
func TestSaveProfileKeepsEachHopsPassword(t *testing.T) {
	k := controltest.NeedKeychain(t)
	pwA, pwB := rand.Text(), rand.Text()
	upPort := controltest.LiveUpstream(t, "bob", pwB)

	c := controltest.New(t)
	p := controltest.AddProfile(t, c, "Chain")
	t.Cleanup(func() { c.Store().Remove("Chain") })
	a := profiles.Upstream{Host: "127.0.0.1", Port: controltest.FreePort(t), Username: "alice"}
	b := profiles.Upstream{Host: "127.0.0.1", Port: upPort, Username: "bob"}
	p.Upstreams = []profiles.Upstream{a, b}
	if err := c.SaveProfile("Chain", p, control.Secrets{Upstream: []string{pwA, pwB}}); err != nil {
		t.Fatal(err)
	}
	p.Upstreams = []profiles.Upstream{b}
	if err := c.SaveProfile("Chain", p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.TestRoute(context.Background(), p, control.Secrets{}, controltest.Echo(t))
	if err != nil || res.Err != nil {
		t.Fatalf("B alone, with its stored password: %+v %v", res, err)
	}
	if _, err := k.Get(profiles.UpstreamAccount("Chain", a)); !errors.Is(err, profiles.ErrNoPassword) {
		t.Errorf("removed hop A's password is still in the keychain (%v)", err)
	}

	p.Upstreams[0].Host = "localhost"
	if err := c.SaveProfile("Chain", p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TestRoute(context.Background(), p, control.Secrets{}, controltest.Echo(t))
	want := "upstream 1 (bob@localhost:" + strings.TrimPrefix(controltest.Addr(upPort), "127.0.0.1:") + ") has no password in the keychain"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("B moved to another host: %v; want %q", err, want)
	}
}
