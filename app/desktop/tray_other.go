//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package desktop

// CheckTray reports that a tray can be set up and shows: macOS and
// Windows always have one.
func CheckTray() TrayStatus { return TrayStatus{Host: true} }
