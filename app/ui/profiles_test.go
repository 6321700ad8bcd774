package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/profiles"
)

func TestProfileFormShowsValidatorMessages(t *testing.T) {
	w, _ := newWindow(t)
	f := w.Profiles.Form
	if f.FieldError("port") != "" || f.Save.Disabled() {
		t.Fatalf("fresh form: port error %q, save disabled %v", f.FieldError("port"), f.Save.Disabled())
	}
	f.Port.SetText("")
	test.Type(f.Port, "0")
	if got := f.FieldError("port"); got != "0 is not a port (1–65535)" {
		t.Errorf("port error %q", got)
	}
	if !f.Save.Disabled() || !f.Dirty() {
		t.Error("an invalid form can be saved, or is not dirty")
	}
	test.Type(f.Port, "80")
	if f.FieldError("port") != "" {
		t.Errorf("port 080 still wrong: %q", f.FieldError("port"))
	}
	// The validator's own message for a LAN share without a password.
	test.Tap(f.ShareOnLAN)
	want := &profiles.Profile{}
	*want = *profiles.New("x")
	want.ShareOnLAN = true
	var wantMsg string
	if err, ok := want.Validate().(*profiles.InvalidError); ok {
		for _, p := range err.Problems {
			if p.Field == "share_on_lan" {
				wantMsg = p.Msg
			}
		}
	}
	if wantMsg == "" || f.FieldError("share_on_lan") != wantMsg {
		t.Errorf("share_on_lan error %q, want %q", f.FieldError("share_on_lan"), wantMsg)
	}
	test.Type(f.Allow, "10.1.2.0/24\nnot-a-net")
	if got := f.FieldError("allow"); !strings.Contains(got, `"not-a-net" is not a CIDR`) {
		t.Errorf("allow error %q", got)
	}
	test.Tap(f.Upstreams.Add)
	row := f.Upstreams.Rows[0]
	if !row.Errors.Visible() || !strings.Contains(row.Errors.Text, "host: empty") {
		t.Errorf("upstream errors %q", row.Errors.Text)
	}
}

func TestProfileFormSavesFileAndKeychain(t *testing.T) {
	k := controltest.NeedKeychain(t)
	w, c := newWindow(t)
	s := w.Profiles
	test.Tap(s.New)
	drain(&s.jobs)
	if s.Form.Orig() != "New profile" {
		t.Fatalf("editing %q after New", s.Form.Orig())
	}
	f := s.Form
	f.Name.SetText("")
	test.Type(f.Name, "Work")
	f.Port.SetText("")
	test.Type(f.Port, "18080")
	test.Type(f.Username, "alice")
	test.Type(f.Password, "correct horse")
	test.Tap(f.Upstreams.Add)
	up := f.Upstreams.Rows[0]
	test.Type(up.Host, "127.0.0.1")
	up.Port.SetText("")
	test.Type(up.Port, "1081")
	test.Type(up.Username, "bob")
	test.Type(up.Password, "battery staple")
	t.Cleanup(func() { c.Store().Remove("Work") })
	tapAndWait(t, s, f.Save)
	if f.Error.Visible() || f.Dirty() {
		t.Fatalf("not saved: %q", f.Error.Text)
	}
	path, _ := c.Store().Path("Work")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.Contains(text, "alice") || !strings.Contains(text, "18080") || !strings.Contains(text, "bob") {
		t.Errorf("file:\n%s", text)
	}
	if strings.Contains(text, "correct horse") || strings.Contains(text, "battery staple") {
		t.Fatalf("a password is in the file:\n%s", text)
	}
	if pw, err := k.Get(profiles.LocalAccount("Work")); err != nil || pw != "correct horse" {
		t.Errorf("local password in keychain: %v", err)
	}
	if pw, err := k.Get(profiles.UpstreamAccount("Work", profiles.Upstream{Host: "127.0.0.1", Port: 1081, Username: "bob"})); err != nil || pw != "battery staple" {
		t.Errorf("upstream password in keychain: %v", err)
	}
	if f.Password.Text != "" || !strings.Contains(f.Password.PlaceHolder, "stored in the keychain") {
		t.Errorf("password field after save: %d chars, placeholder %q", len(f.Password.Text), f.Password.PlaceHolder)
	}
	if _, err := c.Store().Load("New profile"); err == nil {
		t.Error("the profile was copied, not renamed")
	}
}

func TestUnsavedChangesAsk(t *testing.T) {
	w, c := newWindow(t)
	controltest.AddProfile(t, c, "Other")
	s := w.Profiles
	s.Refresh()
	drain(&s.jobs)
	s.Form.IdleTimeout.SetText("")
	test.Type(s.Form.IdleTimeout, "5m")
	s.Select("Other")
	if s.Prompt == nil || s.Form.Orig() != "Direct" || s.Form.IdleTimeout.Text != "5m" {
		t.Fatalf("switched without asking: editing %q", s.Form.Orig())
	}
	test.Tap(s.Prompt.Cancel)
	if s.selected != "Direct" || !s.Form.Dirty() {
		t.Fatal("Cancel lost the changes")
	}
	s.Select("Other")
	test.Tap(s.Prompt.Discard)
	drain(&s.jobs)
	if s.Form.Orig() != "Other" || s.Form.Dirty() {
		t.Fatalf("Discard: editing %q, dirty %v", s.Form.Orig(), s.Form.Dirty())
	}
	// Save from the question saves, then switches.
	s.Form.IdleTimeout.SetText("")
	test.Type(s.Form.IdleTimeout, "7m")
	s.Select("Direct")
	tapAndWait(t, s, s.Prompt.Save)
	if s.Form.Orig() != "Direct" {
		t.Fatalf("editing %q after Save", s.Form.Orig())
	}
	if p, err := c.Store().Load("Other"); err != nil || p.IdleTimeout.String() != "7m0s" {
		t.Errorf("Other after save: %+v %v", p, err)
	}
}

func TestRouteTestButton(t *testing.T) {
	w, _ := newWindow(t)
	s := w.Profiles
	done := make(chan struct{}, 1)
	s.afterTest = func() { done <- struct{}{} }
	test.Type(s.TestTarget, controltest.Echo(t))
	test.Tap(s.Test)
	<-done
	if !strings.HasPrefix(s.TestResult.Text, "connected in ") {
		t.Errorf("result %q", s.TestResult.Text)
	}
	s.TestTarget.SetText(controltest.Addr(controltest.FreePort(t)))
	test.Tap(s.Test)
	<-done
	if !strings.Contains(s.TestResult.Text, "reply 0x05 (connection refused)") {
		t.Errorf("result %q", s.TestResult.Text)
	}
}

func TestBrokenProfileFileShown(t *testing.T) {
	w, c := newWindow(t)
	path, _ := c.Store().Path("Broken")
	if err := os.WriteFile(path, []byte("version = 1\nport = [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := w.Profiles
	s.Refresh()
	s.Select("Broken")
	drain(&s.jobs)
	if !s.Broken.Visible() || !strings.Contains(s.Broken.Text, path) || s.formBox.Visible() {
		t.Errorf("broken file: %q", s.Broken.Text)
	}
}

// TestProfileFormKeepsRouting: what the form does not show (routes, rules,
// the upstreams' names and kinds) survives an edit of what it does.
func TestProfileFormKeepsRouting(t *testing.T) {
	w, _ := newWindow(t)
	f := w.Profiles.Form
	p := profiles.New("routed")
	p.Upstreams = []profiles.Upstream{{Name: "office", Kind: profiles.KindSSH, Host: "ssh.example", Port: 22, Username: "me", KeyFile: "~/.ssh/id"}}
	p.Routes = []profiles.Route{{Name: "work", Chain: []string{"office"}}}
	p.Rules = []string{"DOMAIN-SUFFIX,corp.example,work"}
	p.DefaultRoute = "direct"
	f.load(p, profiles.Version{}, "", []string{""})
	f.Port.SetText("1090")
	f.Upstreams.Rows[0].Port.SetText("2222")
	got, _, ps := f.read()
	if len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	want := p.Clone()
	want.Port, want.Upstreams[0].Port = 1090, 2222
	if got.Port != 1090 || got.Upstreams[0] != want.Upstreams[0] || len(got.Routes) != 1 || got.Routes[0].Name != "work" ||
		len(got.Rules) != 1 || got.DefaultRoute != "direct" {
		t.Errorf("read after an edit: %+v\nwant %+v", got, want)
	}
}
