//go:build linux

package relay

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestIdleResources holds many idle relays open and checks what they cost:
// one goroutine each besides the caller's, no splice pipe and no buffer
// held, and memory for the whole test process per relay (which here also
// holds the client's and the destination's sockets) within the issue's
// budget of 13 KiB per proxied connection.
func TestIdleResources(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	// Two rounds of GC empty the pools, whose pipes then close.
	for range 2 {
		runtime.GC()
	}
	time.Sleep(50 * time.Millisecond)
	g0, pipes0, mem0 := runtime.NumGoroutine(), countPipes(t), inUse()

	rigs := make([]*rig, n)
	for i := range rigs {
		rigs[i] = newRig(t, modes[0], Options{Idle: time.Hour}, nil)
	}
	// Let every direction go idle and park.
	eventually(5*time.Second, func() bool { return runtime.NumGoroutine()-g0 >= 2*n })
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	g1, pipes1, mem1 := runtime.NumGoroutine(), countPipes(t), inUse()

	// newRig's goroutine plays the caller that runs TCP.
	if d := g1 - g0; d > 2*n+10 {
		t.Errorf("%d goroutines for %d relays, want 2 each (caller + one)", d, n)
	}
	if d := pipes1 - pipes0; d > 4 {
		t.Errorf("%d more pipe fds with %d idle relays, want none", d, n)
	}
	per := float64(mem1-mem0) / float64(n)
	t.Logf("%d idle relays: %.0f B each (heap+stacks, incl. 4 sockets), %d goroutines, %d pipe fds", n, per, g1-g0, pipes1)
	if !raceEnabled && per > 13<<10 {
		t.Errorf("%.0f B per idle relay, want ≤ 13 KiB", per)
	}
	for _, r := range rigs {
		if !r.running() {
			t.Fatalf("relay ended: %v", r.wait(t, 0).err)
		}
	}
}

func inUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// countPipes counts this process's open pipe fds (splice pipes among them).
func countPipes(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(l, "pipe:") {
			n++
		}
	}
	return n
}
