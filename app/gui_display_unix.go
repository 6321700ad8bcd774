//go:build linux || freebsd || openbsd || netbsd || dragonfly

package main

import "os"

// noDisplay returns the one line to print when there is no display to open
// a window on, before Fyne starts (its driver panics without one).
func noDisplay() string {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return "sockstray: no display (DISPLAY and WAYLAND_DISPLAY are unset); to run the proxy without one use `sockstray serve`"
	}
	return ""
}
