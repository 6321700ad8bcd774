//go:build linux || freebsd || openbsd || netbsd || dragonfly

package tray

import (
	"errors"

	"fyne.io/fyne/v2/lang"
	"github.com/godbus/dbus/v5"

	"github.com/sockstray/sockstray/internal/sessionbus"
)

// HostName is the D-Bus name of the StatusNotifierItem host that shows
// tray icons on Linux desktops.
const HostName = "org.kde.StatusNotifierWatcher"

// Check reports whether a tray can be set up: on these systems it
// needs a reachable session D-Bus (the tray library panics on quit
// without one), and shows only where a tray host owns HostName. It
// never starts a bus: with no address set and no $XDG_RUNTIME_DIR/bus,
// there is none.
func Check() Status {
	addr, ok := sessionbus.Address()
	if !ok {
		return Status{BusErr: errors.New(lang.L("no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set)"))}
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return Status{BusErr: err}
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, HostName).Store(&has)
	return Status{Host: err == nil && has}
}
