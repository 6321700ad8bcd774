//go:build !windows

package profiles

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/internal/testnet"
)

// oddFiles are the files a profile or settings path must not be read as,
// each made at path, with the reason the error must give.
var oddFiles = []struct {
	name   string
	make   func(t *testing.T, path string)
	reason string
}{
	{"fifo", func(t *testing.T, path string) {
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
	}, "is a named pipe (FIFO), not a regular file"},
	{"symlink to /dev/zero", func(t *testing.T, path string) {
		if err := os.Symlink("/dev/zero", path); err != nil {
			t.Fatal(err)
		}
	}, "is a character device, not a regular file"},
	{"2 MiB file", func(t *testing.T, path string) {
		if err := os.WriteFile(path, []byte("# "+strings.Repeat("x", 2<<20)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}, "is larger than 1024 KiB, too large for a profile or settings file"},
	{"folder", func(t *testing.T, path string) {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	}, "is a folder, not a regular file"},
}

// quickly fails the test when f takes longer than a second: a FIFO must
// not hang, /dev/zero must not be read to the end.
func quickly(t *testing.T, what string, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > time.Second {
		t.Errorf("%s took %v", what, d)
	}
}

func TestStoreRefusesOddFiles(t *testing.T) {
	for _, c := range oddFiles {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			writeProfile(t, s, "good", "port = 2001\n")
			path := filepath.Join(s.Dir, "odd"+Ext)
			c.make(t, path)
			want := path + ": " + c.reason

			quickly(t, "Load", func() {
				_, err := s.Load("odd")
				var fe *FileError
				if !errors.As(err, &fe) || err.Error() != want {
					t.Errorf("Load: %v, want %q", err, want)
				}
			})
			quickly(t, "List", func() {
				es, err := s.List()
				if err != nil || len(es) != 2 || es[1].Name != "odd" || es[1].Err == nil || es[1].Err.Error() != want {
					t.Errorf("List: %+v, %v; want odd with %q", es, err, want)
				}
			})
			quickly(t, "Save", func() {
				if err := s.Save(New("odd")); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Save over it: %v", err)
				}
			})
			quickly(t, "LoadSettings", func() {
				if _, err := LoadSettings(path); err == nil || err.Error() != want {
					t.Errorf("LoadSettings: %v, want %q", err, want)
				}
			})
			// The store still works.
			if p, err := s.Load("good"); err != nil || p.Port != 2001 {
				t.Fatalf("Load good: %+v, %v", p, err)
			}
			if err := s.Save(New("other")); err != nil {
				t.Fatalf("Save other: %v", err)
			}
		})
	}
}

func TestWatchReportsOddFiles(t *testing.T) {
	for _, c := range oddFiles {
		t.Run(c.name, func(t *testing.T) {
			s, w, path := watched(t)
			removeFile(t, path)
			wantEvent(t, w, Removed, "p", 0)
			c.make(t, path)
			ev := wantEvent(t, w, Invalid, "p", 0)
			if want := path + ": " + c.reason; ev.Err == nil || ev.Err.Error() != want {
				t.Fatalf("event error %v, want %q", ev.Err, want)
			}
			// The watcher goes on: the store works, a good file is picked up.
			if err := s.Save(New("q")); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			writeProfile(t, s, "p", "port = 2005\n")
			// The removal and the new file may come as one event or two.
			ev = nextEvent(t, w)
			if ev.Kind == Removed {
				ev = nextEvent(t, w)
			}
			if ev.Kind != Added || ev.Profile == nil || ev.Profile.Port != 2005 {
				t.Fatalf("after the fix: %v %+v (err %v)", ev.Kind, ev.Profile, ev.Err)
			}
		})
	}
}

// A followed profile replaced by a FIFO is reported, and its last good
// config stays: nothing is applied until a good file is back.
func TestFollowKeepsConfigWhenFileIsOdd(t *testing.T) {
	s, w, path := watched(t)
	logs := &testnet.Buffer{}
	applied := make(chan int, 4)
	type handled struct {
		ev  Event
		err error
	}
	seen := make(chan handled, 4)
	f := &Follower{Name: "p",
		Apply:       func(c *server.Config) error { applied <- 1; return nil },
		Credentials: func(*Profile) (Credentials, error) { return Credentials{}, nil },
		Logger:      slog.New(slog.NewTextHandler(logs, nil)),
		OnEvent:     func(ev Event, err error) { seen <- handled{ev, err} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx, w.Events()) }()
	t.Cleanup(func() { cancel(); <-done })
	next := func(want EventKind) {
		t.Helper()
		select {
		case h := <-seen:
			if h.ev.Kind != want {
				t.Fatalf("follower handled %v (err %v), want %v", h.ev.Kind, h.ev.Err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the follower saw no %v event", want)
		}
	}

	tmp := filepath.Join(filepath.Dir(path), ".p.fifo")
	if err := syscall.Mkfifo(tmp, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil { // replaces the good file at once
		t.Fatal(err)
	}
	next(Invalid)
	if len(applied) != 0 {
		t.Fatal("a config was applied for a FIFO")
	}
	want := `msg="profile invalid: ` + path + `: is a named pipe (FIFO), not a regular file, keeping the last good config" profile=p`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log:\n%s\nwant a line with:\n%s", logs, want)
	}
	removeFile(t, path)
	writeProfile(t, s, "p", "port = 2006\n")
	for {
		select {
		case h := <-seen:
			if h.ev.Kind == Removed {
				continue
			}
			if h.ev.Kind != Changed && h.ev.Kind != Added || h.err != nil || len(applied) != 1 {
				t.Fatalf("after the fix: %v (err %v), %d applied", h.ev.Kind, h.err, len(applied))
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("the good file was not followed")
		}
	}
}
