package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/internal/testnet"
)

// usageHome is a fresh config folder whose usage history holds a few
// days, with "today" fixed at 2026-05-20.
func usageHome(t *testing.T) *usage.Store {
	t.Helper()
	home := freshConfigHome(t)
	now := time.Date(2026, 5, 20, 15, 0, 0, 0, time.Local)
	old := usageClock
	usageClock = func() time.Time { return now }
	t.Cleanup(func() { usageClock = old })
	store := &usage.Store{Path: usage.DefaultPath(filepath.Join(home, "sockstray"))}
	counts := map[usage.Key]usage.Bytes{}
	add := func(day string, by usage.Dim, name string, up, down int64) {
		counts[usage.Key{Day: day, By: by, Name: name}] = usage.Bytes{Up: up, Down: down}
	}
	add("2026-04-01", usage.ByHost, "too-old.test", 1, 1) // before --days 30
	add("2026-05-18", usage.ByHost, "video.test", 20_000, 3_400_000_000)
	add("2026-05-18", usage.ByClient, usage.ThisComputer, 20_000, 3_400_000_000)
	add("2026-05-20", usage.ByHost, "video.test", 1_000, 2_000_000)
	add("2026-05-20", usage.ByHost, "mail.test", 45_000, 120_000)
	add("2026-05-20", usage.ByClient, "192.168.1.20", 46_000, 2_120_000)
	if err := store.Add(counts, ""); err != nil {
		t.Fatal(err)
	}
	return store
}

func usageCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(append([]string{"usage"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestUsageCommand compares `sockstray usage` with golden files
// (UPDATE_GOLDEN=1 rewrites them).
func TestUsageCommand(t *testing.T) {
	usageHome(t)
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"host.txt", nil},
		{"client.txt", []string{"--by", "client"}},
		{"program.txt", []string{"--by", "program"}},
		{"host-2days.txt", []string{"--days", "2"}},
		{"host.csv", []string{"--csv"}},
		{"client.csv", []string{"--by", "client", "--csv"}},
	} {
		code, out, errs := usageCLI(tc.args...)
		if code != 0 || errs != "" {
			t.Errorf("usage %v: exit %d, stderr %q", tc.args, code, errs)
		}
		usageGolden(t, filepath.Join("testdata", "usage", tc.golden), out)
	}
}

func usageGolden(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestUsageCommandErrors(t *testing.T) {
	freshConfigHome(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 1, `no usage history (turn on "Keep usage history" in the app's Settings)`},
		{[]string{"--by", "url"}, 2, `--by "url": want host, client or program`},
		{[]string{"--days", "0"}, 2, "want --days 1 to 3650"},
		{[]string{"extra"}, 2, "no other arguments"},
	} {
		code, out, errs := usageCLI(tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("usage %v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errs, tc.code, tc.want)
		}
	}
}

// TestUsageCommandBusy: while another process holds the file for
// writing, the command waits, then says so; it reads once the file is
// free.
func TestUsageCommandBusy(t *testing.T) {
	store := usageHome(t)
	old := usageWait
	usageWait = 200 * time.Millisecond
	t.Cleanup(func() { usageWait = old })
	db, err := bolt.Open(store.Path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := usageCLI()
	db.Close()
	if code != 1 || !strings.Contains(errs, "in use by another program; try again in a moment") {
		t.Errorf("while busy: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := usageCLI(); code != 0 {
		t.Errorf("once free: exit %d, stderr %q", code, errs)
	}
}

// TestUsageCommandWhileRecording: the command reads the file while a
// recorder (as the app runs it) writes it every few milliseconds: the
// recorder opens the file only to write, so the two take turns.
func TestUsageCommandWhileRecording(t *testing.T) {
	store := usageHome(t)
	e := engine.New()
	if err := e.Start(&server.Config{Listen: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	rec, err := usage.Start(e, usage.Options{Store: &usage.Store{Path: store.Path}, FlushEvery: 5 * time.Millisecond, Now: usageClock})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	// Traffic all along, so that every flush writes.
	d, err := proxy.SOCKS5("tcp", e.Addr().String(), nil, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Dial("tcp", testnet.EchoTCP(t, "tcp4").String())
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1000)
		for {
			select {
			case <-stop:
				return
			default:
			}
			c.Write(buf)
			io.ReadFull(c, buf)
		}
	}()
	for range 100 {
		if code, out, errs := usageCLI("--by", "client"); code != 0 || !strings.Contains(out, "192.168.1.20") {
			t.Fatalf("while recording: exit %d, stdout %q, stderr %q", code, out, errs)
		}
	}
	close(stop)
	<-done
	c.Close()
	// A flush that met the command holding the file kept its counts for
	// the next: once one runs alone, they are there.
	if err := rec.Flush(); err != nil {
		t.Fatalf("flush after the reads: %v", err)
	}
	if code, out, _ := usageCLI("--by", "client", "--csv"); code != 0 || !strings.Contains(out, "2026-05-20,client,this computer,") {
		t.Errorf("the recorder's writes do not show: %q", out)
	}
}
