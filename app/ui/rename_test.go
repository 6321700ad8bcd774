package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// retype clears e and types name key by key, as a user would.
func retype(e *widget.Entry, name string) {
	e.SetText("")
	test.Type(e, name)
}

// TestRenamesFollow: renaming an upstream or a route in the editor
// renames what refers to it (hops, group members, rules, lists, the
// default), so the profile stays valid; references to a name another row
// has, or to a built-in route, are left alone.
func TestRenamesFollow(t *testing.T) {
	w, _ := newWindow(t)
	f := w.Profiles.Form
	p := loadWork(t, f)

	retype(f.Upstreams.Rows[1].Name, "bastion")
	retype(f.Routes.Rows[0].Name, "ssh-path")
	retype(f.Routes.Rows[1].Name, "job")
	want := p.Clone()
	want.Upstreams[1].Name = "bastion"
	want.Routes[0].Name, want.Routes[0].Chain = "ssh-path", []string{"corp-proxy", "bastion"}
	want.Routes[1].Name, want.Routes[1].Group = "job", []string{"ssh-path", "backup-chain"}
	want.Rules = []string{"DOMAIN-SUFFIX,corp.example.com,job", "IP-CIDR,10.20.0.0/16,job,no-resolve", "DOMAIN-KEYWORD,adservice,block"}
	got, _, ps := f.read()
	if len(ps) > 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("after renames: %v\n got %+v\nwant %+v", ps, got, want)
	}
	if err := got.Validate(); err != nil || f.Save.Disabled() {
		t.Fatalf("renamed profile: %v, save disabled %v", err, f.Save.Disabled())
	}

	// A route list and the default follow too; the built-in names do not
	// move when a route is typed through them.
	f.Rules.Lists.Values()[0].Route.SetText("job")
	f.Rules.def = "job"
	retype(f.Routes.Rows[1].Name, "work")
	if l := f.Rules.Lists.Values()[0].Route.Text; l != "work" || f.Rules.def != "work" {
		t.Errorf("list route %q, default %q after renaming job to work", l, f.Rules.def)
	}
	retype(f.Routes.Rows[2].Name, "directly")
	if g := f.Routes.Rows[1].Group.names(); !reflect.DeepEqual(g, []string{"ssh-path", "directly"}) {
		t.Errorf("group after renaming backup-chain to directly: %v", g)
	}
	retype(f.Routes.Rows[2].Name, "blocked")
	if line := f.Rules.Lines.Values()[2].Line.Text; line != "DOMAIN-KEYWORD,adservice,block" {
		t.Errorf("renaming a route typed through \"block\" changed a rule to %q", line)
	}
	if g := f.Routes.Rows[1].Group.names(); !reflect.DeepEqual(g, []string{"ssh-path", "blocked"}) {
		t.Errorf("group after renaming directly to blocked: %v", g)
	}

	// An upstream renamed to a name another has: the hops do not jump to
	// the other upstream's name.
	retype(f.Upstreams.Rows[2].Name, "corp-proxy")
	if hops := f.Routes.Rows[0].Chain.names(); !reflect.DeepEqual(hops, []string{"corp-proxy", "bastion"}) {
		t.Errorf("other chain changed: %v", hops)
	}
	if hops := f.Routes.Rows[2].Chain.names(); reflect.DeepEqual(hops, []string{"corp-proxy"}) {
		t.Error("a chain's hop now names another upstream")
	}
}
