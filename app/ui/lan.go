package ui

import (
	"image"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/lan"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/profiles"
)

// LAN is the screen for sharing the proxy with other devices: the switch,
// the addresses to type (with a copy button and a QR code of the socks5://
// link), whether authentication is on and the allowlist, a warning for an
// open share, and the LAN clients connected now.
type LAN struct {
	Share   *widget.Check
	For     *widget.Select // how long a share lasts (sharefor.go)
	Ends    *widget.Label  // the countdown of a share with an end
	Addrs   *widget.RadioGroup
	Copy    *widget.Button
	Link    *widget.Label
	QR      *canvas.Image
	Status  *widget.Label
	Auth    *widget.Label
	Allow   *widget.Label
	Warning *widget.Label
	Clients *widget.List

	ctrl    *control.Controller
	clip    func(string)
	link    string
	qrFor   string
	clients []lan.Client
	content fyne.CanvasObject
	jobs    jobs
	busy    bool // a change of sharing started here runs
	listGen int  // numbers the address listings: only the last one shows
	quiet   bool // For is being set from the state, not by the user
	now     func() time.Time
}

// NewLAN builds the screen; clip puts text on the clipboard.
func NewLAN(ctrl *control.Controller, clip func(string)) *LAN {
	l := &LAN{ctrl: ctrl, clip: clip, now: time.Now}
	l.Share = widget.NewCheck(lang.L("Share on LAN"), l.onShare)
	l.buildFor()
	l.Addrs = widget.NewRadioGroup(nil, func(string) { l.showLink() })
	l.Copy = widget.NewButtonWithIcon(lang.L("Copy address"), theme.ContentCopyIcon(), l.onCopy)
	l.Link = widget.NewLabel("")
	l.Link.Selectable = true
	l.QR = canvas.NewImageFromImage(nil)
	l.QR.FillMode = canvas.ImageFillContain
	l.QR.ScaleMode = canvas.ImageScalePixels
	l.QR.SetMinSize(fyne.NewSize(220, 220))
	l.Status = widget.NewLabel("")
	l.Status.Wrapping = fyne.TextWrapWord
	l.Auth = widget.NewLabel("")
	l.Allow = widget.NewLabel("")
	l.Allow.Wrapping = fyne.TextWrapWord
	l.Warning = widget.NewLabel("")
	l.Warning.Importance = widget.DangerImportance
	l.Warning.Wrapping = fyne.TextWrapWord
	l.Clients = widget.NewList(func() int { return len(l.clients) }, newClientRow, l.updateClient)

	left := container.NewVBox(container.NewHBox(l.Share, l.For), l.Ends, l.Status, l.Warning,
		widget.NewLabelWithStyle(lang.L("Addresses for other devices"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		l.Addrs, container.NewHBox(l.Copy), l.Link, l.Auth, l.Allow)
	clients := container.NewBorder(
		widget.NewLabelWithStyle(lang.L("LAN clients connected now"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, l.Clients)
	top := container.NewBorder(nil, nil, nil, container.NewCenter(l.QR), left)
	split := container.NewVSplit(container.NewVScroll(top), clients)
	split.Offset = 0.68
	l.content = split
	l.Refresh()
	return l
}

// Content is the screen's root object.
func (l *LAN) Content() fyne.CanvasObject { return l.content }

func (l *LAN) onShare(on bool) {
	if l.busy || on == l.ctrl.Active().ShareOnLAN {
		return
	}
	if !on {
		l.change(func() error { return l.ctrl.SetShareLAN(false) })
		return
	}
	d := l.duration()
	l.change(func() error { return l.ctrl.ShareLANFor(d) })
}

// change runs a change of sharing off the UI goroutine: it waits for the
// actions before it, saves the profile and may rebind the engine.
func (l *LAN) change(act func() error) {
	l.busy = true
	l.Share.Disable()
	l.For.Disable()
	l.Status.SetText(lang.L("Changing LAN sharing…"))
	l.jobs.run(func() func() {
		err := act()
		return func() {
			l.busy = false
			l.Share.Enable()
			l.For.Enable()
			l.Refresh() // shows the state in force, whatever the click
			if err != nil {
				l.Warning.SetText(err.Error())
			}
		}
	})
}

func (l *LAN) onCopy() {
	if a := l.Addrs.Selected; a != "" {
		l.clip(a)
	}
}

// Refresh reads the active profile and the host's addresses; call it on the
// UI thread after a change of profile or state. The addresses are listed
// off it (on some systems that takes a while), and a later refresh wins.
func (l *LAN) Refresh() {
	if l.busy {
		return // the change's end refreshes
	}
	p := l.ctrl.Active()
	st := l.ctrl.State()
	l.Share.SetChecked(p.ShareOnLAN)
	l.showFor(st)
	l.listGen++
	gen := l.listGen
	l.jobs.run(func() func() {
		addrs, err := lan.Addrs(p)
		return func() {
			if gen == l.listGen {
				l.show(p, st, addrs, err)
			}
		}
	})
}

// show shows the share of p in state st, reachable at addrs.
func (l *LAN) show(p *profiles.Profile, st control.State, addrs []string, err error) {
	sel := l.Addrs.Selected
	l.Addrs.Options = addrs
	if !contains(addrs, sel) {
		sel = ""
		if len(addrs) > 0 {
			sel = addrs[0]
		}
	}
	l.Addrs.Selected = sel
	l.Addrs.Refresh()
	switch {
	case err != nil:
		l.Status.SetText(lang.L("No LAN address: {{.Err}}", map[string]any{"Err": err}))
	case !p.ShareOnLAN:
		l.Status.SetText(lang.L("Not shared: the proxy listens only on this computer ({{.Addr}}). Other devices could use these addresses once it is shared.", st))
	case !st.Running:
		l.Status.SetText(lang.L("Shared on the LAN, but the proxy is off: turn it on for other devices to connect."))
	case len(addrs) == 0:
		l.Status.SetText(lang.L("Shared on the LAN, but this computer has no LAN address (is it connected?)."))
	default:
		l.Status.SetText(lang.L("Shared on the LAN: other devices can use the address below."))
	}
	if p.Username != "" {
		l.Auth.SetText(lang.L(`Authentication: on (user "{{.Username}}"; the password is in the keychain)`, p))
	} else {
		l.Auth.SetText(lang.L("Authentication: off"))
	}
	allow := p.EffectiveAllow()
	if len(allow) == 0 {
		l.Allow.SetText(lang.L("Allowed clients: any"))
	} else {
		parts := make([]string, len(allow))
		for i, a := range allow {
			parts[i] = a.String()
		}
		l.Allow.SetText(lang.L("Allowed clients: {{.List}}", map[string]any{"List": strings.Join(parts, ", ")}))
	}
	l.Warning.SetText("")
	if p.Open && p.ShareOnLAN {
		l.Warning.SetText(lang.L("Warning: this profile is open: anyone on the allowed networks can use the proxy without a password."))
	}
	l.showLink()
}

// showLink shows the selected address' link and its QR code (only for a
// share: a QR code of a link that cannot work would mislead).
func (l *LAN) showLink() {
	p := l.ctrl.Active()
	l.link = ""
	if a := l.Addrs.Selected; a != "" {
		l.link = lan.ShareLink(p, a)
	}
	l.Copy.Disable()
	if l.Addrs.Selected != "" {
		l.Copy.Enable()
	}
	want := ""
	if p.ShareOnLAN {
		want = l.link
	}
	l.Link.SetText(l.link)
	if want == l.qrFor {
		return
	}
	l.qrFor = want
	l.QR.Image = nil
	if want != "" {
		if q, err := qrcode.New(want, qrcode.Medium); err == nil {
			q.DisableBorder = false
			l.QR.Image = q.Image(256)
		}
	}
	l.QR.Refresh()
}

// QRImage is the QR code shown, nil when none.
func (l *LAN) QRImage() image.Image { return l.QR.Image }

// Update shows the LAN clients of a snapshot; call it on the UI thread.
func (l *LAN) Update(s stats.Snapshot) {
	l.clients = lan.Clients(s)
	l.Clients.Refresh()
	l.Tick()
}

// Tick moves the share's countdown on, for a second in which the
// connections did not change.
func (l *LAN) Tick() { l.showEnd(l.ctrl.State()) }

// ClientList returns the LAN clients shown.
func (l *LAN) ClientList() []lan.Client { return l.clients }

func newClientRow() fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon(lang.L("Disconnect"), theme.CancelIcon(), nil), widget.NewLabel(""))
}

func (l *LAN) updateClient(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(l.clients) {
		return
	}
	c := l.clients[i]
	row := o.(*fyne.Container)
	row.Objects[0].(*widget.Label).SetText(lang.L("{{.Addr}} — connections: {{.Count}}, ↑ {{.Up}} ↓ {{.Down}}, {{.Rate}}",
		map[string]any{"Addr": c.Addr, "Count": c.Conns, "Up": Bytes(c.Up), "Down": Bytes(c.Down), "Rate": Rate(c.Rate)}))
	row.Objects[1].(*widget.Button).OnTapped = func() { l.ctrl.CloseConns(c.IDs) }
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
