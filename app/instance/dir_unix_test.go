//go:build !windows

package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestDefaultDirRuntime(t *testing.T) {
	run := winetest.TempDir(t)
	t.Setenv("XDG_RUNTIME_DIR", run)
	if got, err := DefaultDir(); err != nil || got != run {
		t.Fatalf("DefaultDir() = %q, %v; want %q", got, err, run)
	}
}

func TestDefaultDirFallback(t *testing.T) {
	tmp := winetest.TempDir(t)
	t.Setenv("TMPDIR", tmp)
	want := filepath.Join(tmp, fmt.Sprintf("sockstray-%d", os.Getuid()))
	for _, run := range []string{"", "relative", filepath.Join(tmp, "missing")} {
		t.Setenv("XDG_RUNTIME_DIR", run)
		got, err := DefaultDir()
		if err != nil || got != want {
			t.Fatalf("XDG_RUNTIME_DIR=%q: DefaultDir() = %q, %v; want %q", run, got, err, want)
		}
		fi, _ := os.Stat(got)
		if fi.Mode().Perm() != 0o700 {
			t.Fatalf("mode %v, want 0700", fi.Mode().Perm())
		}
	}
	// Someone made it open to others: refuse rather than share it.
	os.Chmod(want, 0o755)
	if _, err := DefaultDir(); err == nil || !strings.Contains(err.Error(), "not a private directory") {
		t.Fatalf("open directory accepted: %v", err)
	}
	// A symlink planted in its place is refused too.
	os.Remove(want)
	os.Symlink(winetest.TempDir(t), want)
	if _, err := DefaultDir(); err == nil {
		t.Fatal("symlink accepted")
	}
}

func TestClaimDefaultDir(t *testing.T) {
	run, err := os.MkdirTemp("", "str")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	t.Setenv("XDG_RUNTIME_DIR", run)
	in, err := Claim("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := os.Stat(filepath.Join(run, sockName)); err != nil {
		t.Fatalf("no socket in XDG_RUNTIME_DIR: %v", err)
	}
	if _, err := Claim("", nil); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Claim: %v", err)
	}
}
