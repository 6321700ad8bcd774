package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/control/controltest"
)

// editBehind opens the profile "Other" in the editor, types a change,
// then changes its file on disk behind the editor's back.
func editBehind(t *testing.T) (*Profiles, string, string) {
	t.Helper()
	w, c := newWindow(t)
	controltest.AddProfile(t, c, "Other")
	s := w.Profiles
	s.Refresh()
	s.Select("Other")
	drain(&s.jobs)
	if s.Form.Orig() != "Other" {
		t.Fatalf("editing %q", s.Form.Orig())
	}
	s.Form.IdleTimeout.SetText("")
	test.Type(s.Form.IdleTimeout, "5m")

	path, _ := c.Store().Path("Other")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	theirs := strings.Replace(string(data), "max_connections = 0", "max_connections = 7", 1) + "# edited in a text editor\n"
	if theirs == string(data)+"# edited in a text editor\n" {
		t.Fatalf("no max_connections line to change in:\n%s", data)
	}
	if err := os.WriteFile(path, []byte(theirs), 0o600); err != nil {
		t.Fatal(err)
	}
	tapAndWait(t, s, s.Form.Save)
	top := s.win.Canvas().Overlays().Top()
	shown := find(top, func(l *widget.Label) bool {
		return strings.Contains(l.Text, "changed on disk since it was opened here:\n"+path)
	})
	if s.Conflict == nil || len(shown) != 1 {
		t.Fatal("no conflict dialog naming the file after saving over a file changed on disk")
	}
	if got, _ := os.ReadFile(path); string(got) != theirs {
		t.Fatalf("the change on disk was overwritten:\n%s", got)
	}
	return s, path, theirs
}

func TestSaveConflictReload(t *testing.T) {
	s, path, theirs := editBehind(t)
	tapAndWait(t, s, s.Conflict.Reload)
	if s.win.Canvas().Overlays().Top() != nil {
		t.Error("the conflict dialog is still up")
	}
	if s.Form.Dirty() || s.Form.IdleTimeout.Text != "0s" || s.Form.MaxConns.Text != "7" {
		t.Fatalf("after Reload: dirty %v, idle %q, max %q", s.Form.Dirty(), s.Form.IdleTimeout.Text, s.Form.MaxConns.Text)
	}
	if got, _ := os.ReadFile(path); string(got) != theirs {
		t.Fatalf("Reload wrote the file:\n%s", got)
	}
	// The editor now holds the version on disk: a save goes through.
	s.Form.IdleTimeout.SetText("")
	test.Type(s.Form.IdleTimeout, "6m")
	s.Conflict = nil
	tapAndWait(t, s, s.Form.Save)
	if s.Conflict != nil || s.Form.Dirty() {
		t.Fatalf("save after Reload: conflict %v, error %q", s.Conflict != nil, s.Form.Error.Text)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), `idle_timeout = "6m0s"`) || !strings.Contains(string(got), "max_connections = 7") {
		t.Errorf("file after the save:\n%s", got)
	}
}

func TestSaveConflictOverwrite(t *testing.T) {
	s, path, _ := editBehind(t)
	tapAndWait(t, s, s.Conflict.Overwrite)
	if s.Form.Dirty() || s.Form.Error.Visible() {
		t.Fatalf("after Overwrite: dirty %v, error %q", s.Form.Dirty(), s.Form.Error.Text)
	}
	got, _ := os.ReadFile(path)
	if !strings.Contains(string(got), `idle_timeout = "5m0s"`) || strings.Contains(string(got), "max_connections = 7") {
		t.Errorf("file after Overwrite:\n%s", got)
	}
}
