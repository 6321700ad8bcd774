//go:build unix

package main

import (
	"testing"
	"time"
)

// TestE2ECLocaleIsQuiet: on servers the locale is often C, which Fyne's
// init cannot parse; no subcommand may start with its error lines.
func TestE2ECLocaleIsQuiet(t *testing.T) {
	t.Parallel()
	bin := sockstrayBin(t)
	for _, env := range [][]string{{"LANG=C"}, {"LANG=C.UTF-8"}, {"LC_ALL=POSIX"}} {
		r := runTool(t, 20*time.Second, childEnv(env...), "", bin, "version")
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v sockstray version: want exit 0 and nothing on stderr, got %s", env, r)
		}
	}
}
