package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/core/rules"
	"github.com/sockstray/sockstray/profiles"
)

// ProfileForm edits every field of one profile. Messages from the
// profile validator show under the field they are about, as the user
// types. Passwords go to the keychain on Save, never to a file.
type ProfileForm struct {
	Name, Host, Port, LANInterface, Username *widget.Entry
	Password                                 *widget.Entry
	Allow                                    *widget.Entry
	HandshakeTimeout, IdleTimeout, MaxConns  *widget.Entry
	ShareOnLAN, Open, AllowLocalTargets      *widget.Check
	DisableUDP, DisableBind                  *widget.Check
	Upstreams                                *Upstreams
	Routes                                   *Routes
	Rules                                    *Rules
	Which                                    *WhichRoute
	Error                                    *widget.Label // problems with no field, and save errors
	Save, Revert                             *widget.Button
	// Tabs are the editor's sections; a section with problems shows an
	// error icon, as its messages may be out of sight.
	Tabs *container.AppTabs

	errs    map[string]*widget.Label // by field as the file spells it
	orig    string                   // the name the profile had when loaded
	base    *profiles.Profile        // as loaded: what the form does not show is kept
	version profiles.Version         // of its file when loaded: a save over another version asks
	loading bool
	dirty   bool
	onDirty func()
	content fyne.CanvasObject
	check   *fyne.Container // the Check tab's content
	tabOf   map[string]*container.TabItem
}

func newProfileForm(onSave func(), onDirty func()) *ProfileForm {
	f := &ProfileForm{errs: map[string]*widget.Label{}, onDirty: onDirty}
	f.Name, f.Host, f.Port = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	f.LANInterface, f.Username = widget.NewEntry(), widget.NewEntry()
	f.Password = widget.NewPasswordEntry()
	f.Allow = widget.NewMultiLineEntry()
	f.Allow.SetMinRowsVisible(2)
	f.Allow.SetPlaceHolder(lang.L("one network per line, such as 192.168.1.0/24"))
	f.LANInterface.SetPlaceHolder(lang.L("all interfaces; or a name such as eth0, or an address"))
	f.HandshakeTimeout, f.IdleTimeout, f.MaxConns = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	f.IdleTimeout.SetPlaceHolder(lang.L("0s: never"))
	f.MaxConns.SetPlaceHolder(lang.L("0: no limit"))
	check := func(label string) *widget.Check { return widget.NewCheck(label, func(bool) { f.changed() }) }
	f.ShareOnLAN = check(lang.L("Share on LAN (listen on the LAN instead of this computer only)"))
	f.Open = check(lang.L("Open: allow LAN clients without a password or a narrowed allowlist"))
	f.AllowLocalTargets = check(lang.L("Let LAN clients reach this computer's own services"))
	f.DisableUDP, f.DisableBind = check(lang.L("Turn UDP ASSOCIATE off")), check(lang.L("Turn BIND off"))
	for _, e := range []*widget.Entry{f.Name, f.Host, f.Port, f.LANInterface, f.Username, f.Password,
		f.Allow, f.HandshakeTimeout, f.IdleTimeout, f.MaxConns} {
		e.OnChanged = func(string) { f.changed() }
	}
	f.Upstreams = newUpstreams(f.changed)
	f.Routes = newRoutes(f.changed)
	f.Rules = newRules(f.changed)
	f.Upstreams.onRename = f.Routes.renameUpstream
	f.Routes.onRename = f.renameRoute
	f.Which = newWhichRoute(func() (*profiles.Profile, bool) { p, _, ok := f.validate(); return p, ok })
	f.Error = widget.NewLabel("")
	f.Error.Importance = widget.DangerImportance
	f.Error.Wrapping = fyne.TextWrapWord
	f.Error.Hide()
	f.Save = widget.NewButton(lang.L("Save"), onSave)
	f.Save.Importance = widget.HighImportance
	f.Revert = widget.NewButton(lang.L("Revert"), nil)
	f.buildLayout()
	return f
}

// Dirty reports whether the form holds changes not saved.
func (f *ProfileForm) Dirty() bool { return f.dirty }

// Orig is the name of the profile being edited, as saved.
func (f *ProfileForm) Orig() string { return f.orig }

// load shows p, read from version v of its file; hints are the password
// placeholders (local, then each upstream's).
func (f *ProfileForm) load(p *profiles.Profile, v profiles.Version, local string, ups []string) {
	f.loading = true
	defer func() { f.loading = false }()
	f.orig, f.version, f.base = p.Name, v, p.Clone()
	f.Name.SetText(p.Name)
	f.Host.SetText(p.Host)
	f.Port.SetText(strconv.Itoa(p.Port))
	f.ShareOnLAN.SetChecked(p.ShareOnLAN)
	f.LANInterface.SetText(p.LANInterface)
	f.Username.SetText(p.Username)
	f.Password.SetText("")
	f.Password.SetPlaceHolder(local)
	allow := make([]string, len(p.Allow))
	for i, a := range p.Allow {
		allow[i] = a.String()
	}
	f.Allow.SetText(strings.Join(allow, "\n"))
	f.Open.SetChecked(p.Open)
	f.AllowLocalTargets.SetChecked(p.AllowLocalTargets)
	f.Upstreams.set(p.Upstreams, ups)
	f.Routes.set(p.Routes)
	f.Rules.set(p)
	f.HandshakeTimeout.SetText(p.HandshakeTimeout.String())
	f.IdleTimeout.SetText(p.IdleTimeout.String())
	f.MaxConns.SetText(strconv.Itoa(p.MaxConns))
	f.DisableUDP.SetChecked(p.DisableUDP)
	f.DisableBind.SetChecked(p.DisableBind)
	f.dirty = false
	f.validate()
}

func (f *ProfileForm) changed() {
	if f.loading {
		return
	}
	f.validate()
	if !f.dirty {
		f.dirty = true
		if f.onDirty != nil {
			f.onDirty()
		}
	}
}

// read returns the profile and passwords as typed, with the problems of
// fields that do not parse (in the validator's terms).
func (f *ProfileForm) read() (*profiles.Profile, control.Secrets, []profiles.Problem) {
	var ps []profiles.Problem
	bad := func(field, msg string) { ps = append(ps, profiles.Problem{Field: field, Msg: msg}) }
	p := profiles.New(strings.TrimSpace(f.Name.Text))
	if f.base != nil {
		// Keys the form does not show are kept as loaded.
		p = f.base.Clone()
		p.Name, p.Allow = strings.TrimSpace(f.Name.Text), nil
	}
	p.Host = strings.TrimSpace(f.Host.Text)
	var err error
	if p.Port, err = strconv.Atoi(strings.TrimSpace(f.Port.Text)); err != nil {
		bad("port", notPort(f.Port.Text))
	}
	p.ShareOnLAN = f.ShareOnLAN.Checked
	p.LANInterface = strings.TrimSpace(f.LANInterface.Text)
	p.Username = strings.TrimSpace(f.Username.Text)
	for i, s := range strings.FieldsFunc(f.Allow.Text, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' }) {
		pre, err := rules.ParseNetwork(s)
		if err != nil {
			bad(fmt.Sprintf("allow[%d]", i+1), lang.L(`"{{.Value}}" is not a CIDR such as 192.168.1.0/24`, map[string]any{"Value": s}))
			continue
		}
		p.Allow = append(p.Allow, pre)
	}
	p.Open = f.Open.Checked
	p.AllowLocalTargets = f.AllowLocalTargets.Checked
	var ups []string
	var upsProblems []profiles.Problem
	p.Upstreams, ups, upsProblems = f.Upstreams.read()
	ps = append(ps, upsProblems...)
	p.Routes = f.Routes.read()
	f.Rules.read(p)
	p.HandshakeTimeout = f.duration("options.handshake_timeout", f.HandshakeTimeout.Text, &ps)
	p.IdleTimeout = f.duration("options.idle_timeout", f.IdleTimeout.Text, &ps)
	if s := strings.TrimSpace(f.MaxConns.Text); s != "" {
		if p.MaxConns, err = strconv.Atoi(s); err != nil {
			bad("options.max_connections", lang.L(`"{{.Value}}" is not a whole number`, map[string]any{"Value": s}))
		}
	}
	p.DisableUDP, p.DisableBind = f.DisableUDP.Checked, f.DisableBind.Checked
	return p, control.Secrets{Local: f.Password.Text, Upstream: ups}, ps
}

func (f *ProfileForm) duration(field, s string, ps *[]profiles.Problem) time.Duration {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		*ps = append(*ps, profiles.Problem{Field: field, Msg: lang.L(`"{{.Value}}" is not a duration such as "10s" or "5m"`, map[string]any{"Value": s})})
	}
	return d
}

// notPort says s is not a port.
func notPort(s string) string {
	return lang.L(`"{{.Value}}" is not a port (1–65535)`, map[string]any{"Value": s})
}

// validate shows the problems of the form as typed, and returns the
// profile when it has none.
func (f *ProfileForm) validate() (*profiles.Profile, control.Secrets, bool) {
	f.refreshChoices()
	p, sec, ps := f.read()
	var inv *profiles.InvalidError
	if err := p.Validate(); errors.As(err, &inv) {
		ps = append(ps, inv.Problems...)
	}
	f.ShowProblems(ps)
	return p, sec, len(ps) == 0
}

// ShowProblems shows each problem under its field (the rest on top).
func (f *ProfileForm) ShowProblems(ps []profiles.Problem) {
	msgs := map[string][]string{}
	var top []string
	f.markTabs(ps)
	rest := f.Rules.showProblems(f.Routes.showProblems(f.Upstreams.showProblems(ps)))
	for _, p := range rest {
		key := p.Field
		if i := strings.IndexByte(key, '['); i >= 0 {
			key = key[:i]
		}
		if _, ok := f.errs[key]; ok {
			msgs[key] = append(msgs[key], p.Msg)
		} else {
			top = append(top, p.String())
		}
	}
	for key, l := range f.errs {
		l.SetText(strings.Join(msgs[key], "\n"))
		l.Hidden = len(msgs[key]) == 0
		l.Refresh()
	}
	f.setError(strings.Join(top, "\n"))
	f.Save.Disable()
	if len(ps) == 0 {
		f.Save.Enable()
	}
}

// FieldError is the message shown under the field, "" when none.
func (f *ProfileForm) FieldError(field string) string {
	if l, ok := f.errs[field]; ok && l.Visible() {
		return l.Text
	}
	return ""
}

func (f *ProfileForm) setError(s string) {
	f.Error.SetText(s)
	f.Error.Hidden = s == ""
	f.Error.Refresh()
}
