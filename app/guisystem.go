package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/instance"
	"github.com/sockstray/sockstray/app/logfile"
	"github.com/sockstray/sockstray/app/sockowner"
	"github.com/sockstray/sockstray/app/sysproxy"
)

// system is the desktop app's hold on the operating system: the one
// instance claim, the log file, the system proxy and the login item.
type system struct {
	inst   *instance.Instance
	log    *logfile.Writer
	show   atomic.Pointer[func()] // brings the window up; set once it exists
	opts   control.Options
	notice []string // said to the user once the window is up
}

// claimSystem runs before anything else of the app. A system proxy left
// pointing at a Sockstray that died is put back first: the user's network
// comes before everything.
func claimSystem(stderr io.Writer) (*system, error) {
	s := &system{}
	inst, err := instance.Claim("", func() {
		if f := s.show.Load(); f != nil {
			(*f)()
		}
	})
	switch {
	case errors.Is(err, instance.ErrRunning):
		return nil, err // the running copy was asked to show its window
	case err != nil:
		s.notice = append(s.notice, lang.L("One-instance check unavailable: {{.Err}}", map[string]any{"Err": err}))
	default:
		s.inst = inst
	}

	out := stderr
	if w, err := logfile.Open(logfile.Config{}); err != nil {
		s.notice = append(s.notice, lang.L("No log file: {{.Err}}", map[string]any{"Err": err}))
	} else {
		s.log, out = w, io.MultiWriter(stderr, w)
	}
	s.opts.Stderr = out

	if m, err := sysproxy.New(sysproxy.Options{}); err != nil {
		// No GNOME or KDE proxy settings here: the switch says so.
		fmt.Fprintf(out, "system proxy switch unavailable: %v\n", err)
	} else {
		if restored, err := m.RecoverStale(); err != nil {
			s.notice = append(s.notice, lang.L("The system proxy settings saved before a crash could not be restored: {{.Err}}", map[string]any{"Err": err}))
		} else if restored {
			s.notice = append(s.notice, lang.L("The system proxy settings were restored after Sockstray ended without doing it."))
		}
		s.opts.SystemProxy = m
	}

	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		s.opts.LoginItem = control.Autostart{Exe: exe}
	}
	s.opts.ProgramsOf = new(sockowner.Resolver).ProgramsOf
	return s, nil
}

// showWith makes a later launch bring up the window with show, which
// may be called from any goroutine.
func (s *system) showWith(show func()) { s.show.Store(&show) }

// release lets the next launch claim the instance and closes the log.
func (s *system) release() {
	if s.inst != nil {
		s.inst.Close()
	}
	if s.log != nil {
		s.log.Close()
	}
}
