package ui

import (
	"cmp"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/profiles"
)

// loadWork shows profiles/testdata/work.toml, the README's example, in f.
func loadWork(t *testing.T, f *ProfileForm) *profiles.Profile {
	t.Helper()
	data, err := os.ReadFile("../../profiles/testdata/work.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Decode("work", "work.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	f.load(p, profiles.Version{}, "", make([]string, len(p.Upstreams)))
	return p
}

// validatorSays is the validator's message about field in p.
func validatorSays(t *testing.T, p *profiles.Profile, field string) string {
	t.Helper()
	var inv *profiles.InvalidError
	if err := p.Validate(); errors.As(err, &inv) {
		for _, pr := range inv.Problems {
			if pr.Field == field {
				return pr.Msg
			}
		}
	}
	t.Fatalf("the validator says nothing about %s", field)
	return ""
}

// TestRoutingEditorsShowAndEditWork: every upstream, route, rule, rule
// list and the default of work.toml are shown; edits read back as exactly
// those edits; the validator's messages show under the row they are about.
func TestRoutingEditorsShowAndEditWork(t *testing.T) {
	w, _ := newWindow(t)
	f := w.Profiles.Form
	p := loadWork(t, f)
	if f.Dirty() || f.Save.Disabled() || f.Error.Visible() {
		t.Fatalf("loaded: dirty %v, save disabled %v, error %q", f.Dirty(), f.Save.Disabled(), f.Error.Text)
	}

	// Upstreams: name, kind, and only that kind's files.
	if len(f.Upstreams.Rows) != 3 {
		t.Fatalf("%d upstream rows", len(f.Upstreams.Rows))
	}
	for i, u := range p.Upstreams {
		r := f.Upstreams.Rows[i]
		if r.Name.Text != u.Name || r.Kind.Selected != cmp.Or(u.Kind, profiles.KindSOCKS5) || r.Host.Text != u.Host || r.Username.Text != u.Username {
			t.Errorf("upstream %d shows %q %q %q %q, want %+v", i+1, r.Name.Text, r.Kind.Selected, r.Host.Text, r.Username.Text, u)
		}
		isSSH := u.Kind == profiles.KindSSH
		if r.KeyFile.Visible() != isSSH || r.KnownHosts.Visible() != isSSH || r.CAFile.Visible() {
			t.Errorf("upstream %d (%s): key file shown %v, known_hosts %v, CA file %v", i+1, u.Kind, r.KeyFile.Visible(), r.KnownHosts.Visible(), r.CAFile.Visible())
		}
	}
	office := f.Upstreams.Rows[1]
	if office.KeyFile.Text != "~/.ssh/id_ed25519" || office.Password.PlaceHolder != "login password or key passphrase (optional)" {
		t.Errorf("ssh row: key %q, password placeholder %q", office.KeyFile.Text, office.Password.PlaceHolder)
	}
	office.Kind.SetSelected(profiles.KindHTTPS)
	if !office.CAFile.Visible() || office.KeyFile.Visible() {
		t.Error("https row does not show just the CA file")
	}
	office.Kind.SetSelected(profiles.KindSSH)

	// Routes: chains and groups, members in order.
	if len(f.Routes.Rows) != 3 {
		t.Fatalf("%d route rows", len(f.Routes.Rows))
	}
	for i, rt := range p.Routes {
		r := f.Routes.Rows[i]
		m := r.Chain
		if len(rt.Group) > 0 {
			m = r.Group
		}
		if r.Name.Text != rt.Name || r.isGroup() != (len(rt.Group) > 0) || !reflect.DeepEqual(m.names(), append(rt.Chain, rt.Group...)) {
			t.Errorf("route %d shows %q group %v %v, want %+v", i+1, r.Name.Text, r.isGroup(), m.names(), rt)
		}
	}
	work := f.Routes.Rows[1]
	if !work.policyLine.Visible() || work.Policy.SelectedIndex() != 0 || f.Routes.Rows[0].policyLine.Visible() {
		t.Error("a group's policy is not shown, or a chain's is")
	}
	if got := f.Routes.Rows[0].Chain.choices; !reflect.DeepEqual(got, []string{"corp-proxy", "office", "backup"}) {
		t.Errorf("a chain offers %v", got)
	}

	// Rules, lists, default.
	var lines []string
	for _, r := range f.Rules.Lines.Values() {
		lines = append(lines, r.Line.Text)
	}
	if !reflect.DeepEqual(lines, p.Rules) {
		t.Errorf("rules shown %q", lines)
	}
	if l := f.Rules.Lists.Values(); len(l) != 1 || l[0].File.Text != "ads.list" || l[0].Route.Text != "block" {
		t.Errorf("rule lists shown %d", len(l))
	}
	if f.Rules.Default.Selected != "direct" {
		t.Errorf("default shown %q", f.Rules.Default.Selected)
	}

	// Untouched, the form reads back the file's profile exactly.
	got, _, ps := f.read()
	if len(ps) > 0 || !reflect.DeepEqual(got, p) {
		t.Fatalf("read without edits: %v\n got %+v\nwant %+v", ps, got, p)
	}

	// Edit a rule and a route: the profile read has exactly those edits.
	rule := f.Rules.Lines.Items[1].V.Line
	rule.SetText("")
	test.Type(rule, "IP-CIDR,10.30.0.0/16,work,no-resolve")
	work.Policy.SetSelectedIndex(1)
	test.Tap(work.Group.list.Items[0].Down)
	want := p.Clone()
	want.Rules[1] = "IP-CIDR,10.30.0.0/16,work,no-resolve"
	want.Routes[1].Group, want.Routes[1].Policy = []string{"backup-chain", "office-ssh"}, profiles.PolicyFastest
	got, _, ps = f.read()
	if len(ps) > 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("read after edits: %v\n got %+v\nwant %+v", ps, got, want)
	}
	if !f.Dirty() || f.Save.Disabled() {
		t.Errorf("after valid edits: dirty %v, save disabled %v", f.Dirty(), f.Save.Disabled())
	}

	// A bad rule line: the validator's message under that line.
	bad := f.Rules.Lines.Items[2].V
	bad.Line.SetText("DOMAIN-KEYWORD")
	badP := want.Clone()
	badP.Rules[2] = "DOMAIN-KEYWORD"
	if msg := validatorSays(t, badP, "rules[3]"); !bad.Errors.Visible() || bad.Errors.Text != msg {
		t.Errorf("bad rule shows %q, want %q", bad.Errors.Text, msg)
	}
	if !f.Save.Disabled() || f.tabOf[sectionRules].Icon == nil {
		t.Error("a bad rule can be saved, or its tab is not marked")
	}
	bad.Line.SetText("DOMAIN-KEYWORD,adservice,block")

	// A chain naming an upstream that does not exist.
	hop := f.Routes.Rows[0].Chain.Entries()[1]
	hop.SetText("nowhere")
	errs := f.Routes.Rows[0].Errors
	if !errs.Visible() || errs.Text != `chain[2]: "nowhere" is not the name of an upstream here` {
		t.Errorf("missing upstream: %q", errs.Text)
	}
	hop.SetText("office")
	if errs.Visible() || f.tabOf[sectionRoutes].Icon != nil {
		t.Errorf("fixed chain still shows %q", errs.Text)
	}

	// Removing an upstream that a route uses: the route says so.
	test.Tap(f.Upstreams.list.Items[2].Remove)
	if len(f.Upstreams.Rows) != 2 {
		t.Fatalf("%d upstream rows after a removal", len(f.Upstreams.Rows))
	}
	gone := want.Clone()
	gone.Upstreams = gone.Upstreams[:2]
	msg := validatorSays(t, gone, "route[3].chain[1]")
	if errs := f.Routes.Rows[2].Errors; !errs.Visible() || errs.Text != "chain[1]: "+msg {
		t.Errorf("route of a removed upstream shows %q, want %q", errs.Text, msg)
	}
	if !f.Save.Disabled() || f.tabOf[sectionRoutes].Icon == nil {
		t.Error("a route of a removed upstream can be saved, or its tab is not marked")
	}
}

// TestAddRouteAndList: new rows start usable: a route with the first
// upstream as its hop, a list sending to direct; an unnamed route says so.
func TestAddRouteAndList(t *testing.T) {
	w, _ := newWindow(t)
	f := w.Profiles.Form
	loadWork(t, f)
	test.Tap(f.Routes.Add)
	r := f.Routes.Rows[3]
	if got := r.Chain.names(); len(got) != 1 || got[0] != "corp-proxy" {
		t.Errorf("a new route's chain %v", got)
	}
	if !r.Errors.Visible() || r.Errors.Text != "name: empty; rules and groups refer to a route by its name" || !f.Save.Disabled() {
		t.Errorf("unnamed route: %q", r.Errors.Text)
	}
	test.Type(r.Name, "new")
	if r.Errors.Visible() || f.Save.Disabled() {
		t.Errorf("named route: %q", r.Errors.Text)
	}
	if !slices.Contains(f.Rules.Default.Options, "new") || !slices.Contains(f.Routes.Rows[1].Group.choices, "new") {
		t.Errorf("the new route is not offered: default %v, group %v", f.Rules.Default.Options, f.Routes.Rows[1].Group.choices)
	}
	test.Tap(f.Rules.AddList)
	l := f.Rules.Lists.Values()[1]
	if l.Route.Text != "direct" || !strings.HasPrefix(l.Errors.Text, "file: empty") {
		t.Errorf("a new list: route %q, errors %q", l.Route.Text, l.Errors.Text)
	}
	test.Tap(f.Upstreams.Add)
	u := f.Upstreams.Rows[3]
	u.Kind.SetSelected(profiles.KindSSH)
	if u.Password.PlaceHolder != "login password or key passphrase (optional)" || !u.KeyFile.Visible() {
		t.Errorf("a new ssh row: placeholder %q", u.Password.PlaceHolder)
	}
}
