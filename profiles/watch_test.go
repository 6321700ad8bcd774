package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// watched is a store with one profile "p" (port 2001) and a watcher on it.
func watched(t *testing.T) (*Store, *Watcher, string) {
	t.Helper()
	s := newStore(t)
	path := writeProfile(t, s, "p", "port = 2001\n")
	w, err := s.Watch()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return s, w, path
}

func wantEvent(t *testing.T, w *Watcher, kind EventKind, name string, port int) Event {
	t.Helper()
	ev := nextEvent(t, w)
	if ev.Kind != kind || ev.Name != name {
		t.Fatalf("event %v %q (err %v), want %v %q", ev.Kind, ev.Name, ev.Err, kind, name)
	}
	if port != 0 && (ev.Profile == nil || ev.Profile.Port != port) {
		t.Fatalf("event %v %q has profile %+v, want port %d", ev.Kind, ev.Name, ev.Profile, port)
	}
	return ev
}

// quiet is long enough for a debounce and the reading after it.
const quiet = 3 * Debounce

func TestWatchInPlaceWrite(t *testing.T) {
	_, w, path := watched(t)
	os.WriteFile(path, []byte("port = 2002\n"), 0o600)
	wantEvent(t, w, Changed, "p", 2002)
	noEvent(t, w, quiet)
}

func TestWatchAtomicRename(t *testing.T) {
	// VS Code, and vim with backupcopy=no: write a temporary file, rename it over.
	_, w, path := watched(t)
	tmp := filepath.Join(filepath.Dir(path), ".p.toml.swp")
	os.WriteFile(tmp, []byte("port = 2003\n"), 0o600)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, w, Changed, "p", 2003)
	noEvent(t, w, quiet)
}

func TestWatchVimBackupDance(t *testing.T) {
	// vim's default: rename the file to a backup, write a new one, remove the backup.
	_, w, path := watched(t)
	backup := path + "~"
	if err := os.Rename(path, backup); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("port = 2004\n"), 0o600)
	os.Remove(backup)
	wantEvent(t, w, Changed, "p", 2004)
	noEvent(t, w, quiet)
}

func TestWatchDeleteAndRecreate(t *testing.T) {
	_, w, path := watched(t)
	os.Remove(path)
	wantEvent(t, w, Removed, "p", 0)
	os.WriteFile(path, []byte("port = 2005\n"), 0o600)
	wantEvent(t, w, Added, "p", 2005)
	noEvent(t, w, quiet)
}

func TestWatchBurstIsOneReload(t *testing.T) {
	_, w, path := watched(t)
	for i := range 50 {
		if err := os.WriteFile(path, fmt.Appendf(nil, "port = %d\n", 3000+i), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	wantEvent(t, w, Changed, "p", 3049)
	noEvent(t, w, quiet)
}

func TestWatchInvalidEditKeepsLastGood(t *testing.T) {
	s, w, path := watched(t)
	const broken = "port = 2006\nhost = \"192.168.1.9\"\n"
	os.WriteFile(path, []byte(broken), 0o600)
	ev := wantEvent(t, w, Invalid, "p", 0)
	want := path + `:2:1: host: "192.168.1.9" is not a loopback address (127.0.0.1, ::1, localhost); to listen on the LAN set share_on_lan = true`
	if ev.Err == nil || ev.Err.Error() != want {
		t.Errorf("invalid event error = %v\nwant %s", ev.Err, want)
	}
	if ev.Err.Problems[0].Line != 2 || ev.Err.Problems[0].Field != "host" {
		t.Errorf("problem = %+v, want line 2, field host", ev.Err.Problems[0])
	}
	if data, _ := os.ReadFile(path); string(data) != broken {
		t.Errorf("the broken file was changed on disk: %q", data)
	}
	// Touching it again with the same content reports nothing new.
	os.WriteFile(path, []byte(broken), 0o600)
	noEvent(t, w, quiet)
	// Fixed, it is a change of the profile that was good before.
	os.WriteFile(path, []byte("port = 2007\n"), 0o600)
	wantEvent(t, w, Changed, "p", 2007)
	// A new file that starts broken is Added once it is fixed.
	writeProfile(t, s, "q", "port = x\n")
	wantEvent(t, w, Invalid, "q", 0)
	writeProfile(t, s, "q", "port = 2008\n")
	wantEvent(t, w, Added, "q", 2008)
}

func TestWatchIgnoresOwnSaves(t *testing.T) {
	s, w, path := watched(t)
	p := New("p")
	p.Port = 2010
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(New("other")); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename("other", "renamed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("renamed"); err != nil {
		t.Fatal(err)
	}
	noEvent(t, w, quiet)
	// A foreign edit after the app's save is reported, and so is going
	// back to what the app had saved.
	saved, _ := os.ReadFile(path)
	os.WriteFile(path, []byte("port = 2011\n"), 0o600)
	wantEvent(t, w, Changed, "p", 2011)
	os.WriteFile(path, saved, 0o600)
	wantEvent(t, w, Changed, "p", 2010)
}

func TestWatchIgnoresOtherFiles(t *testing.T) {
	s, w, _ := watched(t)
	for _, f := range []string{"notes.txt", ".p.toml.swp", "p.toml~", "4913", ".hidden.toml"} {
		os.WriteFile(filepath.Join(s.Dir, f), []byte("x"), 0o600)
	}
	noEvent(t, w, quiet)
}

func TestWatchAppSavesWhileEditorSaves(t *testing.T) {
	s, w, path := watched(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		go func() { // the app
			defer wg.Done()
			p := New("p")
			p.Port = 4000 + i
			if err := s.Save(p); err != nil {
				t.Errorf("save: %v", err)
			}
		}()
		go func() { // an editor, saving atomically
			defer wg.Done()
			tmp := filepath.Join(s.Dir, fmt.Sprintf(".p.toml.editor%d", i))
			os.WriteFile(tmp, fmt.Appendf(nil, "port = %d\n", 5000+i), 0o600)
			os.Rename(tmp, path)
		}()
	}
	wg.Wait()
	// Whatever won, the watcher settles on the file's content: it reports
	// it at most once (nothing if the app's save won) and then nothing.
	final, err := s.Load("p")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.After(quiet + 2*time.Second)
	var last *Profile
	for {
		select {
		case ev := <-w.Events():
			if ev.Kind != Changed || ev.Name != "p" {
				t.Fatalf("event %v %q (%v)", ev.Kind, ev.Name, ev.Err)
			}
			last = ev.Profile
			continue
		case <-deadline:
		}
		break
	}
	if final.Port >= 5000 && (last == nil || last.Port != final.Port) {
		t.Errorf("the file ended with the editor's save (port %d), but the last event was %+v", final.Port, last)
	}
	noEvent(t, w, quiet) // no loop
}

func TestWatcherCloseEndsEvents(t *testing.T) {
	_, w, _ := watched(t)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-w.Events(); open {
		t.Error("Events still open after Close")
	}
	w.Close() // twice is fine
}
