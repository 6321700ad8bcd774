package sessionbus

import (
	"net"
	"path/filepath"
	"testing"
)

func TestAddress(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/tmp/some-bus")
	if a, ok := Address(); !ok || a != "unix:path=/tmp/some-bus" {
		t.Errorf("with the variable: %q, %v", a, ok)
	}

	// No variable: the runtime directory's socket, and only a socket.
	dir := t.TempDir()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "autolaunch:")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	if a, ok := Address(); ok && a == "unix:path="+filepath.Join(dir, "bus") {
		t.Errorf("no socket in %s, yet %q", dir, a)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if a, ok := Address(); !ok || a != "unix:path="+filepath.Join(dir, "bus") {
		t.Errorf("with %s/bus: %q, %v", dir, a, ok)
	}
}
