package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// fixedVariant is Fyne's theme with one variant (light or dark) whatever
// the system's: Fyne 2.7.1 has no setting for it, and asks the theme for
// every colour with the system's variant.
type fixedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color is part of fyne.Theme.
func (f fixedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return f.Theme.Color(n, f.variant)
}

// ThemeFor is the app's theme for a setting of profiles.Themes: "light",
// "dark", or anything else (the system's: "") for Fyne's own.
func ThemeFor(name string) fyne.Theme {
	switch name {
	case "light":
		return fixedVariant{theme.DefaultTheme(), theme.VariantLight}
	case "dark":
		return fixedVariant{theme.DefaultTheme(), theme.VariantDark}
	}
	return theme.DefaultTheme()
}

// themeLabels are the theme choices in the order shown: the setting's
// value and its label.
func themeLabels() ([]string, []string) {
	return []string{"", "light", "dark"}, []string{lang.L("Follow the system"), lang.L("Light"), lang.L("Dark")}
}
