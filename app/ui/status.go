package ui

import (
	"image/color"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
)

// StatusBar is the top of the window: the proxy switch, the profile in
// use, what the proxy is doing and a copy button for its address.
type StatusBar struct {
	Proxy   *widget.Check
	Profile *widget.Select
	Text    *widget.Label
	Copy    *widget.Button

	ctrl     *control.Controller
	clip     func(string)
	updating bool // set while Refresh sets widgets, so their handlers stay quiet
	content  fyne.CanvasObject
	jobs     jobs
	busy     map[fyne.Disableable]int // actions started by each control and not finished
	doing    string                   // what the last of them does, shown meanwhile
}

// NewStatusBar builds the bar; clip puts text on the clipboard.
func NewStatusBar(ctrl *control.Controller, clip func(string)) *StatusBar {
	s := &StatusBar{ctrl: ctrl, clip: clip, busy: map[fyne.Disableable]int{}}
	s.Proxy = widget.NewCheck(lang.L("Proxy on"), s.onProxy)
	s.Profile = widget.NewSelect(nil, s.onProfile)
	s.Text = widget.NewLabel("")
	s.Text.Truncation = fyne.TextTruncateEllipsis
	s.Copy = widget.NewButtonWithIcon(lang.L("Copy address"), theme.ContentCopyIcon(), func() { s.clip(s.ctrl.State().Addr) })
	s.content = container.NewBorder(nil, nil,
		container.NewHBox(s.Proxy, widget.NewLabel(lang.L("Profile:")), s.Profile), s.Copy, s.Text)
	s.Refresh()
	return s
}

// Content is the bar's root object.
func (s *StatusBar) Content() fyne.CanvasObject { return s.content }

func (s *StatusBar) onProxy(on bool) {
	if s.updating {
		return
	}
	text := lang.L("Stopping the proxy…")
	if on {
		text = lang.L("Starting the proxy…")
	}
	s.run(s.Proxy, text, func() { s.ctrl.SetProxy(on) })
}

func (s *StatusBar) onProfile(name string) {
	if s.updating || name == "" || name == s.ctrl.State().Profile {
		return
	}
	s.run(s.Profile, lang.L(`Switching to profile "{{.Name}}"…`, map[string]any{"Name": name}), func() { s.ctrl.UseProfile(name) })
}

// run starts the action of widget w off the UI goroutine (it waits for
// the actions before it and may touch the keychain, the disk and the
// engine); w stays disabled and the bar says what goes on until
// it ends. A failure reaches the user as a notice and in the state shown.
func (s *StatusBar) run(w fyne.Disableable, doing string, action func()) {
	s.busy[w]++
	s.doing = doing
	s.showBusy()
	s.jobs.run(func() func() {
		action()
		return func() {
			s.busy[w]--
			s.Refresh()
		}
	})
}

// showBusy disables the controls whose actions run.
func (s *StatusBar) showBusy() {
	working := false
	for w, n := range s.busy {
		if n > 0 {
			w.Disable()
			working = true
		} else {
			w.Enable()
		}
	}
	if working {
		s.Text.SetText(s.doing)
	}
}

// Refresh shows the controller's state; call it on the UI thread.
func (s *StatusBar) Refresh() {
	s.updating = true
	defer func() { s.updating = false }()
	st := s.ctrl.State()
	s.Proxy.SetChecked(st.Running)
	var names []string
	if es, err := s.ctrl.Profiles(); err == nil {
		for _, e := range es {
			if e.Err == nil {
				names = append(names, e.Name)
			}
		}
	}
	if !contains(names, st.Profile) {
		names = append(names, st.Profile)
	}
	s.Profile.Options = names
	s.Profile.SetSelected(st.Profile)
	s.Text.SetText(StateText(st))
	s.showBusy()
}

// StateText says what the proxy is doing, in one line.
func StateText(st control.State) string {
	d := map[string]any{"Addr": st.Addr, "Err": st.Err}
	switch {
	case st.Err != nil && !st.Running:
		return lang.L("Off: {{.Err}}", d)
	case st.Err != nil && st.ShareLAN:
		return lang.L("On at {{.Addr}}, shared on the LAN; last change failed: {{.Err}}", d)
	case st.Err != nil:
		return lang.L("On at {{.Addr}}; last change failed: {{.Err}}", d)
	case st.Running && st.ShareLAN:
		return lang.L("On at {{.Addr}}, shared on the LAN", d)
	case st.Running:
		return lang.L("On at {{.Addr}}", d)
	case st.ShareLAN:
		return lang.L("Off (would listen on {{.Addr}}, shared on the LAN)", d)
	}
	return lang.L("Off (would listen on {{.Addr}})", d)
}

// Banner shows the latest notice (an error where it happened, or a remark)
// above the tabs until dismissed.
type Banner struct {
	Text *widget.Label

	bg      *canvas.Rectangle
	box     *fyne.Container
	last    control.Notice
	content fyne.CanvasObject
}

// NewBanner builds a hidden banner.
func NewBanner() *Banner {
	b := &Banner{Text: widget.NewLabel("")}
	b.Text.Wrapping = fyne.TextWrapWord
	b.bg = canvas.NewRectangle(color.Transparent)
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), b.Hide)
	dismiss.Importance = widget.LowImportance
	b.box = container.NewStack(b.bg, container.NewBorder(nil, nil, nil, dismiss, b.Text))
	b.box.Hide()
	b.content = b.box
	return b
}

// Content is the banner's root object.
func (b *Banner) Content() fyne.CanvasObject { return b.content }

// Show shows n; call it on the UI thread.
func (b *Banner) Show(n control.Notice) {
	b.last = n
	b.Text.SetText(n.Text)
	b.Text.Importance = widget.MediumImportance
	c := theme.Color(theme.ColorNameSelection)
	switch {
	case n.Level >= slog.LevelError:
		b.Text.Importance = widget.DangerImportance
		c = color.NRGBA{R: 0xcf, G: 0x22, B: 0x2e, A: 0x30}
	case n.Level >= slog.LevelWarn:
		b.Text.Importance = widget.WarningImportance
		c = color.NRGBA{R: 0xd2, G: 0x99, B: 0x22, A: 0x30}
	}
	b.bg.FillColor = c
	b.bg.Refresh()
	b.Text.Refresh()
	b.box.Show()
}

// Hide hides the banner.
func (b *Banner) Hide() { b.box.Hide() }

// Visible reports whether the banner shows, and its notice.
func (b *Banner) Visible() (bool, control.Notice) { return b.box.Visible(), b.last }

// apply shows a snapshot on the screen that is visible; call it on the UI
// thread.
func (w *Window) apply(s sample) {
	switch w.Tabs.Selected() {
	case w.tabs[TabConnections]:
		if s.same {
			w.Connections.Tick(s.Time)
		} else {
			w.Connections.Update(s.Snapshot)
		}
	case w.tabs[TabThroughput]:
		w.Throughput.Update(s.Snapshot)
	case w.tabs[TabLAN]:
		if s.same {
			w.LAN.Tick()
		} else {
			w.LAN.Update(s.Snapshot)
		}
	}
	w.Log.Update()
}
