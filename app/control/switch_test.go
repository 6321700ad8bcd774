package control_test

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

// gatedProxy is a system proxy setting whose Enable waits while gate is
// shut: it holds an action in progress for as long as the test likes.
type gatedProxy struct {
	recordingProxy
	gate chan struct{}
}

func (g *gatedProxy) Enable(a string, m sysproxy.Mode) error {
	<-g.gate
	return g.recordingProxy.Enable(a, m)
}

// TestDiskEditNeverUndoesASwitch: an edit of the active profile seen by
// the watcher while a switch to another profile waits for its turn must
// not bring the edited profile back once the switch is done.
func TestDiskEditNeverUndoesASwitch(t *testing.T) {
	g := &gatedProxy{gate: make(chan struct{})}
	c := controltest.NewWith(t, control.Options{SystemProxy: g})
	controltest.AddProfile(t, c, "Other")
	close(g.gate)
	if err := c.SetSystemProxy(true); err != nil {
		t.Fatal(err)
	}
	g.gate = make(chan struct{}) // no action runs now: no one reads it
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.SetSystemProxyMode(profiles.SystemProxyPAC) }() // holds the turn
	time.Sleep(50 * time.Millisecond)
	go func() { defer wg.Done(); c.UseProfile("Other") }() // waits for it
	time.Sleep(50 * time.Millisecond)
	p := c.Active()
	p.Port = controltest.FreePort(t)
	path, _ := c.Store().Path(p.Name)
	if err := os.WriteFile(path, p.Encode(), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(profiles.Debounce + 300*time.Millisecond) // the watcher waits too
	close(g.gate)
	wg.Wait()
	if err := settled(func() error {
		if st := c.State(); st.Profile != "Other" {
			return fmt.Errorf("profile %q in force after switching to Other", st.Profile)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if st := c.State(); st.Profile != "Other" {
		t.Fatalf("profile %q in force after switching to Other", st.Profile)
	}
}
