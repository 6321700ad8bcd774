package control_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/app/autostart"
	"github.com/sockstray/sockstray/app/control"
)

// Start at login opens the app hidden: tray only, the window on demand.
func TestStartAtLoginStartsHidden(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	item := control.Autostart{Exe: "/usr/bin/sockstray"}
	if err := item.Enable(); err != nil {
		t.Fatal(err)
	}
	path, err := autostart.Path()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nExec=/usr/bin/sockstray --hidden\n") {
		t.Errorf("login entry does not start hidden:\n%s", data)
	}
}
