package filelock

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/winetest"
)

// TestLockExcludes: while one holds the lock, TryOpen says ErrLocked and
// Open waits; closing the holder lets the waiter in.
func TestLockExcludes(t *testing.T) {
	path := filepath.Join(winetest.TempDir(t), "x.lock")
	held, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := TryOpen(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryOpen while held = %v, %v; want ErrLocked", f, err)
	}
	got := make(chan error, 1)
	go func() {
		f, err := Open(path)
		if err == nil {
			f.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("Open returned %v while the lock was held", err)
	case <-time.After(200 * time.Millisecond):
	}
	held.Close()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open still waits after the holder closed")
	}
	f, err := TryOpen(path)
	if err != nil {
		t.Fatalf("TryOpen when free: %v", err)
	}
	f.Close()
}
