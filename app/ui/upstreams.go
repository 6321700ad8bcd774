package ui

import (
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

// upstreamRow is the editor of one upstream of a chain.
type upstreamRow struct {
	Host, Port, Username *widget.Entry
	Password             *widget.Entry
	Errors               *widget.Label
	box                  fyne.CanvasObject

	// loaded is the upstream the row showed when loaded (Key, "" for a new
	// row) and hint the placeholder of its password then: the keychain
	// holds passwords per server and user, so once the row names another
	// one the stored password no longer applies.
	loaded, hint string
	// orig is the upstream as loaded: its name, kind and files, which the
	// row does not show, are kept.
	orig profiles.Upstream
}

// typed is the upstream as the row's fields say now.
func (r *upstreamRow) typed() profiles.Upstream {
	port, _ := strconv.Atoi(strings.TrimSpace(r.Port.Text))
	return profiles.Upstream{Host: strings.TrimSpace(r.Host.Text), Port: port, Username: strings.TrimSpace(r.Username.Text)}
}

// updateHint says in the password's placeholder when the row no longer
// names the upstream whose password the keychain holds.
func (r *upstreamRow) updateHint() {
	if r.loaded == "" {
		return
	}
	hint := r.hint
	if r.typed().Key() != r.loaded {
		hint = lang.L("other server or user: type its password")
	}
	if r.Password.PlaceHolder != hint {
		r.Password.SetPlaceHolder(hint)
	}
}

// Upstreams edits a profile's chain of upstream SOCKS5 servers.
type Upstreams struct {
	Rows []*upstreamRow
	Add  *widget.Button

	list     *fyne.Container
	onChange func()
	content  fyne.CanvasObject
}

func newUpstreams(onChange func()) *Upstreams {
	u := &Upstreams{onChange: onChange, list: container.NewVBox()}
	u.Add = widget.NewButtonWithIcon(lang.L("Add upstream"), theme.ContentAddIcon(), func() {
		u.addRow(profiles.Upstream{Port: 1080}, "")
		u.onChange()
	})
	u.content = container.NewVBox(u.list, container.NewHBox(u.Add))
	return u
}

// set replaces the rows with ups; hints are the password placeholders.
func (u *Upstreams) set(ups []profiles.Upstream, hints []string) {
	u.Rows = nil
	u.list.RemoveAll()
	for i, up := range ups {
		u.addRow(up, hints[i])
	}
}

func (u *Upstreams) addRow(up profiles.Upstream, hint string) {
	r := &upstreamRow{
		Host: widget.NewEntry(), Port: widget.NewEntry(), Username: widget.NewEntry(),
		Password: widget.NewPasswordEntry(), Errors: widget.NewLabel(""), hint: hint, orig: up,
	}
	if up.Host != "" {
		r.loaded = up.Key()
	}
	r.Host.SetPlaceHolder(lang.L("host"))
	r.Host.SetText(up.Host)
	r.Port.SetPlaceHolder(lang.L("port"))
	if up.Port != 0 {
		r.Port.SetText(strconv.Itoa(up.Port))
	}
	r.Username.SetPlaceHolder(lang.L("username (optional)"))
	r.Username.SetText(up.Username)
	r.Password.SetPlaceHolder(hint)
	r.Errors.Importance = widget.DangerImportance
	r.Errors.Wrapping = fyne.TextWrapWord
	r.Errors.Hide()
	for _, e := range []*widget.Entry{r.Host, r.Port, r.Username} {
		e.OnChanged = func(string) { r.updateHint(); u.onChange() }
	}
	r.Password.OnChanged = func(string) { u.onChange() }
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		for i, x := range u.Rows {
			if x == r {
				u.Rows = append(u.Rows[:i], u.Rows[i+1:]...)
			}
		}
		u.list.Remove(r.box)
		u.onChange()
	})
	fields := container.New(layout.NewGridLayoutWithColumns(4), r.Host, r.Port, r.Username, r.Password)
	r.box = container.NewVBox(container.NewBorder(nil, nil, nil, remove, fields), r.Errors)
	u.Rows = append(u.Rows, r)
	u.list.Add(r.box)
}

// read returns the upstreams as typed, their passwords, and problems for
// fields that are not numbers.
func (u *Upstreams) read() ([]profiles.Upstream, []string, []profiles.Problem) {
	var ups []profiles.Upstream
	var pws []string
	var ps []profiles.Problem
	for i, r := range u.Rows {
		up := r.orig
		up.Host, up.Username = strings.TrimSpace(r.Host.Text), strings.TrimSpace(r.Username.Text)
		port, err := strconv.Atoi(strings.TrimSpace(r.Port.Text))
		if err != nil {
			ps = append(ps, profiles.Problem{Field: fmt.Sprintf("upstream[%d].port", i+1), Msg: notPort(r.Port.Text)})
		}
		up.Port = port
		ups = append(ups, up)
		pws = append(pws, r.Password.Text)
	}
	return ups, pws, ps
}

// showProblems shows each row's problems under it and returns the rest.
func (u *Upstreams) showProblems(ps []profiles.Problem) []profiles.Problem {
	msgs := make([][]string, len(u.Rows))
	var rest []profiles.Problem
	for _, p := range ps {
		var i int
		var field string
		if n, _ := fmt.Sscanf(p.Field, "upstream[%d]", &i); n == 1 && i >= 1 && i <= len(u.Rows) {
			msg := p.Msg
			if field = strings.TrimPrefix(p.Field[strings.IndexByte(p.Field, ']')+1:], "."); field != "" {
				msg = field + ": " + msg
			}
			msgs[i-1] = append(msgs[i-1], msg)
			continue
		}
		rest = append(rest, p)
	}
	for i, r := range u.Rows {
		r.Errors.SetText(strings.Join(msgs[i], "\n"))
		r.Errors.Hidden = len(msgs[i]) == 0
		r.Errors.Refresh()
	}
	return rest
}
