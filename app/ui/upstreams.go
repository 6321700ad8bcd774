package ui

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/profiles"
)

// upstreamKinds are the kinds a row offers, as the file spells them: the
// protocols' own names, the same in every language.
var upstreamKinds = []string{profiles.KindSOCKS5, profiles.KindHTTP, profiles.KindHTTPS, profiles.KindSSH}

// upstreamRow is the editor of one upstream.
type upstreamRow struct {
	Name                 *widget.Entry
	Kind                 *widget.Select
	Host, Port, Username *widget.Entry
	Password             *widget.Entry
	CAFile               *widget.Entry // https only
	KeyFile, KnownHosts  *widget.Entry // ssh only
	Errors               *widget.Label

	// loaded is the upstream the row showed when loaded (Key, "" for a new
	// row) and hint the placeholder of its password then: the keychain
	// holds passwords per server and user, so once the row names another
	// one the stored password no longer applies.
	loaded, hint string
	// orig is the upstream as loaded, so that reading an untouched row
	// gives it back exactly (an empty kind stays empty).
	orig profiles.Upstream
	// ref is the name the chains' hops use for it.
	ref nameRef
}

// kind is the kind selected, with the loaded spelling kept when it means
// the same.
func (r *upstreamRow) kind() string {
	k := r.Kind.Selected
	if k == profiles.KindSOCKS5 && r.orig.Kind == "" {
		return ""
	}
	return k
}

// typed is the upstream as the row's fields say now. The files of the
// other kinds stay in their (hidden) entries, so that switching back
// restores them, but are not part of it.
func (r *upstreamRow) typed() profiles.Upstream {
	up := r.orig
	up.Name, up.Kind = strings.TrimSpace(r.Name.Text), r.kind()
	up.Host, up.Username = strings.TrimSpace(r.Host.Text), strings.TrimSpace(r.Username.Text)
	up.Port, _ = strconv.Atoi(strings.TrimSpace(r.Port.Text))
	up.CAFile, up.KeyFile, up.KnownHosts = "", "", ""
	switch r.Kind.Selected {
	case profiles.KindHTTPS:
		up.CAFile = strings.TrimSpace(r.CAFile.Text)
	case profiles.KindSSH:
		up.KeyFile, up.KnownHosts = strings.TrimSpace(r.KeyFile.Text), strings.TrimSpace(r.KnownHosts.Text)
	}
	return up
}

// kindChanged shows the fields of the kind selected only.
func (r *upstreamRow) kindChanged() {
	k := r.Kind.Selected
	show(r.CAFile, k == profiles.KindHTTPS)
	show(r.KeyFile, k == profiles.KindSSH)
	show(r.KnownHosts, k == profiles.KindSSH)
	r.updateHint()
}

func show(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// updateHint says in the password's placeholder what the field is for:
// whether the keychain holds the password, that the row no longer names
// the upstream whose password it holds, or, for SSH, that it is optional.
func (r *upstreamRow) updateHint() {
	hint := r.hint
	switch {
	case r.loaded != "" && r.typed().Key() != r.loaded:
		hint = lang.L("other server or user: type its password")
	case r.Kind.Selected == profiles.KindSSH && (r.loaded == "" || hint != storedHint()):
		// The agent or a key without a passphrase may need none.
		hint = lang.L("login password or key passphrase (optional)")
	}
	if r.Password.PlaceHolder != hint {
		r.Password.SetPlaceHolder(hint)
	}
}

// Upstreams edits a profile's upstreams: named proxy servers of four
// kinds, in order (which is the chain's when no route names them).
type Upstreams struct {
	Rows []*upstreamRow
	Add  *widget.Button

	list     *ordered[*upstreamRow]
	onChange func()
	onRename func(old, name string) // an upstream's references follow its name
	content  fyne.CanvasObject
}

func newUpstreams(onChange func()) *Upstreams {
	u := &Upstreams{onChange: onChange}
	u.list = newOrdered[*upstreamRow](func() { u.Rows = u.list.Values(); u.onChange() })
	u.Add = widget.NewButtonWithIcon(lang.L("Add upstream"), theme.ContentAddIcon(), func() {
		u.addRow(profiles.Upstream{Port: 1080}, "")
		u.onChange()
	})
	u.content = container.NewVBox(u.list.box, container.NewHBox(u.Add))
	return u
}

// set replaces the rows with ups; hints are the password placeholders.
func (u *Upstreams) set(ups []profiles.Upstream, hints []string) {
	u.list.Clear()
	for i, up := range ups {
		u.addRow(up, hints[i])
	}
	u.Rows = u.list.Values()
}

func (u *Upstreams) addRow(up profiles.Upstream, hint string) {
	entry := func(placeholder, text string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(text)
		return e
	}
	r := &upstreamRow{
		Name: entry(lang.L("name (routes use it)"), up.Name), Kind: widget.NewSelect(upstreamKinds, nil),
		Host: entry(lang.L("host"), up.Host), Port: entry(lang.L("port"), ""),
		Username: entry(lang.L("username (optional)"), up.Username), Password: widget.NewPasswordEntry(),
		CAFile:     entry(lang.L("CA file (empty: the system's)"), up.CAFile),
		KeyFile:    entry(lang.L("key file (empty: SSH agent or password)"), up.KeyFile),
		KnownHosts: entry(lang.L("known_hosts (empty: ~/.ssh/known_hosts)"), up.KnownHosts),
		Errors:     widget.NewLabel(""), hint: hint, orig: up, ref: nameRef(up.Name),
	}
	if up.Host != "" {
		r.loaded = up.Key()
	}
	if up.Port != 0 {
		r.Port.SetText(strconv.Itoa(up.Port))
	}
	r.Password.SetPlaceHolder(hint)
	r.Kind.SetSelected(cmp.Or(up.Kind, profiles.KindSOCKS5))
	r.kindChanged()
	r.Kind.OnChanged = func(string) { r.kindChanged(); u.onChange() }
	r.Errors.Importance = widget.DangerImportance
	r.Errors.Wrapping = fyne.TextWrapWord
	r.Errors.Hide()
	for _, e := range []*widget.Entry{r.Host, r.Port, r.Username, r.CAFile, r.KeyFile, r.KnownHosts} {
		e.OnChanged = func(string) { r.updateHint(); u.onChange() }
	}
	r.Name.OnChanged = func(s string) {
		if old, ok := r.ref.follow(strings.TrimSpace(s), countNames(u.names)); ok && u.onRename != nil {
			u.onRename(old, strings.TrimSpace(s))
		}
		r.updateHint()
		u.onChange()
	}
	r.Password.OnChanged = func(string) { u.onChange() }
	// Hidden entries take no cell: the grid re-flows per kind.
	where := container.New(layout.NewGridLayoutWithColumns(4), r.Name, r.Kind, r.Host, r.Port)
	login := container.New(layout.NewGridLayoutWithColumns(4), r.Username, r.Password, r.CAFile, r.KeyFile, r.KnownHosts)
	u.list.Add(r, container.NewVBox(where, login, r.Errors, widget.NewSeparator()))
	u.Rows = u.list.Values()
}

// names are the upstreams' names as typed, for the routes' choices.
func (u *Upstreams) names() []string {
	var out []string
	for _, r := range u.Rows {
		if n := strings.TrimSpace(r.Name.Text); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// read returns the upstreams as typed, their passwords, and problems for
// fields that are not numbers.
func (u *Upstreams) read() ([]profiles.Upstream, []string, []profiles.Problem) {
	var ups []profiles.Upstream
	var pws []string
	var ps []profiles.Problem
	for i, r := range u.Rows {
		if _, err := strconv.Atoi(strings.TrimSpace(r.Port.Text)); err != nil {
			ps = append(ps, profiles.Problem{Field: fmt.Sprintf("upstream[%d].port", i+1), Msg: notPort(r.Port.Text)})
		}
		ups = append(ups, r.typed())
		pws = append(pws, r.Password.Text)
	}
	return ups, pws, ps
}

// showProblems shows each row's problems under it and returns the rest.
func (u *Upstreams) showProblems(ps []profiles.Problem) []profiles.Problem {
	labels := make([]*widget.Label, len(u.Rows))
	for i, r := range u.Rows {
		labels[i] = r.Errors
	}
	return showIndexed(ps, "upstream", labels)
}
