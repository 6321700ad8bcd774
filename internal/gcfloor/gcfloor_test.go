package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

var sink []byte

// collections allocates n bytes of short-lived garbage, 4 KiB at a time,
// and returns how many collections ran meanwhile.
func collections(n int) uint32 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n / 4096 {
		sink = make([]byte, 4096)
	}
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}

func TestFloorSpacesCollections(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set: Keep leaves it alone (TestUserGOGCWins)")
	}
	const garbage = 256 << 20
	runtime.GC()
	without := collections(garbage)

	stop := Keep(64 << 20)
	runtime.GC() // the first collection with the floor sets the pace
	with := collections(garbage)
	stop()
	runtime.GC()
	after := collections(garbage)

	t.Logf("%d collections for %d MiB of garbage without a floor, %d with, %d after stop", without, garbage>>20, with, after)
	// The test's live heap is a few MB: GOGC=100 collects every few MB,
	// a 64 MiB floor about every 60.
	if with > 8 || without < 4*with {
		t.Errorf("%d collections for %d MiB of garbage with a 64 MiB floor, %d without", with, garbage>>20, without)
	}
	if after < 4*with {
		t.Errorf("after stop: %d collections, with the floor %d: GOGC was not given back", after, with)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after stop, GOGC = %d, want 100", got)
	}
}

// Once the live heap is half the floor or more, GOGC's own pace holds.
func TestLargeHeapKeepsGOGC(t *testing.T) {
	k := &keeper{floor: 1, sample: heapSample(), cur: 100}
	if got := k.percent(); got != 100 {
		t.Errorf("GOGC for a live heap over the floor: %d, want 100", got)
	}
}

func TestUserGOGCWins(t *testing.T) {
	t.Setenv("GOGC", "150")
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	stop := Keep(1 << 30)
	defer stop()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("with GOGC=150 set, Keep changed it to %d", got)
	}
}
