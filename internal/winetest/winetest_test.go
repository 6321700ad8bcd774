package winetest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The folder is there, writable, nested files and all, and gone after the
// test's cleanup, under Wine as elsewhere.
func TestTempDirRemovedWithContents(t *testing.T) {
	var dir string
	t.Run("use", func(t *testing.T) {
		dir = TempDir(t)
		sub := filepath.Join(dir, "a", "b")
		if err := os.MkdirAll(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{filepath.Join(dir, "top.txt"), filepath.Join(sub, "deep.txt")} {
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("after cleanup, stat %s: %v, want not exist", dir, err)
	}
}

// scripts/test-windows.sh sets SOCKSTRAY_UNDER_WINE=1: the detection
// must agree with it, and never claim Wine off Windows.
func TestRunning(t *testing.T) {
	want := os.Getenv("SOCKSTRAY_UNDER_WINE") == "1"
	if got := Running(); got != want || (got && runtime.GOOS != "windows") {
		t.Fatalf("Running() = %v on %s, want %v", got, runtime.GOOS, want)
	}
}
