package logfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

func open(t *testing.T, cfg Config) *Writer {
	t.Helper()
	w, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(winetest.TempDir(t), "state", "sockstray")
	w := open(t, Config{Dir: dir})
	if got, want := w.Path(), filepath.Join(dir, DefaultName); got != want {
		t.Fatalf("Path() = %q, want %q", got, want)
	}
	if _, err := fmt.Fprintln(w, "hello"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, w.Path()); got != "hello\n" {
		t.Fatalf("log = %q", got)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, w.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
}

func TestAppendsAndTightensMode(t *testing.T) {
	dir := winetest.TempDir(t)
	path := filepath.Join(dir, DefaultName)
	if err := os.WriteFile(path, []byte("old line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := open(t, Config{Dir: dir, MaxSize: 20})
	fmt.Fprintln(w, "new line") // 9 + 9 bytes: fits under 20
	if got := read(t, path); got != "old line\nnew line\n" {
		t.Fatalf("log = %q", got)
	}
	fmt.Fprintln(w, "third") // would pass 20: rotates first
	if got := read(t, path); got != "third\n" {
		t.Fatalf("after rotation log = %q", got)
	}
	if got := read(t, path+".1"); got != "old line\nnew line\n" {
		t.Fatalf("log.1 = %q", got)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path + ".1")
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("existing file kept mode %v", fi.Mode().Perm())
		}
	}
}

func TestRotationKeepsMaxFiles(t *testing.T) {
	dir := winetest.TempDir(t)
	w := open(t, Config{Dir: dir, Name: "app.log", MaxSize: 100, MaxFiles: 2})
	// 20 lines of 25 bytes: 4 per file, so 5 files' worth.
	for i := range 20 {
		fmt.Fprintf(w, "line %02d %s\n", i, strings.Repeat("x", 16))
	}
	base := filepath.Join(dir, "app.log")
	want := map[string]string{base: "16-19", base + ".1": "12-15", base + ".2": "08-11"}
	for path, lines := range want {
		got := read(t, path)
		if len(got) > 100 {
			t.Errorf("%s: %d bytes, over the cap", path, len(got))
		}
		var first, last int
		fmt.Sscanf(lines, "%d-%d", &first, &last)
		var b strings.Builder
		for i := first; i <= last; i++ {
			fmt.Fprintf(&b, "line %02d %s\n", i, strings.Repeat("x", 16))
		}
		if got != b.String() {
			t.Errorf("%s = %q, want lines %s", path, got, lines)
		}
	}
	if exists(base + ".3") {
		t.Errorf("%s.3 kept, want at most 2 old files", base)
	}
}

func TestShrinkingMaxFilesDropsOlder(t *testing.T) {
	dir := winetest.TempDir(t)
	base := filepath.Join(dir, DefaultName)
	for _, suffix := range []string{"", ".1", ".2", ".3", ".4"} {
		os.WriteFile(base+suffix, []byte("old\n"), 0o600)
	}
	w := open(t, Config{Dir: dir, MaxSize: 5, MaxFiles: 1})
	fmt.Fprintln(w, "new")
	for _, suffix := range []string{".2", ".3", ".4"} {
		if exists(base + suffix) {
			t.Errorf("%s%s kept with MaxFiles 1", base, suffix)
		}
	}
	if got := read(t, base); got != "new\n" {
		t.Errorf("log = %q", got)
	}
}

func TestNoOldFiles(t *testing.T) {
	dir := winetest.TempDir(t)
	w := open(t, Config{Dir: dir, MaxSize: 10, MaxFiles: -1})
	fmt.Fprintln(w, "first line")
	fmt.Fprintln(w, "second line")
	if got := read(t, w.Path()); got != "second line\n" {
		t.Fatalf("log = %q", got)
	}
	if exists(w.Path() + ".1") {
		t.Fatal("rotated file kept with MaxFiles -1")
	}
}

func TestLargeWriteIsWhole(t *testing.T) {
	dir := winetest.TempDir(t)
	w := open(t, Config{Dir: dir, MaxSize: 10})
	fmt.Fprintln(w, "a")
	big := strings.Repeat("b", 50) + "\n"
	if n, err := w.Write([]byte(big)); err != nil || n != len(big) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got := read(t, w.Path()); got != big {
		t.Fatalf("log = %q, want the large write alone", got)
	}
	fmt.Fprintln(w, "c")
	if got := read(t, w.Path()); got != "c\n" {
		t.Fatalf("log after large write = %q", got)
	}
}

func TestWriteAfterClose(t *testing.T) {
	w := open(t, Config{Dir: winetest.TempDir(t)})
	fmt.Fprintln(w, "one")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	fmt.Fprintln(w, "two")
	if got := read(t, w.Path()); got != "one\ntwo\n" {
		t.Fatalf("log = %q", got)
	}
}

func TestConcurrentWritesLoseNoLine(t *testing.T) {
	dir := winetest.TempDir(t)
	w := open(t, Config{Dir: dir, MaxSize: 1 << 10, MaxFiles: 100})
	const writers, lines = 8, 200
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "writer %d line %03d\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Close()
	var all bytes.Buffer
	matches, _ := filepath.Glob(filepath.Join(dir, DefaultName+"*"))
	for _, m := range matches {
		b := read(t, m)
		if len(b) > 1<<10 {
			t.Errorf("%s: %d bytes, over the cap", m, len(b))
		}
		if !strings.HasSuffix(b, "\n") {
			t.Errorf("%s ends inside a line", m)
		}
		all.WriteString(b)
	}
	if got := strings.Count(all.String(), "\n"); got != writers*lines {
		t.Fatalf("%d lines in %d files, want %d", got, len(matches), writers*lines)
	}
}
