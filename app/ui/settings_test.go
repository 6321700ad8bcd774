package ui

import (
	"image/color"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

// TestSettingsSystemProxyMode: choosing the PAC mode in Settings saves it,
// and the dialog shows what is saved.
func TestSettingsSystemProxyMode(t *testing.T) {
	w, c := newWindow(t)
	s := w.Settings
	_, labels := proxyModes()
	if s.ProxyMode.Selected != labels[0] {
		t.Fatalf("fresh settings show %q, want manual", s.ProxyMode.Selected)
	}
	s.ProxyMode.SetSelected(labels[1])
	settle(w)
	if c.SystemProxyMode() != profiles.SystemProxyPAC || s.ProxyMode.Selected != labels[1] {
		t.Fatalf("after choosing PAC: saved %q, shown %q", c.SystemProxyMode(), s.ProxyMode.Selected)
	}
}

// TestSettingsBypassList: the bypass list typed in Settings is saved as
// typed (one entry a line), a bad entry saves nothing and says why, and
// "Built-in list" goes back to the app's own.
func TestSettingsBypassList(t *testing.T) {
	w, c := newWindow(t)
	s := w.Settings
	if got := s.Bypass.Text; got != strings.Join(sysproxy.DefaultBypass, "\n") {
		t.Fatalf("fresh settings show %q, want the built-in list", got)
	}
	s.Bypass.SetText("*.corp.example\n\n 10.1.0.0/16 \nintranet")
	test.Tap(s.BypassSave)
	settle(w)
	want := []string{"*.corp.example", "10.1.0.0/16", "intranet"}
	if got := c.SystemProxyBypass(); !slices.Equal(got, want) || s.Bypass.Text != strings.Join(want, "\n") {
		t.Fatalf("saved %q, shown %q; want %q", got, s.Bypass.Text, want)
	}
	s.Bypass.SetText("ok.example\nbad entry")
	test.Tap(s.BypassSave)
	settle(w)
	if got := c.SystemProxyBypass(); !slices.Equal(got, want) || !strings.Contains(s.Note.Text, `"bad entry"`) || !s.Note.Visible() {
		t.Fatalf("a bad entry: saved %q, note %q", got, s.Note.Text)
	}
	test.Tap(s.BypassReset)
	settle(w)
	if got := c.SystemProxyBypass(); !slices.Equal(got, sysproxy.DefaultBypass) || c.Settings().SystemProxyBypass != nil {
		t.Fatalf("after Built-in list: %q (setting %q)", got, c.Settings().SystemProxyBypass)
	}
}

// TestSettingsTheme: choosing Dark or Light applies at once, whatever
// the system's variant, and is saved.
func TestSettingsTheme(t *testing.T) {
	w, c := newWindow(t)
	s := w.Settings
	names, labels := themeLabels()
	bg := func() color.Color {
		return fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameBackground, fyne.CurrentApp().Settings().ThemeVariant())
	}
	for i, name := range names {
		s.Theme.SetSelected(labels[i])
		settle(w)
		if got := c.Settings().Theme; got != name {
			t.Errorf("chose %q, saved %q", labels[i], got)
		}
		var want color.Color
		switch name {
		case "light":
			want = theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight)
		case "dark":
			want = theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
		default:
			want = theme.DefaultTheme().Color(theme.ColorNameBackground, fyne.CurrentApp().Settings().ThemeVariant())
		}
		if got := bg(); got != want {
			t.Errorf("%s: background %v, want %v", labels[i], got, want)
		}
	}
	if theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight) == theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Fatal("light and dark backgrounds are the same: the test cannot tell them apart")
	}
}
