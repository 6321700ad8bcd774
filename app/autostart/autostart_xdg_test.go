//go:build !darwin && !windows

package autostart

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

// configHome points XDG_CONFIG_HOME at a fresh directory.
func configHome(t *testing.T) string {
	t.Helper()
	dir := winetest.TempDir(t)
	t.Setenv("XDG_CONFIG_HOME", dir)
	return dir
}

func enabled(t *testing.T) bool {
	t.Helper()
	on, err := Enabled()
	if err != nil {
		t.Fatal(err)
	}
	return on
}

func TestEnableDisable(t *testing.T) {
	home := configHome(t)
	path := filepath.Join(home, "autostart", ID+".desktop")
	if p, err := Path(); err != nil || p != path {
		t.Fatalf("Path() = %q, %v; want %q", p, err, path)
	}
	if enabled(t) {
		t.Fatal("enabled before Enable")
	}

	exe := "/opt/Sock Stray/bin/sockstray"
	if err := Enable(exe); err != nil {
		t.Fatal(err)
	}
	if !enabled(t) {
		t.Fatal("not enabled after Enable")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nExec=\"/opt/Sock Stray/bin/sockstray\"\n") {
		t.Errorf("entry does not run %s:\n%s", exe, data)
	}
	validate(t, path)

	// Enabling again replaces the entry: the app moved.
	if err := Enable("/usr/bin/sockstray", "--hidden"); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if !strings.Contains(string(data), "\nExec=/usr/bin/sockstray --hidden\n") {
		t.Errorf("entry not replaced:\n%s", data)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("autostart dir holds %d files, want only the entry", len(entries))
	}

	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("entry still there after Disable: %v", err)
	}
	if enabled(t) {
		t.Fatal("enabled after Disable")
	}
	if err := Disable(); err != nil {
		t.Fatalf("second Disable: %v", err)
	}
}

func TestDisableKeepsOtherEntries(t *testing.T) {
	home := configHome(t)
	other := filepath.Join(home, "autostart", "other.desktop")
	os.MkdirAll(filepath.Dir(other), 0o755)
	os.WriteFile(other, []byte("[Desktop Entry]\n"), 0o644)
	if err := Enable("/usr/bin/sockstray"); err != nil {
		t.Fatal(err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("another app's entry went: %v", err)
	}
}

func TestSwitchedOffEntry(t *testing.T) {
	configHome(t)
	path, _ := Path()
	for _, line := range []string{"Hidden=true", "X-GNOME-Autostart-enabled=false"} {
		if err := Enable("/usr/bin/sockstray"); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		data = []byte(strings.Replace(string(data), "X-GNOME-Autostart-enabled=true\n", line+"\n", 1))
		os.WriteFile(path, data, 0o644)
		if enabled(t) {
			t.Errorf("entry with %s reported enabled", line)
		}
	}
}

func TestHomeFallback(t *testing.T) {
	home := winetest.TempDir(t)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	if p, err := Path(); err != nil || p != filepath.Join(home, ".config", "autostart", ID+".desktop") {
		t.Fatalf("Path() = %q, %v", p, err)
	}
}

func TestEnableRejects(t *testing.T) {
	home := configHome(t)
	if err := Enable("bin/sockstray"); !errors.Is(err, ErrRelative) {
		t.Errorf("relative path: %v, want ErrRelative", err)
	}
	if err := Enable("/usr/bin/sockstray", "a\nHidden=true"); err == nil {
		t.Error("an argument with a newline was written")
	}
	if _, err := os.Stat(filepath.Join(home, "autostart")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected Enable left files: %v", err)
	}
}

// validate runs desktop-file-validate on the entry when it is installed
// (make package-test installs it).
func validate(t *testing.T, path string) {
	t.Helper()
	tool, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Log("desktop-file-validate not installed; entry not validated")
		return
	}
	if out, err := exec.Command(tool, path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
}

// Another entry of the app (the system proxy's login check) lives beside
// App's and neither disturbs the other.
func TestEntriesApart(t *testing.T) {
	home := configHome(t)
	check := Entry{ID: ID + ".Check", Name: "Sockstray check", Comment: "Check something at login"}
	if err := Enable("/usr/bin/sockstray"); err != nil {
		t.Fatal(err)
	}
	if err := check.Enable("/usr/bin/sockstray", "check"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "autostart", ID+".Check.desktop")
	if p, _ := check.Path(); p != path {
		t.Fatalf("check.Path() = %q", p)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"\nName=Sockstray check\n", "\nComment=Check something at login\n", "\nExec=/usr/bin/sockstray check\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("entry lacks %q:\n%s", want, data)
		}
	}
	validate(t, path)
	app, _ := os.ReadFile(filepath.Join(home, "autostart", ID+".desktop"))
	if err := check.Disable(); err != nil {
		t.Fatal(err)
	}
	if on, _ := check.Enabled(); on {
		t.Error("check enabled after its Disable")
	}
	if got, _ := os.ReadFile(filepath.Join(home, "autostart", ID+".desktop")); !enabled(t) || string(got) != string(app) {
		t.Errorf("App's entry changed with the other's Disable:\n%s", got)
	}
}
