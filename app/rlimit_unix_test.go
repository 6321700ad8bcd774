//go:build unix

package main

import (
	"bytes"
	"strings"
	"syscall"
	"testing"
)

// TestRaiseFileLimit: a soft limit below the hard one is lifted to it, and
// the log line says so.
func TestRaiseFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	low := syscall.Rlimit{Cur: min(orig.Max, 512), Max: orig.Max}
	if low.Cur == low.Max {
		low.Cur--
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	raiseFileLimit(&log)
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if now.Cur != orig.Max {
		t.Errorf("soft limit %d after raising, want the hard limit %d", now.Cur, orig.Max)
	}
	if s := log.String(); strings.Count(s, "\n") != 1 || !strings.Contains(s, `msg="open-file limit"`) {
		t.Errorf("log %q, want one open-file limit line", s)
	}
}
