package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sockstray/sockstray/internal/gnometest"
)

// TestGUIStartsHidden starts `sockstray --hidden` (what start at login
// runs) in a session of its own: with a real tray host (xfce4-panel) it
// shows no window until a second launch asks for it; with no tray host it
// shows the window at once, the only way in.
func TestGUIStartsHidden(t *testing.T) {
	needDisplay(t)
	bin := sockstrayBin(t)
	for _, withHost := range []bool{true, false} {
		name := map[bool]string{true: "tray host", false: "no tray host"}[withHost]
		t.Run(name, func(t *testing.T) {
			gnometest.Session(t) // a private bus: this test's panel is the only host on it
			if withHost {
				trayHost(t)
			}
			env, port := guiHome(t)
			p := startProc(t, env, bin, hiddenFlag)
			t.Cleanup(func() { p.stop(t, syscall.SIGTERM) })
			if !waitFor(startTimeout, func() bool {
				c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
				if err == nil {
					c.Close()
				}
				return err == nil
			}) {
				t.Fatalf("the proxy did not come on\nstderr:\n%s", p.stderr.String())
			}
			if !withHost {
				if !windowShows(t, 10*time.Second) {
					t.Fatalf("--hidden with no tray host: no window, so no way in\nstderr:\n%s", p.stderr.String())
				}
				return
			}
			if windowShows(t, 3*time.Second) {
				t.Fatalf("--hidden with a tray host: the window shows\nstderr:\n%s", p.stderr.String())
			}
			second := runTool(t, 20*time.Second, env, "", bin)
			if second.code != 0 || !strings.Contains(second.stderr, "already running") {
				t.Errorf("second launch: want exit 0 and \"already running\", got %s", second)
			}
			if !windowShows(t, 10*time.Second) {
				t.Fatalf("a second launch did not bring the window up\nstderr:\n%s", p.stderr.String())
			}
		})
	}
}

// windowShows reports whether a visible window named Sockstray appears
// within d.
func windowShows(t *testing.T, d time.Duration) bool {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Sockstray$").Run() == nil
}

// trayHost runs xfce4-panel, a StatusNotifierItem host, on the test's
// session bus and X display (as TestTrayUnderXfcePanel's desk does on its
// own), and waits until its watcher has a host.
func trayHost(t *testing.T) {
	t.Helper()
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	bus, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the session bus %s: %v", addr, err)
	}
	t.Cleanup(func() { bus.Close() })
	d := &desk{env: []string{"DBUS_SESSION_BUS_ADDRESS=" + addr, "DISPLAY=" + os.Getenv("DISPLAY")}, bus: bus}
	d.startPanel(t)
}
