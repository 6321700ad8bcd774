// Package assets holds what the app embeds: its icon, the tray icons of
// the proxy's three states, and the desktop app's translations. The tray
// icons are PNG because the tray library cannot show SVG.
package assets

import _ "embed"

// Icon is the app's icon (icon.png; icon.svg is its source).
//
//go:embed icon.png
var Icon []byte

// Tray icons: the proxy off (grey), on (the app's blue with a green dot)
// and failed (red, an exclamation mark: a different shape, not only a
// different colour). Each is a 64×64 PNG rendered from the SVG beside it,
// with a light inner ring and a dark outer ring for light and dark panels.
var (
	//go:embed tray/off.png
	TrayOff []byte
	//go:embed tray/on.png
	TrayOn []byte
	//go:embed tray/error.png
	TrayError []byte
)
