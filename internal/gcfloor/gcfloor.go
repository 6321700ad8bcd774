// Package gcfloor keeps the garbage collector from running more often than
// once per Floor bytes of heap growth while the live heap is small.
//
// Go's default (GOGC=100) collects each time the heap doubles. A proxy
// whose live heap is a megabyte or two then collects every few hundred
// connections, and each collection has a fixed cost: it scans every
// goroutine's stack and shrinks the stacks of those that wait, which grow
// again on their next connection (runtime.copystack). socksload's
// handshake rows showed it: `serve` with a 20,000-rule profile, whose live
// heap is larger, outran `serve` without one, until both ran with a floor.
// A floor gives a small heap a large heap's pace and changes nothing once
// the live heap outgrows it: above it, memory still follows GOGC.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// maxPercent bounds GOGC when the live heap is tiny (a freshly started
// process), where floor/live would be huge.
const maxPercent = 5000

// Keep sets the collector's heap goal to at least floor bytes, evaluated
// again after every collection, until stop is called, which gives GOGC
// back its value. It does nothing when the user set GOGC: theirs wins.
func Keep(floor uint64) (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	k := &keeper{floor: floor, sample: heapSample(), cur: 100}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.orig = debug.SetGCPercent(100)
	k.set()
	return func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		k.stopped = true
		debug.SetGCPercent(k.orig)
	}
}

func heapSample() []metrics.Sample {
	return []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
}

// keeper sets GOGC after each collection; mu keeps a late collection's
// setting from landing after stop gave GOGC back.
type keeper struct {
	floor uint64

	mu      sync.Mutex
	orig    int              // GOGC before Keep
	cur     int              // GOGC now
	sample  []metrics.Sample // live heap, heap goal
	stopped bool
}

// arm runs adjust after the next collection: the runtime runs a cleanup
// once the object it is attached to is found unreachable, which this one
// is at once.
func (k *keeper) arm() {
	runtime.AddCleanup(new(sentinel), func(k *keeper) { k.adjust() }, k)
}

// sentinel holds a pointer so that it is not a tiny allocation, which
// shares its memory with others and may never be found unreachable.
type sentinel struct {
	_ *byte
	_ [8]byte
}

func (k *keeper) adjust() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.stopped {
		k.set()
	}
}

// set puts GOGC where the next goal is the floor, and looks again after
// the next collection. k.mu is held.
func (k *keeper) set() {
	k.cur = k.percent()
	debug.SetGCPercent(k.cur)
	k.arm()
}

// percent is the GOGC that puts the heap goal at the floor, or 100 (the
// default pace) once the live heap is half the floor or more. GOGC scales
// the live heap, goroutine stacks and globals together; their sum is read
// back from the goal the current GOGC gave.
func (k *keeper) percent() int {
	metrics.Read(k.sample)
	live, goal := k.sample[0].Value.Uint64(), k.sample[1].Value.Uint64()
	if live == 0 || goal <= live || live*2 >= k.floor {
		return 100
	}
	scaled := (goal - live) * 100 / uint64(k.cur)
	if scaled == 0 {
		return 100
	}
	return int(max(100, min(maxPercent, (k.floor-live)*100/scaled)))
}
