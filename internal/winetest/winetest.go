// Package winetest lets the Windows tests run under Wine (make
// test-windows). Wine 8, the version Debian 12 ships, lacks a few things
// real Windows has; a test that needs one of them skips by name with the
// gap's reason, only when it runs under Wine, detected at run time.
// (InternetSetOption is a stub there too, but no test depends on the
// notification it sends.) On
// Linux, macOS and real Windows every function here is a no-op or the
// standard behaviour.
package winetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The known Wine 8 gaps, as SkipKnownGap's reasons.
const (
	// GapUDP: Go cannot open a UDP socket under Wine 8.
	GapUDP = "Wine 8 cannot open UDP sockets for Go programs"
	// GapUnixSocket: Windows 10 has AF_UNIX stream sockets; Wine 8 has none.
	GapUnixSocket = "Wine 8 has no AF_UNIX sockets"
	// GapGoCommand: the test binary runs without a Go toolchain.
	GapGoCommand = "no go command inside the Wine prefix"
)

// Running reports whether this process runs under Wine.
func Running() bool { return underWine }

// SkipKnownGap skips t, saying why, when it runs under Wine; elsewhere it
// returns and the test runs.
func SkipKnownGap(t testing.TB, gap string) {
	t.Helper()
	if underWine {
		t.Skipf("winetest: skipped under Wine: %s", gap)
	}
}

// TempDir is t.TempDir. Under Wine 8, os.RemoveAll (t.TempDir's cleanup)
// fails on a non-empty folder, as it deletes with
// FileDispositionInformationEx, which Wine 8 does not implement; so there
// TempDir makes the folder itself and removes it file by file at cleanup,
// and the test still runs.
func TempDir(t testing.TB) string {
	t.Helper()
	if !underWine {
		return t.TempDir()
	}
	pattern := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>| `, r) {
			return '_'
		}
		return r
	}, t.Name())
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		t.Fatalf("TempDir: %v", err)
	}
	t.Cleanup(func() {
		if err := removeTreeSoon(dir); err != nil {
			t.Errorf("TempDir cleanup: %v", err)
		}
	})
	return dir
}

// removeTreeSoon is removeTree, tried again for up to 2 s while it fails,
// as testing's own TempDir does on Windows: a process the test started
// (a watchdog that has just done its work) may still be closing a file
// in the folder ("Sharing violation").
func removeTreeSoon(dir string) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := removeTree(dir)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// removeTree removes dir and everything in it with os.Remove, deepest
// first.
func removeTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, p := range slices.Backward(paths) {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
