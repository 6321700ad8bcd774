package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/profiles"
)

// save saves the form as typed over the version of the file it loaded.
// The save runs off the UI goroutine (disk and keychain); then, if it
// worked, runs on the UI goroutine. A file changed on disk since it was
// loaded is not overwritten: the user is asked (askConflict).
func (s *Profiles) save(then func()) {
	p, sec, ok := s.Form.validate()
	if !ok {
		return
	}
	s.saveOver(p, sec, s.Form.version, then)
}

// saveOver saves p over version base of the file of the profile edited.
func (s *Profiles) saveOver(p *profiles.Profile, sec control.Secrets, base profiles.Version, then func()) {
	orig := s.Form.Orig()
	s.Form.Save.Disable() // one save at a time
	s.jobs.run(func() func() {
		err := s.ctrl.SaveEdited(orig, p, sec, base)
		return func() {
			s.saved(p, sec, err, then)
			if s.afterSave != nil {
				s.afterSave()
			}
		}
	})
}

// saved shows the outcome of a save; on the UI goroutine.
func (s *Profiles) saved(p *profiles.Profile, sec control.Secrets, err error, then func()) {
	s.Form.Save.Enable()
	var inv *profiles.InvalidError
	var conflict *profiles.ConflictError
	switch {
	case errors.As(err, &conflict):
		s.askConflict(p, sec, conflict, then)
	case errors.As(err, &inv):
		s.Form.ShowProblems(inv.Problems)
	case err != nil:
		s.Form.setError(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
	default:
		s.Form.dirty = false
		s.selected = p.Name
		s.Refresh()
		if then != nil {
			then()
		}
	}
}

// ConflictPrompt is the question asked when a profile's file changed on
// disk since the editor loaded it.
type ConflictPrompt struct {
	Dialog                    dialog.Dialog
	Reload, Overwrite, Cancel *widget.Button
}

// askConflict shows that the file changed on disk and lets the user
// reload it (dropping the editor's changes) or overwrite it with them.
func (s *Profiles) askConflict(p *profiles.Profile, sec control.Secrets, c *profiles.ConflictError, then func()) {
	var d dialog.Dialog
	reload := widget.NewButton(lang.L("Reload"), func() { d.Hide(); s.reload(c.Name) })
	overwrite := widget.NewButton(lang.L("Overwrite"), func() { d.Hide(); s.saveOver(p, sec, c.Disk, then) })
	overwrite.Importance = widget.DangerImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	msg := widget.NewLabel(lang.L("The file of profile \"{{.Name}}\" changed on disk since it was opened here:\n{{.File}}\nReload it and lose the changes made here, or overwrite it with them?",
		map[string]any{"Name": c.Name, "File": c.File}))
	msg.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustomWithoutButtons(lang.L("Profile changed on disk"), container.NewVBox(msg, container.NewHBox(cancel, reload, overwrite)), s.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	s.Conflict = &ConflictPrompt{Dialog: d, Reload: reload, Overwrite: overwrite, Cancel: cancel}
}

// reload drops the editor's changes and shows the profile name as it is
// on disk now: read off the UI goroutine, shown on it.
func (s *Profiles) reload(name string) {
	gen := s.nextLoad()
	s.Loading.Show()
	s.jobs.run(func() func() {
		l := s.fetch(name)
		return func() {
			if gen != s.loadGen {
				return
			}
			s.Loading.Hide()
			s.Form.dirty = false
			s.selected = name
			s.show(l)
			if s.afterSave != nil {
				s.afterSave()
			}
		}
	})
}
