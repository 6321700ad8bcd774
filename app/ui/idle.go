package ui

import (
	"sync/atomic"
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
// goroutine holding in a function queued with fyne.DoAndWait for idleTurn
// at a time; between holds the loop takes what was queued and turns once.
// Go's channel timers cost nothing while nobody waits on them, so the
// loop's own ticker stays quiet during a hold.
//
// begin and end run on the UI thread; wake may be called from anywhere.
type idler struct {
	gen  atomic.Uint64 // odd while idling: begin and end each add one
	wake chan struct{}
}

func newIdler() *idler { return &idler{wake: make(chan struct{}, 1)} }

// begin starts idling, unless it already is.
func (l *idler) begin() {
	if l.gen.Load()%2 == 1 {
		return
	}
	g := l.gen.Add(1)
	go func() {
		for l.gen.Load() == g {
			fyne.DoAndWait(func() { l.hold(g) })
		}
	}()
}

// end stops idling; the loop turns at its own pace again.
func (l *idler) end() {
	if l.gen.Load()%2 == 0 {
		return
	}
	l.gen.Add(1)
	l.wakeUp()
}

// wakeUp ends the hold in progress now, so that work about to be queued
// runs at once.
func (l *idler) wakeUp() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// hold keeps the UI goroutine for up to idleTurn, unless idling g ended.
func (l *idler) hold(g uint64) {
	if l.gen.Load() != g {
		return
	}
	t := time.NewTimer(idleTurn)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.wake:
	}
}
