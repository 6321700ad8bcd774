//go:build unix

package main

import (
	"bytes"
	"log/slog"
	"strings"
	"syscall"
	"testing"
)

// TestRaiseFileLimit: a soft limit below the hard one is lifted to it, and
// the log value says from what.
func TestRaiseFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	low := syscall.Rlimit{Cur: min(orig.Max-1, 512), Max: orig.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	l := raiseFileLimit()
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if now.Cur != orig.Max || l.soft != orig.Max || l.was != low.Cur || l.err != nil {
		t.Errorf("soft limit %d after raising (%+v), want the hard limit %d, raised from %d", now.Cur, l, orig.Max, low.Cur)
	}
	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("serving", "open_files", l)
	if want := "(raised from"; !strings.Contains(log.String(), want) {
		t.Errorf("log %q lacks %q", log.String(), want)
	}
}
