package logring

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

func TestRingKeepsLastLines(t *testing.T) {
	r := New(3)
	var stderr bytes.Buffer
	lg := slog.New(r.Handler(&stderr))
	for i := range 5 {
		lg.Info("line", "n", i)
	}
	lg.Warn("careful")
	lines := r.Lines(slog.LevelInfo)
	if len(lines) != 3 || lines[0].Text != "line  n=3" || lines[2].Text != "careful" || lines[2].Seq != 6 {
		t.Fatalf("lines %+v", lines)
	}
	if w := r.Lines(slog.LevelWarn); len(w) != 1 {
		t.Errorf("warn lines %+v", w)
	}
	if r.Seq() != 6 || strings.Count(stderr.String(), "\n") != 6 {
		t.Errorf("seq %d, stderr %q", r.Seq(), stderr.String())
	}
}

func TestRingGroupsAttrsAndRedaction(t *testing.T) {
	r := New(10)
	lg := slog.New(r.Handler(nil)).With("a", 1).WithGroup("g").With("b", 2)
	lg.Info("msg", "auth", socks5.UserPass{Username: "u", Password: "hunter2"})
	got := r.Lines(0)[0].Text
	if !strings.HasPrefix(got, "msg  a=1 g.b=2 g.auth") || strings.Contains(got, "hunter2") {
		t.Errorf("line %q", got)
	}
	lg.Debug("hidden")
	if len(r.Lines(slog.LevelDebug)) != 1 {
		t.Error("debug lines kept")
	}
}
