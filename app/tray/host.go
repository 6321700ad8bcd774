package tray

// Status is whether the system tray can be used.
type Status struct {
	// BusErr is why no tray can be set up (no session D-Bus); nil when one
	// can.
	BusErr error
	// Host reports whether a tray host shows tray icons now.
	Host bool
}

// Usable reports whether the tray can be set up at all.
func (t Status) Usable() bool { return t.BusErr == nil }
