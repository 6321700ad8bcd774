package tray

import "fyne.io/systray"

// setTitle sets the tray item's tooltip and title (Fyne has no API for
// either; the systray library keeps them until its host asks).
func setTitle(s string) {
	systray.SetTooltip(s)
	systray.SetTitle(s)
}
