package autostart

import (
	"errors"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The Run key for real, under a value name of the test's own, so that the
// user's "Sockstray" entry is never touched.
func TestRunKeyRoundTrip(t *testing.T) {
	e := Entry{ID: ID + ".Test", Name: "Sockstray test " + t.Name()}
	t.Cleanup(func() { e.Disable() })
	exe := `C:\Program Files\Sockstray\sockstray.exe`
	if err := e.Enable(exe, "sysproxy-restore", "--if-stale"); err != nil {
		t.Fatal(err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	got, typ, err := k.GetStringValue(e.Name)
	want := `"C:\Program Files\Sockstray\sockstray.exe" sysproxy-restore --if-stale`
	if err != nil || typ != registry.SZ || got != want {
		t.Fatalf("Run value = %q (type %d), %v; want %q", got, typ, err, want)
	}
	if on, err := e.Enabled(); !on || err != nil {
		t.Errorf("Enabled = %v, %v after Enable", on, err)
	}
	if p, _ := e.Path(); p != `HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\`+e.Name {
		t.Errorf("Path = %q", p)
	}
	// Enabling again replaces the value.
	if err := e.Enable(exe); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := k.GetStringValue(e.Name); got != `"C:\Program Files\Sockstray\sockstray.exe"` {
		t.Errorf("after a second Enable: %q", got)
	}
	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.GetStringValue(e.Name); !errors.Is(err, registry.ErrNotExist) {
		t.Errorf("value after Disable: %v", err)
	}
	if on, err := e.Enabled(); on || err != nil {
		t.Errorf("Enabled = %v, %v after Disable", on, err)
	}
	if err := e.Disable(); err != nil {
		t.Errorf("Disable of nothing: %v", err)
	}
	if err := e.Enable(`sockstray.exe`); !errors.Is(err, ErrRelative) {
		t.Errorf("relative exe: %v, want ErrRelative", err)
	}
}
