package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/profiles"
)

// Profiles is the screen listing the profiles, with the editor of the
// selected one and a route test. Switching to another profile with
// unsaved changes asks first.
type Profiles struct {
	List           *widget.List
	New, Remove    *widget.Button
	Use            *widget.Button
	Form           *ProfileForm
	TestTarget     *widget.Entry
	Test           *widget.Button
	TestResult     *widget.Label
	TestAll        *TestAll
	Broken         *widget.Label   // a selected file that does not parse
	Loading        *widget.Label   // shown while the selected profile is read
	Prompt         *UnsavedPrompt  // the last question about unsaved changes
	Conflict       *ConflictPrompt // the last question about a file changed on disk
	entries        []profiles.Entry
	selected       string
	ctrl           *control.Controller
	win            fyne.Window
	formBox        *fyne.Container
	reselecting    bool
	content        fyne.CanvasObject
	testCancel     context.CancelFunc
	testGeneration int
	afterTest      func() // for tests: called once a result shows
	afterSave      func() // for tests: called once a save or reload has shown its outcome
	jobs           jobs
	loadGen        int    // numbers the loads: only the last one shows
	listGen        int    // numbers the listings: only the last one shows
	pending        string // a profile to select once a listing shows it
}

// NewProfiles builds the screen; win hosts its dialogs.
func NewProfiles(ctrl *control.Controller, win fyne.Window) *Profiles {
	s := &Profiles{ctrl: ctrl, win: win}
	s.List = widget.NewList(func() int { return len(s.entries) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, widget.NewIcon(nil), nil, widget.NewLabel(""))
		}, s.updateItem)
	s.List.OnSelected = s.onSelected
	s.New = widget.NewButtonWithIcon(lang.L("New"), theme.ContentAddIcon(), s.onNew)
	s.Remove = widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), s.onRemove)
	s.Use = widget.NewButtonWithIcon(lang.L("Use"), theme.ConfirmIcon(), s.onUse)
	s.Form = newProfileForm(func() { s.save(nil) }, nil)
	s.Form.Revert.OnTapped = func() { s.Form.dirty = false; s.load(s.selected) }
	s.TestTarget = widget.NewEntry()
	s.TestTarget.SetPlaceHolder(lang.L("host:port to reach through this profile, such as example.org:443"))
	s.Test = widget.NewButton(lang.L("Test"), s.onTest)
	s.TestResult = widget.NewLabel("")
	s.TestResult.Wrapping = fyne.TextWrapWord
	s.Broken = widget.NewLabel("")
	s.Broken.Importance = widget.DangerImportance
	s.Broken.Wrapping = fyne.TextWrapWord
	s.Broken.Hide()
	s.Loading = widget.NewLabel(lang.L("Reading the profile…"))
	s.Loading.Hide()
	test := container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Test the route"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, s.Test, s.TestTarget), s.TestResult)
	s.TestAll = newTestAll(ctrl, s.Form, win)
	s.Form.addCheck(test, s.TestAll.content)
	s.formBox = container.NewStack(s.Form.content)
	left := container.NewBorder(nil, container.NewHBox(s.New, s.Remove, s.Use), nil, nil, s.List)
	// The form scrolls within its tabs, so that Save stays in sight.
	right := container.NewBorder(container.NewVBox(s.Loading, s.Broken), nil, nil, nil, s.formBox)
	split := container.NewHSplit(left, right)
	split.Offset = 0.22
	s.content = split
	s.Refresh()
	return s
}

// Content is the screen's root object.
func (s *Profiles) Content() fyne.CanvasObject { return s.content }

// Refresh reloads the list (after a save, a switch or a change on disk) and
// the selected profile unless it has unsaved changes; call it on the UI
// thread. The folder is read off it (every file is parsed), and a later
// refresh wins over this one.
func (s *Profiles) Refresh() {
	s.listGen++
	gen := s.listGen
	s.jobs.run(func() func() {
		es, err := s.ctrl.Profiles()
		return func() {
			if gen == s.listGen {
				s.showList(es, err)
			}
		}
	})
}

// showList shows the profiles listed, and reloads the selected one.
func (s *Profiles) showList(es []profiles.Entry, err error) {
	if err != nil {
		s.Broken.SetText(lang.L("Profiles not listed: {{.Err}}", map[string]any{"Err": err}))
		s.Broken.Show()
		return
	}
	s.entries = es
	s.List.Refresh()
	if s.selected == "" {
		s.selected = s.ctrl.State().Profile
	}
	// The list's selection follows the selected profile to its new row
	// first: Fyne ignores a Select of the row already selected.
	if i := s.index(s.selected); i >= 0 {
		s.reselecting = true
		s.List.Select(i)
		s.reselecting = false
	}
	if p := s.pending; p != "" && p != s.selected && s.index(p) >= 0 {
		s.Select(p) // loads it, or asks about unsaved changes first
		return
	}
	if !s.Form.Dirty() {
		s.load(s.selected)
	}
}

func (s *Profiles) index(name string) int {
	for i, e := range s.entries {
		if e.Name == name {
			return i
		}
	}
	return -1
}

func (s *Profiles) updateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(s.entries) {
		return
	}
	e := s.entries[i]
	row := o.(*fyne.Container)
	label, icon := row.Objects[0].(*widget.Label), row.Objects[1].(*widget.Icon)
	text := e.Name
	var res fyne.Resource = theme.DocumentIcon()
	switch {
	case e.Err != nil:
		res, text = theme.ErrorIcon(), lang.L("{{.Name}} (does not parse)", e)
	case e.Name == s.ctrl.State().Profile:
		res, text = theme.ConfirmIcon(), lang.L("{{.Name}} (in use)", e)
	}
	label.SetText(text)
	icon.SetResource(res)
}

// Select shows the profile name, asking first when the form has unsaved
// changes. A name not listed yet (just made, with the listing still being
// read) is selected when the listing shows it.
func (s *Profiles) Select(name string) {
	s.pending = ""
	if i := s.index(name); i >= 0 {
		s.List.Select(i)
		return
	}
	s.pending = name
}

func (s *Profiles) onSelected(i widget.ListItemID) {
	if s.reselecting || i >= len(s.entries) {
		return
	}
	name := s.entries[i].Name
	if name == s.selected {
		return
	}
	if !s.Form.Dirty() {
		s.selected = name
		s.load(name)
		return
	}
	back := s.index(s.selected)
	s.reselecting = true
	s.List.Select(back)
	s.reselecting = false
	s.askUnsaved(func() { s.selected = name; s.Select(name); s.load(name) })
}

// askUnsaved asks what to do with unsaved changes before then runs:
// save them, discard them, or stay.
func (s *Profiles) askUnsaved(then func()) {
	var d dialog.Dialog
	save := widget.NewButton(lang.L("Save"), func() {
		d.Hide()
		s.save(then)
	})
	save.Importance = widget.HighImportance
	discard := widget.NewButton(lang.L("Discard"), func() { d.Hide(); s.Form.dirty = false; then() })
	stay := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	msg := widget.NewLabel(lang.L(`Profile "{{.Name}}" has unsaved changes.`, map[string]any{"Name": s.Form.Orig()}))
	d = dialog.NewCustomWithoutButtons(lang.L("Unsaved changes"), container.NewVBox(msg, container.NewHBox(stay, discard, save)), s.win)
	d.Show()
	s.Prompt = &UnsavedPrompt{Dialog: d, Save: save, Discard: discard, Cancel: stay}
}

// UnsavedPrompt is the question asked before unsaved changes would be
// lost.
type UnsavedPrompt struct {
	Dialog                dialog.Dialog
	Save, Discard, Cancel *widget.Button
}

func (s *Profiles) onNew() {
	create := func() {
		s.New.Disable()
		s.jobs.run(func() func() {
			p, err := s.ctrl.NewProfile(lang.L("New profile"))
			return func() {
				s.New.Enable()
				if err != nil {
					s.Form.setError(lang.L("Not created: {{.Err}}", map[string]any{"Err": err}))
					return
				}
				s.selected = p.Name
				s.Refresh()
			}
		})
	}
	if s.Form.Dirty() {
		s.askUnsaved(create)
		return
	}
	create()
}

func (s *Profiles) onRemove() {
	name := s.selected
	d := dialog.NewConfirm(lang.L("Remove profile"), lang.L(`Remove profile "{{.Name}}" and its passwords?`, map[string]any{"Name": name}), func(ok bool) {
		if !ok {
			return
		}
		s.Remove.Disable()
		s.jobs.run(func() func() {
			err := s.ctrl.RemoveProfile(name) // the file and the keychain
			return func() {
				s.Remove.Enable()
				if err != nil {
					s.Form.setError(err.Error())
					return
				}
				s.Form.dirty = false
				s.selected = s.ctrl.State().Profile
				s.Refresh()
			}
		})
	}, s.win)
	d.SetConfirmText(lang.L("Remove"))
	d.SetDismissText(lang.L("Cancel"))
	d.Show()
}

// onUse makes the selected profile the active one, off the UI goroutine:
// it waits for the actions before it and may read the keychain and
// rebind the engine. The button says so meanwhile.
func (s *Profiles) onUse() {
	use := func() {
		name := s.selected
		s.Use.Disable()
		s.Use.SetText(lang.L("Switching…"))
		s.jobs.run(func() func() {
			err := s.ctrl.UseProfile(name)
			return func() {
				s.Use.SetText(lang.L("Use"))
				s.Use.Enable()
				if err != nil {
					s.Form.setError(err.Error())
				}
			}
		})
	}
	if s.Form.Dirty() {
		s.askUnsaved(use)
		return
	}
	use()
}

// onTest dials the typed target through the route of the form as typed,
// off the UI thread, and shows the outcome.
func (s *Profiles) onTest() {
	p, sec, ok := s.Form.validate()
	if !ok {
		s.TestResult.SetText(lang.L("Fix the profile's problems first."))
		return
	}
	if s.testCancel != nil {
		s.testCancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.testCancel = cancel
	s.testGeneration++
	gen := s.testGeneration
	target := s.TestTarget.Text
	s.TestResult.SetText(lang.L("Testing {{.Target}}…", map[string]any{"Target": target}))
	go func() {
		defer cancel()
		res, err := s.ctrl.TestRoute(ctx, p, sec, target)
		text := res.String()
		if err != nil {
			text = lang.L("Not tested: {{.Err}}", map[string]any{"Err": err})
		}
		fyne.Do(func() {
			if gen == s.testGeneration {
				s.TestResult.SetText(text)
			}
			if s.afterTest != nil {
				s.afterTest()
			}
		})
	}()
}
