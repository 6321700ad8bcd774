//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package main

// noDisplay is empty: macOS and Windows always have a display for a
// desktop session.
func noDisplay() string { return "" }
