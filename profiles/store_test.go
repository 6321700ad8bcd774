package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestDefaultDirHonoursXDGConfigHome(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("os.UserConfigDir ignores XDG_CONFIG_HOME here")
	}
	cfg := winetest.TempDir(t)
	t.Setenv("XDG_CONFIG_HOME", cfg)
	dir, err := DefaultDir()
	if err != nil || dir != filepath.Join(cfg, "sockstray", "profiles") {
		t.Fatalf("DefaultDir = %q, %v", dir, err)
	}
	sp, err := SettingsPath()
	if err != nil || sp != filepath.Join(cfg, "sockstray", "settings.toml") {
		t.Errorf("SettingsPath = %q, %v", sp, err)
	}
	var s Store
	if created, err := s.EnsureBuiltin(); err != nil || !created {
		t.Fatalf("EnsureBuiltin = %v, %v", created, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Direct.toml")); err != nil {
		t.Errorf("built-in profile not in the default folder: %v", err)
	}
}

func TestSaveIsAtomicAndPrivate(t *testing.T) {
	s := newStore(t)
	p := New("work")
	p.Port = 1090
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	p.Port = 1091
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir, "work.toml")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
		}
		di, _ := os.Stat(s.Dir)
		if di.Mode().Perm() != 0o700 {
			t.Errorf("folder mode %v, want 0700", di.Mode().Perm())
		}
	}
	ents, _ := os.ReadDir(s.Dir)
	if len(ents) != 1 {
		t.Errorf("folder holds %d entries (temporary files left?)", len(ents))
	}
	got, err := s.Load("work")
	p.dir = s.Dir // a loaded profile knows its folder
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("Load = %+v, %v; want %+v", got, err, p)
	}
}

func TestSaveRejectsInvalidProfile(t *testing.T) {
	s := newStore(t)
	p := New("work")
	p.Port = 0
	err := s.Save(p)
	var ie *InvalidError
	if !errors.As(err, &ie) || err.Error() != `profile "work": port: 0 is not a port (1–65535)` {
		t.Errorf("Save = %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "work.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an invalid profile reached the disk: %v", err)
	}
}

func TestSaveNeverOverwritesABrokenFile(t *testing.T) {
	s := newStore(t)
	const broken = "port = 99999\n"
	path := writeProfile(t, s, "work", broken)
	err := s.Save(New("work"))
	want := "not saved, the file on disk has problems (fix or remove it first): " + path + ":1:1: port: 99999 is not a port (1–65535)"
	if err == nil || err.Error() != want {
		t.Errorf("Save = %v\nwant %s", err, want)
	}
	if data, _ := os.ReadFile(path); string(data) != broken {
		t.Errorf("the broken file was overwritten: %q", data)
	}
}

func TestDuplicateNames(t *testing.T) {
	s := newStore(t)
	if err := s.Create(New("Work")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op   string
		err  error
		want string
	}{
		{"create same", s.Create(New("Work")), `a profile with that name exists: "Work"`},
		{"create other case", s.Create(New("work")), `a profile with that name exists: "Work"`},
		{"save other case", s.Save(New("WORK")), `a profile with that name exists: "Work"`},
	} {
		if !errors.Is(tc.err, ErrExists) || tc.err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.op, tc.err, tc.want)
		}
	}
	if err := s.Save(New("Work")); err != nil {
		t.Errorf("saving over its own file: %v", err)
	}
}

func TestListReportsBrokenFilesAndCaseClashes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot hold these files: CON.toml is a device, good.toml and Good.toml one file")
	}
	s := newStore(t)
	writeProfile(t, s, "good", "port = 1082\n")
	writeProfile(t, s, "broken", "port = \n")
	writeProfile(t, s, "Good", "port = 1083\n")
	writeProfile(t, s, ".hidden", "garbage")
	writeProfile(t, s, "CON", "")
	os.WriteFile(filepath.Join(s.Dir, "notes.txt"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(s.Dir, "good.toml~"), []byte("x"), 0o600)
	ents, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		line := e.Name
		if e.Err != nil {
			line += " ERR " + strings.ReplaceAll(e.Err.Error(), s.Dir, "DIR")
		} else {
			line += " ok"
		}
		got = append(got, line)
	}
	want := []string{
		`CON ERR DIR/CON.toml: name: "CON" is a device name on Windows (CON, PRN, AUX, NUL, COM1…, LPT1…)`,
		"Good ok",
		"broken ERR DIR/broken.toml:1:8: port: TOML syntax: no value after the =",
		`good ERR DIR/good.toml: name: differs from profile "Good" only in case, which macOS and Windows cannot tell apart; rename one`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("List:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadErrors(t *testing.T) {
	s := newStore(t)
	_, err := s.Load("missing")
	if !errors.Is(err, ErrNotFound) || err.Error() != `no such profile: "missing" (there is no `+filepath.Join(s.Dir, "missing.toml")+")" {
		t.Errorf("Load(missing) = %v", err)
	}
	for _, name := range []string{"../escape", `..\escape`} {
		if _, err := s.Load(name); err == nil || !strings.Contains(err.Error(), "profile name:") {
			t.Errorf("Load(%q) = %v, want a name error", name, err)
		}
	}
}

func TestBuiltinProfile(t *testing.T) {
	s := newStore(t)
	created, err := s.EnsureBuiltin()
	if err != nil || !created {
		t.Fatalf("EnsureBuiltin on an empty folder = %v, %v", created, err)
	}
	p, err := s.Load("Direct")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.ServerConfig(Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:1080" || cfg.Username != "" || cfg.Route.String() != "direct" || cfg.Router != nil || len(cfg.Allow) != 0 {
		t.Errorf("built-in config = %+v, want 127.0.0.1:1080, no auth, direct", cfg)
	}
	// Edited, it stays edited.
	p.Port = 1099
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if created, _ := s.EnsureBuiltin(); created {
		t.Error("EnsureBuiltin rewrote an existing folder")
	}
	if p, _ := s.Load("Direct"); p == nil || p.Port != 1099 {
		t.Errorf("the edit was lost: %+v", p)
	}
	// A folder with only other profiles is not empty.
	if err := s.Remove("Direct"); err != nil {
		t.Fatal(err)
	}
	writeProfile(t, s, "other", "")
	if created, _ := s.EnsureBuiltin(); created {
		t.Error("EnsureBuiltin wrote Direct next to another profile")
	}
	// Emptied, it comes back.
	os.Remove(filepath.Join(s.Dir, "other.toml"))
	if created, err := s.EnsureBuiltin(); err != nil || !created {
		t.Errorf("EnsureBuiltin on an emptied folder = %v, %v", created, err)
	}
}
