package profiles

import (
	"errors"
	"os"
	"testing"
)

func TestSaveIfConflict(t *testing.T) {
	s := newStore(t)
	path := writeProfile(t, s, "p", "port = 2001\n")
	p, v, err := s.LoadVersion("p")
	if err != nil {
		t.Fatal(err)
	}

	// Someone edits the file behind the editor's back.
	theirs := "# edited by hand\nport = 2002\n"
	if err := os.WriteFile(path, []byte(theirs), 0o600); err != nil {
		t.Fatal(err)
	}
	p.Port = 2003
	err = s.SaveIf(p, v)
	var ce *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) || ce.Name != "p" || ce.File != path {
		t.Fatalf("SaveIf over a changed file: %v", err)
	}
	if want := `profile "p" (` + path + `) changed on disk since it was loaded; reload it or overwrite it`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != theirs {
		t.Fatalf("the change on disk was overwritten:\n%s", got)
	}
	if err := s.CheckVersion("p", v); !errors.Is(err, ErrConflict) {
		t.Errorf("CheckVersion of the old version: %v", err)
	}
	if err := s.CheckVersion("p", ce.Disk); err != nil {
		t.Errorf("CheckVersion of the version on disk: %v", err)
	}

	// Overwrite: save over the version the conflict saw.
	if err := s.SaveIf(p, ce.Disk); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	got, v2, err := s.LoadVersion("p")
	if err != nil || got.Port != 2003 {
		t.Fatalf("after overwrite: %+v, %v", got, err)
	}

	// The app's own saves are versions too: a second editor still
	// holding the first version conflicts, the current one does not.
	if err := s.SaveIf(p, ce.Disk); !errors.Is(err, ErrConflict) {
		t.Errorf("SaveIf with a version the app itself replaced: %v", err)
	}
	p.Port = 2004
	if err := s.SaveIf(p, v2); err != nil {
		t.Errorf("SaveIf with the current version: %v", err)
	}
}

func TestSaveIfRemovedOrCreated(t *testing.T) {
	s := newStore(t)
	path := writeProfile(t, s, "p", "port = 2001\n")
	p, v, err := s.LoadVersion("p")
	if err != nil {
		t.Fatal(err)
	}
	removeFile(t, path)
	err = s.SaveIf(p, v)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Disk != (Version{}) {
		t.Fatalf("SaveIf over a removed file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a removed file was written again without asking")
	}
	// The zero Version is "no file": overwriting writes it back.
	if err := s.SaveIf(p, ce.Disk); err != nil {
		t.Fatal(err)
	}
	// And a file that appeared where none was conflicts.
	if err := s.SaveIf(New("q"), Version{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveIf(New("q"), Version{}); !errors.Is(err, ErrConflict) {
		t.Errorf("SaveIf with no file expected, over one: %v", err)
	}
}
