package engine_test

import (
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/stats"
)

type snapshot = stats.Snapshot

// waitFor polls the engine's snapshot until cond holds (the table is
// updated by other goroutines), failing the test after 5 s.
func waitFor(t *testing.T, e *engine.Engine, cond func(snapshot) bool) snapshot {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := e.Snapshot()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached; last snapshot: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
