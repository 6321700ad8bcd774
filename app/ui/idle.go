package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// idleTurn is how often Fyne's event loop turns while the window is
// hidden: the longest a tray click or other queued UI work waits then.
const idleTurn = 100 * time.Millisecond

// idler slows Fyne's event loop while the window is hidden.
//
// The loop (fyne's internal/driver/glfw/loop.go, v2.7 and v2.8 alike)
// turns 60 times a second whether or not a window shows: each turn polls
// X events and walks the windows to draw. With the app in the tray only
// that is most of its CPU. While idling, a goroutine keeps the UI
// goroutine holding in a function queued with fyne.Do for idleTurn at a
// time; between holds the loop takes what was queued and turns once. Go's
// channel timers cost nothing while nobody waits on them, so the loop's
// own ticker stays quiet during a hold. (fyne.DoAndWait would do the
// waiting, but it finds its caller's goroutine ID by formatting a stack
// trace each time, a fifth of the hidden app's CPU.)
//
// begin and end run on the UI thread; wakeUp may be called from anywhere.
type idler struct {
	stop chan struct{} // open while idling, closed by end; UI thread
	wake chan struct{}
}

func newIdler() *idler { return &idler{wake: make(chan struct{}, 1)} }

// begin starts idling, unless it already is.
func (l *idler) begin() {
	if l.stop != nil {
		return
	}
	stop := make(chan struct{})
	l.stop = stop
	go func() {
		held := make(chan struct{}, 1) // a hold run after the end never blocks
		for {
			select {
			case <-stop:
				return
			default:
			}
			fyne.Do(func() { l.hold(stop); held <- struct{}{} })
			select {
			case <-held:
			case <-stop:
				return // quitting, the loop may never run it
			}
		}
	}()
}

// end stops idling; the loop turns at its own pace again.
func (l *idler) end() {
	if l.stop != nil {
		close(l.stop)
		l.stop = nil
	}
}

// wakeUp ends the hold in progress now, so that work about to be queued
// runs at once.
func (l *idler) wakeUp() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// hold keeps the UI goroutine for up to idleTurn, unless idling ended.
func (l *idler) hold(stop <-chan struct{}) {
	t := time.NewTimer(idleTurn)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.wake:
	case <-stop:
	}
}
