//go:build !darwin && !windows

package logfile

import (
	"path/filepath"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestDefaultDir(t *testing.T) {
	home := winetest.TempDir(t)
	t.Setenv("HOME", home)
	for _, tt := range []struct{ state, want string }{
		{"/var/tmp/state", "/var/tmp/state/sockstray"},
		{"", filepath.Join(home, ".local/state/sockstray")},
		{"relative/state", filepath.Join(home, ".local/state/sockstray")}, // the spec says ignore it
	} {
		t.Setenv("XDG_STATE_HOME", tt.state)
		got, err := DefaultDir()
		if err != nil || got != tt.want {
			t.Errorf("XDG_STATE_HOME=%q: DefaultDir() = %q, %v; want %q", tt.state, got, err, tt.want)
		}
	}
}

func TestOpenDefaultDir(t *testing.T) {
	state := winetest.TempDir(t)
	t.Setenv("XDG_STATE_HOME", state)
	w := open(t, Config{})
	if want := filepath.Join(state, "sockstray", DefaultName); w.Path() != want {
		t.Fatalf("Path() = %q, want %q", w.Path(), want)
	}
}
