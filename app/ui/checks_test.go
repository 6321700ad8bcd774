package ui

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"golang.org/x/crypto/ssh"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/internal/sshdtest"
	"github.com/sockstray/sockstray/profiles"
)

// ask types target into the Which route? box, asks, and waits for the
// answer computed off the UI goroutine.
func ask(t *testing.T, w *WhichRoute, target string) string {
	t.Helper()
	done := make(chan struct{}, 1)
	w.afterShow = func() { done <- struct{}{} }
	defer func() { w.afterShow = nil }()
	w.Target.SetText(target)
	test.Tap(w.Ask)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer within 10s")
	}
	return w.Result.Text
}

// TestWhichRouteOnTypedProfile: the box answers for the profile as typed,
// unsaved edits and its rule list file included.
func TestWhichRouteOnTypedProfile(t *testing.T) {
	w, _ := newWindow(t)
	f := w.Profiles.Form
	loadWork(t, f)
	list := filepath.Join(t.TempDir(), "ads.list")
	if err := os.WriteFile(list, []byte("# ads\nDOMAIN-SUFFIX,ads.example\nDOMAIN-KEYWORD,tracker,direct\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// An unsaved edit: the list is read from where the form says now.
	f.Rules.Lists.Items[0].V.File.SetText(list)
	which := f.Which

	got := ask(t, which, "www.corp.example.com:443")
	for _, want := range []string{
		"Rule: DOMAIN-SUFFIX,corp.example.com (written in rules[1])",
		"Route: work",
		"work: failover group of office-ssh, backup-chain",
		"office-ssh: chain corp-proxy (http alice@proxy.corp.example.com:3128) → office (ssh alice@ssh.corp.example.com:22)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("www.corp.example.com: %q lacks %q", got, want)
		}
	}
	if got := ask(t, which, "x.ads.example:443"); !strings.Contains(got, "Rule: DOMAIN-SUFFIX,ads.example (written in ads.list:2)") || !strings.Contains(got, "Route: block") {
		t.Errorf("x.ads.example: %q", got)
	}
	if got := ask(t, which, "other.example:80"); !strings.Contains(got, "Rule: none matched, so the default route") || !strings.Contains(got, "Route: direct") {
		t.Errorf("other.example: %q", got)
	}
	// The default as picked, not saved, and a rule for UDP only.
	f.Rules.Default.SetSelected("work")
	if got := ask(t, which, "other.example:80"); !strings.Contains(got, "Route: work") {
		t.Errorf("other.example after picking the default work: %q", got)
	}
	// A rule for UDP only, moved first: first match wins.
	test.Tap(f.Rules.AddRule)
	f.Rules.Lines.Items[3].V.Line.SetText("NETWORK,udp,block")
	for i := 3; i > 0; i-- {
		test.Tap(f.Rules.Lines.Items[i].Up)
	}
	if got := ask(t, which, "10.20.1.1:53"); !strings.Contains(got, "Rule: IP-CIDR,10.20.0.0/16 (written in rules[3])") {
		t.Errorf("10.20.1.1:53 over TCP: %q", got)
	}
	test.Tap(which.UDP)
	if got := ask(t, which, "10.20.1.1:53"); !strings.Contains(got, "Rule: NETWORK,udp (written in rules[1])") || !strings.Contains(got, "Route: block") {
		t.Errorf("10.20.1.1:53 over UDP: %q", got)
	}
	// Answers that need no work come at once.
	which.Target.SetText("no port")
	test.Tap(which.Ask)
	if got := which.Result.Text; !strings.Contains(got, "want HOST:PORT") {
		t.Errorf("bad target: %q", got)
	}
	f.Rules.Lines.Items[0].V.Line.SetText("NETWORK")
	which.Target.SetText("x.example:1")
	test.Tap(which.Ask)
	if got := which.Result.Text; got != "Fix the profile's problems first." {
		t.Errorf("invalid profile: %q", got)
	}
}

// TestTestAllShowsEachUpstreamAndRoute: a live upstream (another
// controller's engine on loopback, wanting a password, which is typed in
// its row) and a dead one (a closed loopback port), each alone and in
// routes; one line each, ok or the precise failure.
func TestTestAllShowsEachUpstreamAndRoute(t *testing.T) {
	upPort := controltest.LiveUpstream(t, "bob", "right")
	w, _ := newWindow(t)
	s := w.Profiles
	p := profiles.New("tested")
	p.Upstreams = []profiles.Upstream{
		{Name: "live", Host: "127.0.0.1", Port: upPort, Username: "bob"},
		{Name: "dead", Host: "127.0.0.1", Port: controltest.FreePort(t)},
	}
	p.Routes = []profiles.Route{
		{Name: "via-live", Chain: []string{"live"}},
		{Name: "via-dead", Chain: []string{"dead"}},
		{Name: "either", Group: []string{"via-dead", "via-live"}},
	}
	s.Form.load(p, profiles.Version{}, "", []string{"", ""})
	test.Type(s.Form.Upstreams.Rows[0].Password, "right")
	ta := s.TestAll
	if ta.Target.Text != profiles.DefaultTestTarget {
		t.Errorf("target at first %q", ta.Target.Text)
	}
	ta.Target.SetText(controltest.Echo(t))
	done := make(chan struct{}, 1)
	ta.afterShow = func() { done <- struct{}{} }
	test.Tap(ta.Run)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("no results within 20s")
	}
	lines := ta.Lines()
	want := []string{
		"upstream live (socks5 bob@127.0.0.1:", "upstream dead (socks5 127.0.0.1:",
		"route via-live (chain live (socks5 bob@", "route via-dead (chain dead (", "route either (failover group of 2): ok in ",
	}
	if len(lines) != len(want) {
		t.Fatalf("lines:\n%s", strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		ok := !strings.Contains(l, "dead")
		if !strings.HasPrefix(l, want[i]) || strings.Contains(l, "): ok in ") != ok {
			t.Errorf("line %d: %q", i+1, l)
		}
		if !ok && !strings.Contains(l, "reply 0x05 (connection refused)") {
			t.Errorf("line %d lacks the reply: %q", i+1, l)
		}
	}
	if !strings.HasSuffix(lines[4], " via via-live") {
		t.Errorf("group line: %q", lines[4])
	}
}

// TestTestAllTrustsAnUnknownHostKey: an SSH upstream whose host key is not
// in known_hosts is refused with its fingerprint; the user checks it,
// trusts it, and the test passes.
func TestTestAllTrustsAnUnknownHostKey(t *testing.T) {
	s := sshdtest.Start(t)
	known := filepath.Join(t.TempDir(), "known_hosts") // empty: the key is unknown
	w, _ := newWindow(t)
	host, port, _ := net.SplitHostPort(s.Addr)
	p := profiles.New("ssh")
	portN, _ := strconv.Atoi(port)
	p.Upstreams = []profiles.Upstream{{Name: "office", Kind: profiles.KindSSH, Host: host, Port: portN,
		Username: "root", KeyFile: s.KeyFile, KnownHosts: known}}
	w.Profiles.Form.load(p, profiles.Version{}, "", []string{""})
	ta := w.Profiles.TestAll
	ta.Target.SetText(controltest.Echo(t))
	done := make(chan struct{}, 4)
	ta.afterShow = func() { done <- struct{}{} }
	run := func() {
		t.Helper()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("no results within 20s")
		}
	}
	test.Tap(ta.Run)
	run()
	fp := ssh.FingerprintSHA256(s.HostKey)
	if l := ta.Lines()[0]; !strings.Contains(l, "failed") || !strings.Contains(l, fp) || len(ta.Trust) != 1 {
		t.Fatalf("unknown key: %q, %d trust buttons", l, len(ta.Trust))
	}
	test.Tap(ta.Trust[0])
	if ta.confirm == nil {
		t.Fatal("no question before trusting")
	}
	ta.confirm.Confirm()
	run()
	if l := ta.Lines()[0]; !strings.Contains(l, "ok in") {
		t.Errorf("after trusting: %q", l)
	}
	data, _ := os.ReadFile(known)
	if !strings.Contains(string(data), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.HostKey)))) {
		t.Errorf("known_hosts lacks the key:\n%s", data)
	}
}
