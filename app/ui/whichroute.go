package ui

import (
	"net/netip"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/profiles"
)

// WhichRoute answers "which rule and route would this destination take?"
// for the profile as typed, saved or not.
type WhichRoute struct {
	Target *widget.Entry
	UDP    *widget.Check
	Ask    *widget.Button
	Result *widget.Label

	profile    func() (*profiles.Profile, bool) // the form's, as typed, if valid
	generation int                              // of the last question: older answers are dropped
	afterShow  func()                           // for tests: called once an answer shows
	content    fyne.CanvasObject
}

func newWhichRoute(profile func() (*profiles.Profile, bool)) *WhichRoute {
	w := &WhichRoute{profile: profile, Target: widget.NewEntry(), Result: widget.NewLabel("")}
	w.Target.SetPlaceHolder(lang.L("host:port, such as www.example.com:443"))
	w.Target.OnSubmitted = func(string) { w.onAsk() }
	w.UDP = widget.NewCheck(lang.L("over UDP"), nil)
	w.Ask = widget.NewButton(lang.L("Find the route"), w.onAsk)
	w.Result.Wrapping = fyne.TextWrapWord
	w.content = container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Which route?"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, container.NewHBox(w.UDP, w.Ask), w.Target), w.Result)
	return w
}

// onAsk explains the typed destination. Explain reads the rule list
// files, so it runs off the UI goroutine; the answer comes back through
// fyne.Do, unless a newer question was asked meanwhile.
func (w *WhichRoute) onAsk() {
	target := strings.TrimSpace(w.Target.Text)
	dst, err := socks5.ParseAddr(target)
	if err != nil {
		w.Result.SetText(lang.L(`"{{.Target}}": want HOST:PORT, such as example.org:443`, map[string]any{"Target": target}))
		return
	}
	p, ok := w.profile()
	if !ok {
		w.Result.SetText(lang.L("Fix the profile's problems first."))
		return
	}
	w.generation++
	gen, udp := w.generation, w.UDP.Checked
	w.Result.SetText(lang.L("Looking…"))
	go func() {
		// A client on this computer: rules on the client's network see
		// the user's own machine.
		d, err := p.Explain(dst, netip.IPv6Loopback(), udp)
		text := explainText(d, err)
		fyne.Do(func() {
			if gen == w.generation {
				w.Result.SetText(text)
			}
			if w.afterShow != nil {
				w.afterShow()
			}
		})
	}()
}

// explainText is the answer as the box shows it. The steps come from the
// profiles package as they are: names, addresses and kinds of the user's
// own routes, with a few words of English.
func explainText(d profiles.Decision, err error) string {
	if err != nil {
		return lang.L("No answer: {{.Err}}", map[string]any{"Err": err})
	}
	rule := lang.L("Rule: none matched, so the default route")
	if d.Rule != "" {
		rule = lang.L("Rule: {{.Rule}} (written in {{.Source}})", map[string]any{"Rule": d.Rule, "Source": d.Source})
	}
	lines := []string{rule, lang.L("Route: {{.Route}}", map[string]any{"Route": d.Route})}
	for _, s := range d.Steps {
		lines = append(lines, "    "+s)
	}
	if d.Unresolved {
		lines = append(lines, lang.L("Note: a rule that looks names up was passed over; the proxy looks the name up only when it runs."))
	}
	return strings.Join(lines, "\n")
}
