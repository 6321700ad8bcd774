package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/desktop"
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

	ctrl       *desktop.Controller
	form       *ProfileForm
	cancel     context.CancelFunc // of the run in progress
	generation int                // of the last run: older results are dropped
	afterShow  func()             // for tests: called once results show
	content    fyne.CanvasObject
}

func newTestAll(ctrl *desktop.Controller, form *ProfileForm) *TestAll {
	t := &TestAll{ctrl: ctrl, form: form, Target: widget.NewEntry(), Results: container.NewVBox()}
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

// resultLine is one line of the results and how it looks.
type resultLine struct {
	text string
	imp  widget.Importance
}

// show replaces the results with lines.
func (t *TestAll) show(lines []resultLine) {
	objs := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		label := widget.NewLabel(l.text)
		label.Wrapping, label.Importance = fyne.TextWrapWord, l.imp
		objs[i] = label
	}
	t.Results.Objects = objs
	t.Results.Refresh()
}

// Lines are the results' texts, in order.
func (t *TestAll) Lines() []string {
	var out []string
	for _, o := range t.Results.Objects {
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
			"Via": r.Via, "Err": r.Err, "Code": fmt.Sprintf("%#02x", byte(r.Reply)), "Reply": desktop.ReplyText(r.Reply)}
		switch {
		case r.Err != nil:
			lines[i] = resultLine{lang.L("{{.What}} ({{.About}}): failed after {{.Latency}}: reply {{.Code}} ({{.Reply}}): {{.Err}}", d), widget.DangerImportance}
		case r.Via != "":
			lines[i] = resultLine{lang.L("{{.What}} ({{.About}}): ok in {{.Latency}} via {{.Via}}", d), widget.SuccessImportance}
		default:
			lines[i] = resultLine{lang.L("{{.What}} ({{.About}}): ok in {{.Latency}}", d), widget.SuccessImportance}
		}
	}
	return lines
}
