//go:build linux || freebsd || openbsd || netbsd || dragonfly

package tray

import (
	"os"
	"testing"
)

func TestCheckTrayWithoutBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if st := Check(); st.Usable() || st.BusErr == nil {
		t.Fatalf("no bus: %+v", st)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/missing")
	if st := Check(); st.Usable() {
		t.Fatalf("unreachable bus: %+v", st)
	}
}

func TestCheckTrayWithBus(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no session bus; scripts/with-session.sh provides one")
	}
	st := Check()
	if !st.Usable() {
		t.Fatalf("session bus not usable: %v", st.BusErr)
	}
	// The test session has no tray host.
	if st.Host {
		t.Log("a tray host is present")
	}
}
