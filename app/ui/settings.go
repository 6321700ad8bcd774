package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/profiles"
)

// Settings is the app's settings dialog, opened by the gear button beside
// the status bar: the system proxy switch, its mode and bypass list, start
// at login, the theme, and the language, which applies at the next start
// (Fyne cannot change the language of what is already built).
type Settings struct {
	Button       *widget.Button
	SystemProxy  *widget.Check
	ProxyMode    *widget.RadioGroup // manual, or the PAC file made from the rules
	Bypass       *widget.Entry      // what goes direct, one entry a line
	BypassSave   *widget.Button
	BypassReset  *widget.Button // back to the built-in list
	StartAtLogin *widget.Check
	Theme        *widget.Select
	Language     *widget.Select
	Note         *widget.Label
	// UsageHistory and UsageRetention: see usagesettings.go.
	UsageHistory   *widget.Check
	UsageRetention *widget.Select

	ctrl    *control.Controller
	win     fyne.Window
	tags    []string // the language setting of each option: "" (the system's), then profiles.Languages
	labels  []string
	content fyne.CanvasObject
	// refreshing: a check is being set from the state, not by the user.
	refreshing bool
	jobs       jobs
}

// onSystemProxy runs the switch off the UI thread (the desktop's tools take
// a moment) and shows the outcome, which may differ from the click.
func (s *Settings) onSystemProxy(on bool) {
	if s.refreshing {
		return
	}
	s.SystemProxy.Disable()
	s.jobs.run(func() func() {
		err := s.ctrl.SetSystemProxy(on)
		return func() {
			s.SystemProxy.Enable()
			s.refreshing = true
			s.SystemProxy.SetChecked(s.ctrl.SystemProxyOn())
			s.refreshing = false
			if err != nil {
				s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
				s.Note.Show()
			}
		}
	})
}

// proxyModes are the system proxy modes in the order shown, with their
// labels.
func proxyModes() ([]string, []string) {
	return []string{profiles.SystemProxyManual, profiles.SystemProxyPAC},
		[]string{lang.L("Every connection through Sockstray"), lang.L("By the rules (PAC file): direct routes bypass Sockstray")}
}

// onProxyMode saves the mode off the UI thread: while the system proxy is
// on, the desktop's tools set it again in the new mode.
func (s *Settings) onProxyMode(label string) {
	if s.refreshing {
		return
	}
	modes, labels := proxyModes()
	mode := profiles.SystemProxyManual
	for i, l := range labels {
		if l == label {
			mode = modes[i]
		}
	}
	s.ProxyMode.Disable()
	s.jobs.run(func() func() {
		err := s.ctrl.SetSystemProxyMode(mode)
		return func() {
			s.ProxyMode.Enable()
			s.Refresh()
			if err != nil {
				s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
				s.Note.Show()
			}
		}
	})
}

// bypassLines is the bypass list typed: one entry a line (commas split
// too, as the desktops write it), blanks left out.
func bypassLines(text string) []string {
	list := []string{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			list = append(list, f)
		}
	}
	return list
}

// onBypass saves the bypass list (nil: the built-in one) off the UI
// thread: while the system proxy is on, the desktop's tools set it again.
// A bad entry saves nothing and says which.
func (s *Settings) onBypass(list []string) {
	s.BypassSave.Disable()
	s.BypassReset.Disable()
	s.jobs.run(func() func() {
		err := s.ctrl.SetSystemProxyBypass(list)
		return func() {
			s.BypassSave.Enable()
			s.BypassReset.Enable()
			if err != nil {
				s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
				s.Note.Show()
				return
			}
			s.showBypass()
		}
	})
}

// showBypass shows the bypass list saved, replacing what was typed.
func (s *Settings) showBypass() {
	s.Bypass.SetText(strings.Join(s.ctrl.SystemProxyBypass(), "\n"))
}

// onTheme applies the theme at once and saves it off the UI thread.
func (s *Settings) onTheme(label string) {
	if s.refreshing {
		return
	}
	names, labels := themeLabels()
	name := ""
	for i, l := range labels {
		if l == label {
			name = names[i]
		}
	}
	fyne.CurrentApp().Settings().SetTheme(ThemeFor(name))
	s.jobs.run(func() func() {
		if err := s.ctrl.SetTheme(name); err != nil {
			return func() {
				s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
				s.Note.Show()
			}
		}
		return nil
	})
}

func (s *Settings) onStartAtLogin(on bool) {
	if s.refreshing {
		return
	}
	// The login item is a file (or the registry): off the UI goroutine.
	s.StartAtLogin.Disable()
	s.jobs.run(func() func() {
		err := s.ctrl.SetStartAtLogin(on)
		now := s.ctrl.StartAtLogin()
		return func() {
			s.StartAtLogin.Enable()
			if err != nil {
				s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
				s.Note.Show()
			}
			s.refreshing = true
			s.StartAtLogin.SetChecked(now)
			s.refreshing = false
		}
	})
}

// NewSettings builds the button and the dialog's content; win hosts the
// dialog.
func NewSettings(ctrl *control.Controller, win fyne.Window) *Settings {
	s := &Settings{ctrl: ctrl, win: win}
	s.Button = widget.NewButtonWithIcon("", theme.SettingsIcon(), s.Show)
	s.Button.Importance = widget.LowImportance
	s.tags = append([]string{""}, profiles.Languages...)
	s.labels = []string{lang.L("System ({{.Language}})", map[string]any{"Language": LanguageNames[closest(lang.SystemLocale())]})}
	for _, t := range profiles.Languages {
		s.labels = append(s.labels, LanguageNames[t])
	}
	s.Language = widget.NewSelect(s.labels, s.onLanguage)
	s.Note = widget.NewLabel("")
	s.Note.Wrapping = fyne.TextWrapWord
	s.SystemProxy = widget.NewCheck(lang.L("Use as system proxy"), s.onSystemProxy)
	s.StartAtLogin = widget.NewCheck(lang.L("Start at login"), s.onStartAtLogin)
	_, modeLabels := proxyModes()
	s.ProxyMode = widget.NewRadioGroup(modeLabels, s.onProxyMode)
	s.ProxyMode.Required = true
	s.Bypass = widget.NewMultiLineEntry()
	s.Bypass.SetPlaceHolder(lang.L("One host, *.domain or network a line"))
	s.Bypass.SetMinRowsVisible(4)
	s.BypassSave = widget.NewButton(lang.L("Save bypass list"), func() { s.onBypass(bypassLines(s.Bypass.Text)) })
	s.BypassReset = widget.NewButton(lang.L("Built-in list"), func() { s.onBypass(nil) })
	_, themes := themeLabels()
	s.Theme = widget.NewSelect(themes, s.onTheme)
	s.buildUsage()
	form := widget.NewForm(
		widget.NewFormItem("", s.SystemProxy),
		widget.NewFormItem("", s.ProxyMode),
		widget.NewFormItem(lang.L("Bypass"), container.NewBorder(nil, container.NewHBox(s.BypassSave, s.BypassReset), nil, nil, s.Bypass)),
		widget.NewFormItem("", s.StartAtLogin),
		widget.NewFormItem(lang.L("Theme"), s.Theme),
		widget.NewFormItem("", s.UsageHistory),
		widget.NewFormItem(lang.L("Keep"), s.UsageRetention),
		widget.NewFormItem(lang.L("Language"), s.Language))
	s.content = container.NewVBox(form, s.Note)
	s.Refresh()
	s.showBypass()
	return s
}

// Show opens the dialog.
func (s *Settings) Show() {
	s.Refresh()
	s.showBypass()
	d := dialog.NewCustom(lang.L("Settings"), lang.L("Close"), s.content, s.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// Refresh shows the settings saved; call it on the UI thread.
func (s *Settings) Refresh() {
	s.refreshing = true
	s.SystemProxy.SetChecked(s.ctrl.SystemProxyOn())
	modes, labels := proxyModes()
	for i, m := range modes {
		if m == s.ctrl.SystemProxyMode() {
			s.ProxyMode.SetSelected(labels[i])
		}
	}
	s.showStartAtLogin()
	names, themes := themeLabels()
	for i, n := range names {
		if n == s.ctrl.Settings().Theme {
			s.Theme.SetSelected(themes[i])
		}
	}
	s.refreshUsage()
	s.refreshing = false
	tag := s.ctrl.Settings().Language
	for i, t := range s.tags {
		if t == tag {
			s.Language.SetSelectedIndex(i)
		}
	}
	s.showNote(tag)
}

// showStartAtLogin reads whether the login item is there (a file, or the
// registry) off the UI goroutine, and shows it.
func (s *Settings) showStartAtLogin() {
	s.jobs.run(func() func() {
		on := s.ctrl.StartAtLogin()
		return func() {
			s.refreshing = true
			s.StartAtLogin.SetChecked(on)
			s.refreshing = false
		}
	})
}

// onLanguage saves the language chosen (a file write: off the UI
// goroutine); it applies at the next start.
func (s *Settings) onLanguage(label string) {
	for i, l := range s.labels {
		if l != label || s.tags[i] == s.ctrl.Settings().Language {
			continue
		}
		tag := s.tags[i]
		s.Language.Disable()
		s.jobs.run(func() func() {
			err := s.ctrl.SetLanguage(tag)
			return func() {
				s.Language.Enable()
				if err != nil {
					s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
					s.Note.Show()
					return
				}
				s.showNote(tag)
			}
		})
	}
}

// showNote says when the language chosen differs from the one in force.
func (s *Settings) showNote(tag string) {
	if tag == "" {
		tag = closest(lang.SystemLocale())
	}
	s.Note.SetText(lang.L("The language changes when Sockstray next starts."))
	s.Note.Hidden = tag == Language()
	s.Note.Refresh()
}
