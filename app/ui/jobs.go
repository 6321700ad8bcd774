package ui

import (
	"sync"

	"fyne.io/fyne/v2"
)

// jobs runs a screen's slow work (the controller's actions: keychain,
// disk, engine, the desktop's tools) off the UI goroutine, and its outcome
// on it: handlers only start work, so the window never waits. The zero
// value is ready.
type jobs struct{ wg sync.WaitGroup }

// run calls work on a new goroutine, then what it returns through fyne.Do.
func (j *jobs) run(work func() (show func())) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		show := work()
		if show != nil {
			do(show)
		}
	}()
}

// wait waits for the work started so far (not for its outcome to show).
func (j *jobs) wait() { j.wg.Wait() }

// do runs an outcome on the UI goroutine. Fyne's test driver runs fyne.Do
// on the caller's goroutine, at once: the tests put here a queue that the
// test's goroutine runs, as the app's event loop would (helpers_test.go).
var do = fyne.Do
