package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/profiles"
)

// load shows the profile name in the form, or why its file is broken.
// The file and the keychain are read off the UI goroutine; meanwhile the
// form says so, and a later load or reload wins over this one. The form's
// unsaved changes, typed while it read, are kept.
func (s *Profiles) load(name string) {
	gen := s.nextLoad()
	if i := s.index(name); i >= 0 && s.entries[i].Err != nil {
		s.showBroken(s.entries[i].Err)
		return
	}
	s.Loading.Show()
	s.jobs.run(func() func() {
		l := s.fetch(name)
		return func() {
			if gen != s.loadGen {
				return
			}
			s.Loading.Hide()
			if !s.Form.Dirty() {
				s.show(l)
			}
		}
	})
}

// nextLoad makes the loads started before it stale, and numbers the next.
func (s *Profiles) nextLoad() int {
	s.loadGen++
	s.Loading.Hide()
	return s.loadGen
}

// loaded is one profile as the editor shows it, read by fetch.
type loaded struct {
	p          *profiles.Profile
	version    profiles.Version // of the file p came from, for a conditional save
	err        error            // why there is no p
	local      string           // password placeholders (local, each upstream's)
	ups        []string
	missing    []string // which upstreams with a username have no password
	keychainEr error    // why the keychain could not tell
}

// fetch reads the profile name and its keychain entries. It touches the
// disk and the keychain and runs on any goroutine; show shows the result.
func (s *Profiles) fetch(name string) loaded {
	var l loaded
	l.p, l.version, l.err = s.ctrl.Store().LoadVersion(name)
	if errors.Is(l.err, profiles.ErrNotFound) && name == s.ctrl.State().Profile {
		// The file of the profile in force is gone: edit what is in force;
		// saving writes the file again.
		l.p, l.version, l.err = s.ctrl.Active(), profiles.Version{}, nil
	}
	if l.p != nil {
		l.local, l.ups, l.missing, l.keychainEr = s.passwordHints(l.p)
	}
	return l
}

// show puts what fetch read into the form; call it on the UI goroutine.
func (s *Profiles) show(l loaded) {
	if l.err != nil {
		s.showBroken(l.err)
		return
	}
	s.TestResult.SetText("")
	s.Broken.Hide()
	s.formBox.Show()
	s.Form.load(l.p, l.version, l.local, l.ups)
	switch {
	case l.keychainEr != nil:
		s.Form.setError(lang.L("Keychain: {{.Err}}", map[string]any{"Err": l.keychainEr}))
	case len(l.missing) > 0:
		// Said outright, not only in a placeholder: after a hop's host,
		// port or user changed, its old password no longer applies.
		s.Form.setError(strings.Join(l.missing, "\n"))
	}
	s.Remove.Enable()
	if l.p.Name == s.ctrl.State().Profile {
		s.Remove.Disable()
	}
}

// showBroken says why the selected profile cannot be edited.
func (s *Profiles) showBroken(err error) {
	s.TestResult.SetText("")
	text := err.Error()
	var inv *profiles.InvalidError
	if errors.As(err, &inv) {
		text = lang.L("This profile's file does not parse, so the app does not use it:\n{{.Err}}\nFix it in a text editor; the app reloads it when it is saved.", map[string]any{"Err": err})
	}
	s.Broken.SetText(text)
	s.Broken.Show()
	s.formBox.Hide()
}

// passwordHints are the placeholders of the password fields: whether the
// keychain holds one, or that it cannot tell (and its error); and which
// upstreams with a username have none.
func (s *Profiles) passwordHints(p *profiles.Profile) (local string, ups, missing []string, kerr error) {
	// hint is the placeholder of account's field, and whether the
	// keychain is known to lack its password.
	hint := func(user, account string) (string, bool) {
		if user == "" {
			return lang.L("set a username first"), false
		}
		ok, err := s.ctrl.HasPassword(account)
		switch {
		case err != nil:
			kerr = err
			return lang.L("keychain unavailable"), false
		case ok:
			return storedHint(), false
		}
		return lang.L("not set: type one"), true
	}
	local, _ = hint(p.Username, profiles.LocalAccount(p.Name))
	ups = make([]string, len(p.Upstreams))
	for i, u := range p.Upstreams {
		var none bool
		ups[i], none = hint(u.Username, profiles.UpstreamAccount(p.Name, u))
		// An SSH login may need no password: the agent, or a key
		// without a passphrase.
		if none && u.Kind != profiles.KindSSH {
			missing = append(missing, control.NoUpstreamPassword(i+1, u))
		}
	}
	return local, ups, missing, kerr
}

// storedHint is the placeholder of a password the keychain holds.
func storedHint() string { return lang.L("stored in the keychain (type to replace)") }
