package control_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/profiles"
)

func TestProxyOnOffRemembered(t *testing.T) {
	c := controltest.New(t)
	changes := 0
	c.OnChange(func() { changes++ })
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	st := c.State()
	if !st.Running || st.Profile != profiles.BuiltinName {
		t.Fatalf("state after on: %+v", st)
	}
	conn := controltest.Dial(t, st.Addr, controltest.Echo(t))
	conn.Close()
	if !c.Settings().ProxyOnAtStart {
		t.Error("settings do not remember the proxy on")
	}
	if err := c.SetProxy(false); err != nil {
		t.Fatal(err)
	}
	if c.State().Running {
		t.Fatal("still running after off")
	}
	if _, err := net.Dial("tcp", st.Addr); err == nil {
		t.Error("port still open after off")
	}
	if c.Settings().ProxyOnAtStart {
		t.Error("settings still say on")
	}
	if changes < 2 {
		t.Errorf("%d change notifications, want 2", changes)
	}
}

func TestPortInUseReachesUser(t *testing.T) {
	c := controltest.New(t)
	ln, err := net.Listen("tcp", c.State().Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var notices []control.Notice
	c.OnNotice(func(n control.Notice) { notices = append(notices, n) })
	err = c.SetProxy(true)
	if !errors.Is(err, engine.ErrPortInUse) {
		t.Fatalf("SetProxy = %v, want port in use", err)
	}
	if st := c.State(); st.Running || !errors.Is(st.Err, engine.ErrPortInUse) {
		t.Errorf("state %+v", st)
	}
	if len(notices) != 1 || !strings.Contains(notices[0].Text, "port already in use") {
		t.Errorf("notices %+v", notices)
	}
	if lines := c.Log().Lines(0); len(lines) == 0 || !strings.Contains(lines[len(lines)-1].Text, "in use") {
		t.Errorf("log %+v", lines)
	}
}

func TestUseProfileAppliesLive(t *testing.T) {
	c := controltest.New(t)
	other := controltest.AddProfile(t, c, "Other")
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	echo := controltest.Echo(t)
	old := c.State().Addr
	open := controltest.Dial(t, old, echo)
	defer open.Close()
	if err := c.UseProfile("Other"); err != nil {
		t.Fatal(err)
	}
	st := c.State()
	if st.Profile != "Other" || st.Addr != controltest.Addr(other.Port) {
		t.Fatalf("state %+v", st)
	}
	controltest.Dial(t, st.Addr, echo).Close()
	// The connection opened before the switch keeps running.
	if _, err := open.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := open.Read(buf); err != nil || string(buf) != "pong" {
		t.Fatalf("old connection after the switch: %q %v", buf, err)
	}
	if c.Settings().ActiveProfile != "Other" {
		t.Error("active profile not remembered")
	}
	if err := c.UseProfile("Missing"); !errors.Is(err, profiles.ErrNotFound) {
		t.Errorf("UseProfile(Missing) = %v", err)
	}
	if c.State().Profile != "Other" {
		t.Error("a failed switch changed the profile")
	}
}

func TestShareLANRefusedWithoutAuth(t *testing.T) {
	c := controltest.New(t)
	err := c.SetShareLAN(true)
	var inv *profiles.InvalidError
	if !errors.As(err, &inv) || inv.Problems[0].Field != "share_on_lan" {
		t.Fatalf("SetShareLAN = %v", err)
	}
	if c.Active().ShareOnLAN {
		t.Error("refused share changed the profile")
	}
}

func TestSaveProfileWritesFileAndKeychain(t *testing.T) {
	k := controltest.NeedKeychain(t)
	c := controltest.New(t)
	p := controltest.AddProfile(t, c, "Work")
	t.Cleanup(func() { c.Store().Remove("Renamed") })
	p.Username = "alice"
	p.Name = "Renamed"
	if err := c.SaveProfile("Work", p, control.Secrets{Local: "s3cret-pw"}); err != nil {
		t.Fatal(err)
	}
	path, _ := c.Store().Path("Renamed")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "alice") || strings.Contains(string(data), "s3cret-pw") {
		t.Errorf("file:\n%s", data)
	}
	if pw, err := k.Get(profiles.LocalAccount("Renamed")); err != nil || pw != "s3cret-pw" {
		t.Errorf("keychain: %q %v", pw, err)
	}
	if _, err := c.Store().Load("Work"); !errors.Is(err, profiles.ErrNotFound) {
		t.Errorf("old name still loads: %v", err)
	}
	p.Port = 0
	var inv *profiles.InvalidError
	if err := c.SaveProfile("Renamed", p, control.Secrets{}); !errors.As(err, &inv) {
		t.Errorf("invalid save = %v", err)
	}
}

func TestRouteTest(t *testing.T) {
	c := controltest.New(t)
	p := c.Active()
	res, err := c.TestRoute(context.Background(), p, control.Secrets{}, controltest.Echo(t))
	if err != nil || res.Err != nil || res.Reply != socks5.ReplySucceeded {
		t.Fatalf("direct to echo: %+v %v", res, err)
	}
	if !strings.HasPrefix(res.String(), "connected in ") {
		t.Errorf("String = %q", res)
	}
	closed := controltest.Addr(controltest.FreePort(t))
	res, err = c.TestRoute(context.Background(), p, control.Secrets{}, closed)
	if err != nil || res.Reply != socks5.ReplyConnectionRefused {
		t.Fatalf("refused: %+v %v", res, err)
	}
	if !strings.Contains(res.String(), "reply 0x05 (connection refused)") {
		t.Errorf("String = %q", res)
	}
	// Through an upstream that is not there: the upstream's failure.
	p.Upstreams = []profiles.Upstream{{Host: "127.0.0.1", Port: controltest.FreePort(t)}}
	res, err = c.TestRoute(context.Background(), p, control.Secrets{}, "example.org:443")
	if err != nil || res.Err == nil || !strings.Contains(res.Err.Error(), "upstream") {
		t.Fatalf("dead upstream: %+v %v", res, err)
	}
	if _, err := c.TestRoute(context.Background(), p, control.Secrets{}, "no port"); err == nil {
		t.Error("bad target accepted")
	}
}

func TestUpstreamAuthFailureReported(t *testing.T) {
	// An upstream (another controller's engine) that demands a password
	// the route does not have.
	upPort := controltest.LiveUpstream(t, "bob", "right")
	c := controltest.New(t)
	p := c.Active()
	p.Upstreams = []profiles.Upstream{{Host: "127.0.0.1", Port: upPort, Username: "bob"}}
	res, err := c.TestRoute(context.Background(), p, control.Secrets{Upstream: []string{"wrong"}}, controltest.Echo(t))
	if err != nil || res.Err == nil || !strings.Contains(res.Err.Error(), "authentication failed") {
		t.Fatalf("wrong password: %+v %v", res, err)
	}
	res, err = c.TestRoute(context.Background(), p, control.Secrets{Upstream: []string{"right"}}, controltest.Echo(t))
	if err != nil || res.Err != nil {
		t.Fatalf("right password: %+v %v", res, err)
	}
}

func TestBrokenFileOnDiskReported(t *testing.T) {
	c := controltest.New(t)
	got := make(chan control.Notice, 4)
	c.OnNotice(func(n control.Notice) { got <- n })
	path, _ := c.Store().Path(profiles.BuiltinName)
	if err := os.WriteFile(path, []byte("version = 1\nport = \"many\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-got:
		if !strings.Contains(n.Text, path+":2") || !strings.Contains(n.Text, "last good version") {
			t.Errorf("notice %q", n.Text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notice for a broken file")
	}
	if c.Active().Port == 0 {
		t.Error("broken file replaced the profile in force")
	}
}

// An edit on disk that cannot be applied (its port is taken) is reported,
// and the last version stays in force and keeps listening; the next good
// edit is applied. The controller puts edits in force through
// profiles.Follower.Handle, as serve does.
func TestDiskEditNotAppliedKeepsLast(t *testing.T) {
	c := controltest.New(t)
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	before := c.State().Addr
	got := make(chan control.Notice, 4)
	c.OnNotice(func(n control.Notice) { got <- n })
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	p := c.Active()
	lastPort := p.Port
	path, _ := c.Store().Path(p.Name)
	p.Port = taken.Addr().(*net.TCPAddr).Port
	if err := os.WriteFile(path, p.Encode(), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-got:
		if !strings.Contains(n.Text, "changed on disk but was not applied") {
			t.Errorf("notice %q", n.Text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notice for an edit that could not be applied")
	}
	if st := c.State(); st.Addr != before || c.Active().Port != lastPort {
		t.Fatalf("after the failed edit: listening on %s, profile port %d; want %s, %d", st.Addr, c.Active().Port, before, lastPort)
	}
	controltest.Dial(t, before, controltest.Echo(t)).Close()

	p.Port = controltest.FreePort(t)
	if err := os.WriteFile(path, p.Encode(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := settled(func() error {
		if c.Active().Port != p.Port {
			return fmt.Errorf("profile port %d, want %d after a good edit", c.Active().Port, p.Port)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	controltest.Dial(t, c.State().Addr, controltest.Echo(t)).Close()
}

// TestShareLANKeepsOpenConnections turns sharing on with the proxy running
// on the same port: the listener moves to all interfaces and a connection
// opened before goes on.
func TestShareLANKeepsOpenConnections(t *testing.T) {
	controltest.NeedKeychain(t)
	c := controltest.New(t)
	p := controltest.AddProfile(t, c, "Shared")
	p.Username = "lan-user"
	if err := c.SaveProfile("Shared", p, control.Secrets{Local: "lan-pass-1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UseProfile("Shared"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	echo := controltest.Echo(t)
	_, port, _ := net.SplitHostPort(c.State().Addr)
	open := controltest.DialAuth(t, c.State().Addr, echo, "lan-user", "lan-pass-1")
	defer open.Close()
	if err := c.SetShareLAN(true); err != nil {
		t.Fatalf("SetShareLAN: %v", err)
	}
	if !c.Active().ShareOnLAN {
		t.Fatal("profile not shared")
	}
	if _, p2, _ := net.SplitHostPort(c.State().Addr); p2 != port {
		t.Fatalf("port changed from %s to %s", port, p2)
	}
	if _, err := open.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	open.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := open.Read(buf); err != nil || string(buf) != "ping" {
		t.Fatalf("connection opened before sharing: %q %v", buf, err)
	}
}

// TestGroupSwitchNotified: when a group of routes moves past a dead member,
// the user hears of it.
func TestGroupSwitchNotified(t *testing.T) {
	c := controltest.New(t)
	p := controltest.AddProfile(t, c, "grouped")
	p.Upstreams = []profiles.Upstream{{Name: "dead", Host: "127.0.0.1", Port: controltest.FreePort(t)}}
	p.Routes = []profiles.Route{
		{Name: "via-dead", Chain: []string{"dead"}},
		{Name: "auto", Group: []string{"via-dead", "direct"}},
	}
	p.DefaultRoute = "auto"
	if err := c.SaveProfile(p.Name, p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	got := make(chan control.Notice, 10)
	c.OnNotice(func(n control.Notice) { got <- n })
	if err := c.UseProfile("grouped"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	conn := controltest.Dial(t, c.State().Addr, controltest.Echo(t))
	conn.Close()
	want := `Route "auto" now goes through "direct" (was "via-dead")`
	for deadline := time.After(5 * time.Second); ; {
		select {
		case n := <-got:
			if n.Text == want {
				return
			}
		case <-deadline:
			t.Fatalf("no notice %q", want)
		}
	}
}
