package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/ssh"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/uitext"
	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/profiles"
)

// TestAll tests every upstream and route of the profile as typed at once,
// against a target the user types, and shows one line for each.
type TestAll struct {
	Target *widget.Entry
	Run    *widget.Button
	// Results holds one label per upstream and route, green or red, or
	// one for a run that could not start.
	Results *fyne.Container

	// Trust are the buttons that trust a refused SSH host key, one per
	// line that has one.
	Trust []*widget.Button

	confirm    *dialog.ConfirmDialog // the last trust question, for tests
	ctrl       *control.Controller
	form       *ProfileForm
	win        fyne.Window        // hosts the trust question
	cancel     context.CancelFunc // of the run in progress
	generation int                // of the last run: older results are dropped
	afterShow  func()             // for tests: called once results show
	content    fyne.CanvasObject
}

func newTestAll(ctrl *control.Controller, form *ProfileForm, win fyne.Window) *TestAll {
	t := &TestAll{ctrl: ctrl, form: form, win: win, Target: widget.NewEntry(), Results: container.NewVBox()}
	t.Target.SetText(profiles.DefaultTestTarget)
	t.Target.SetPlaceHolder(lang.L("host:port to reach through each, such as example.org:443"))
	t.Run = widget.NewButton(lang.L("Test all"), t.onRun)
	t.content = container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Test every upstream and route"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, t.Run, t.Target), t.Results)
	return t
}

// onRun starts the tests off the UI goroutine (they dial, and read the
// keychain for passwords not typed); the lines come back through fyne.Do.
// A new run cancels the one in progress.
func (t *TestAll) onRun() {
	p, sec, ok := t.form.validate()
	if !ok {
		t.show([]resultLine{{text: lang.L("Fix the profile's problems first.")}})
		return
	}
	if t.cancel != nil {
		t.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.generation++
	gen, target := t.generation, t.Target.Text
	t.show([]resultLine{{text: lang.L("Testing {{.Target}}…", map[string]any{"Target": target})}})
	go func() {
		defer cancel()
		res, err := t.ctrl.TestAll(ctx, p, sec, target)
		lines := testAllLines(res, err)
		fyne.Do(func() {
			if gen == t.generation {
				t.show(lines)
			}
			if t.afterShow != nil {
				t.afterShow()
			}
		})
	}()
}

// resultLine is one line of the results and how it looks; trust is an
// SSH host key the user may choose to trust after checking it.
type resultLine struct {
	text  string
	imp   widget.Importance
	trust *outbound.HostKeyError
}

// show replaces the results with lines; a line refused for an unknown SSH
// host key gets a button to trust it.
func (t *TestAll) show(lines []resultLine) {
	t.Trust = nil
	objs := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		label := widget.NewLabel(l.text)
		label.Wrapping, label.Importance = fyne.TextWrapWord, l.imp
		objs[i] = label
		if l.trust != nil {
			b := widget.NewButton(lang.L("Trust this host key…"), func() { t.askTrust(l.trust) })
			t.Trust = append(t.Trust, b)
			objs[i] = container.NewBorder(nil, nil, nil, b, label)
		}
	}
	t.Results.Objects = objs
	t.Results.Refresh()
}

// askTrust shows the key's fingerprint and trusts it only when the user
// confirms; then the tests run again.
func (t *TestAll) askTrust(hk *outbound.HostKeyError) {
	msg := lang.L("The SSH server {{.Host}} presented this host key:\n\n{{.Type}} {{.Fingerprint}}\n\nTrust it only if it is the fingerprint the server's administrator gave you (on the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). It will be added to {{.File}}.",
		map[string]any{"Host": hk.Host, "Type": hk.Key.Type(), "Fingerprint": ssh.FingerprintSHA256(hk.Key), "File": hk.File})
	t.confirm = dialog.NewConfirm(lang.L("Trust this host key?"), msg, func(ok bool) {
		if !ok {
			return
		}
		go func() {
			err := t.ctrl.TrustHostKey(hk)
			fyne.Do(func() {
				if err != nil {
					t.show([]resultLine{{text: lang.L("Not trusted: {{.Err}}", map[string]any{"Err": err}), imp: widget.DangerImportance}})
					return
				}
				t.onRun()
			})
		}()
	}, t.win)
	t.confirm.Show()
}

// Lines are the results' texts, in order.
func (t *TestAll) Lines() []string {
	var out []string
	for _, o := range t.Results.Objects {
		if b, ok := o.(*fyne.Container); ok {
			o = b.Objects[0] // the label beside a Trust button
		}
		out = append(out, o.(*widget.Label).Text)
	}
	return out
}

// testAllLines are one line per upstream and route: its latency, or the
// reply a client would get and the step that failed.
func testAllLines(res []profiles.Tested, err error) []resultLine {
	if err != nil {
		return []resultLine{{text: lang.L("Not tested: {{.Err}}", map[string]any{"Err": err}), imp: widget.DangerImportance}}
	}
	if len(res) == 0 {
		return []resultLine{{text: lang.L("No upstreams or routes: this profile connects direct.")}}
	}
	lines := make([]resultLine, len(res))
	for i, r := range res {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1) // an unnamed hop of the implicit chain; upstreams come first
		}
		what := lang.L("upstream {{.Name}}", map[string]any{"Name": name})
		if r.What == "route" {
			what = lang.L("route {{.Name}}", map[string]any{"Name": name})
		}
		d := map[string]any{"What": what, "About": r.About, "Latency": r.Latency.Round(time.Millisecond),
			"Via": r.Via, "Err": r.Err, "Code": fmt.Sprintf("%#02x", byte(r.Reply)), "Reply": uitext.Reply(r.Reply)}
		switch {
		case r.Err != nil:
			lines[i] = resultLine{lang.L("{{.What}} ({{.About}}): failed after {{.Latency}}: reply {{.Code}} ({{.Reply}}): {{.Err}}", d), widget.DangerImportance, control.UntrustedHostKey(r.Err)}
		case r.Via != "":
			lines[i] = resultLine{text: lang.L("{{.What}} ({{.About}}): ok in {{.Latency}} via {{.Via}}", d), imp: widget.SuccessImportance}
		default:
			lines[i] = resultLine{text: lang.L("{{.What}} ({{.About}}): ok in {{.Latency}}", d), imp: widget.SuccessImportance}
		}
	}
	return lines
}
