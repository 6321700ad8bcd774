//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import (
	"errors"

	"fyne.io/fyne/v2/lang"
	"github.com/godbus/dbus/v5"

	"github.com/sockstray/sockstray/internal/sessionbus"
)

// TrayHostName is the D-Bus name of the StatusNotifierItem host that shows
// tray icons on Linux desktops.
const TrayHostName = "org.kde.StatusNotifierWatcher"

// CheckTray reports whether a tray can be set up: on these systems it
// needs a reachable session D-Bus (the tray library panics on quit
// without one), and shows only where a tray host owns TrayHostName. It
// never starts a bus: with no address set and no $XDG_RUNTIME_DIR/bus,
// there is none.
func CheckTray() TrayStatus {
	addr, ok := sessionbus.Address()
	if !ok {
		return TrayStatus{BusErr: errors.New(lang.L("no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set)"))}
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return TrayStatus{BusErr: err}
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, TrayHostName).Store(&has)
	return TrayStatus{Host: err == nil && has}
}
