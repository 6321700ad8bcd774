package control_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/profiles"
)

// TestTestAllUsesTypedThenStoredPasswords: every upstream and route is
// tried; a password typed in the editor wins, else the keychain's is used.
func TestTestAllUsesTypedThenStoredPasswords(t *testing.T) {
	k := controltest.NeedKeychain(t)
	// A live upstream: another controller's engine that wants bob's password.
	upPort := controltest.LiveUpstream(t, "bob", "right")
	c := controltest.New(t)
	p := c.Active()
	live := profiles.Upstream{Name: "live", Host: "127.0.0.1", Port: upPort, Username: "bob"}
	p.Upstreams = []profiles.Upstream{live, {Name: "dead", Host: "127.0.0.1", Port: controltest.FreePort(t)}}
	p.Routes = []profiles.Route{
		{Name: "via-dead", Chain: []string{"dead"}},
		{Name: "via-live", Chain: []string{"live"}},
		{Name: "either", Group: []string{"via-dead", "via-live"}},
	}
	p.DefaultRoute = "either"
	account := profiles.UpstreamAccount(p.Name, live)
	if err := k.Set(account, "right"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(account) })
	echo := controltest.Echo(t)

	for _, sec := range []control.Secrets{{}, {Upstream: []string{"right", ""}}} {
		res, err := c.TestAll(context.Background(), p, sec, echo)
		if err != nil || len(res) != 5 {
			t.Fatalf("TestAll: %d results, %v", len(res), err)
		}
		ok := map[string]bool{}
		for _, r := range res {
			ok[r.Name] = r.Err == nil
		}
		want := map[string]bool{"live": true, "dead": false, "via-dead": false, "via-live": true, "either": true}
		for name, w := range want {
			if ok[name] != w {
				t.Errorf("%s: ok %v, want %v (%+v)", name, ok[name], w, res)
			}
		}
		if res[1].Reply != socks5.ReplyConnectionRefused {
			t.Errorf("dead upstream reply %v: %v", res[1].Reply, res[1].Err)
		}
		if res[4].Via != "via-live" {
			t.Errorf("group carried by %q", res[4].Via)
		}
	}
	// A typed password wins over the stored one.
	res, err := c.TestAll(context.Background(), p, control.Secrets{Upstream: []string{"wrong", ""}}, echo)
	if err != nil || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "authentication failed") {
		t.Fatalf("wrong typed password: %+v %v", res, err)
	}
	if _, err := c.TestAll(context.Background(), p, control.Secrets{}, "no port"); err == nil {
		t.Error("bad target accepted")
	}
}
