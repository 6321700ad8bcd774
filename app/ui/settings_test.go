package ui

import (
	"testing"

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
