package control_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/profiles"
)

// TestUsageHistoryOffWritesNothing: with the history off (the default),
// traffic and a quit leave no history file at all.
func TestUsageHistoryOffWritesNothing(t *testing.T) {
	c := controltest.New(t)
	if c.Settings().UsageHistory {
		t.Fatal("usage history on by default")
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	controltest.Dial(t, c.State().Addr, controltest.Echo(t)).Close()
	if _, err := c.UsageReport(30); !errors.Is(err, usage.ErrNoHistory) {
		t.Errorf("report with the history off: %v, want ErrNoHistory", err)
	}
	if err := c.Close(0, 0); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(c.UsagePath()))
	for _, e := range entries {
		if e.Name() == filepath.Base(c.UsagePath()) {
			t.Errorf("%s exists with the history off", e.Name())
		}
	}
	if len(entries) == 0 {
		t.Error("the app's folder is empty: is UsagePath in it?")
	}
}

// TestUsageHistoryKeptAcrossRestart: turned on, the history counts the
// proxy's traffic by host, client and program, the switch is saved, and
// the next run of the app keeps counting into the same file. Turned off,
// it counts nothing more.
func TestUsageHistoryKeptAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	store := &profiles.Store{Dir: filepath.Join(dir, "profiles"), Keychain: &profiles.Keychain{Service: controltest.Service}}
	direct := profiles.Builtin()
	direct.Port = controltest.FreePort(t)
	if err := store.Create(direct); err != nil {
		t.Fatal(err)
	}
	echo := controltest.Echo(t)
	open := func() *control.Controller {
		c, err := control.Open(control.Options{Store: store, SettingsPath: filepath.Join(dir, "settings.toml"),
			ProgramsOf: func(cs []stats.ConnStat) []string { return slices.Repeat([]string{"/usr/bin/test-client"}, len(cs)) }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(0, 0) })
		return c
	}
	c := open()
	if err := c.SetUsageHistory(true); err != nil {
		t.Fatal(err)
	}
	if err := c.SetUsageRetention(30); err != nil {
		t.Fatal(err)
	}
	if err := c.SetUsageRetention(-1); err == nil {
		t.Error("retention -1 accepted")
	}
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	controltest.Dial(t, c.State().Addr, echo).Close() // 4 bytes each way
	if err := c.Close(0, 0); err != nil {
		t.Fatal(err)
	}

	c = open()
	if s := c.Settings(); !s.UsageHistory || s.UsageRetentionDays != 30 {
		t.Fatalf("settings after a restart: %+v", s)
	}
	c.Restore()
	controltest.Dial(t, c.State().Addr, echo).Close()
	waitIdle(t, c)
	want := usage.Bytes{Up: 8, Down: 8}
	r, err := c.UsageReport(30)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		by   usage.Dim
		name string
	}{{usage.ByHost, "127.0.0.1"}, {usage.ByClient, usage.ThisComputer}, {usage.ByProgram, "test-client"}} {
		if got := r.Top[row.by]; len(got) != 1 || got[0].Name != row.name || got[0].Bytes != want {
			t.Errorf("%s: %+v, want %s with %+v", row.by, got, row.name, want)
		}
	}

	if err := c.SetUsageHistory(false); err != nil {
		t.Fatal(err)
	}
	controltest.Dial(t, c.State().Addr, echo).Close()
	waitIdle(t, c)
	if r, err := c.UsageReport(30); err != nil || r.Sum() != want {
		t.Errorf("after turning it off: %+v, %v; want %+v", r.Sum(), err, want)
	}
}

// waitIdle waits until the proxy's connections have ended (the server
// sees a client's close a moment after the client).
func waitIdle(t *testing.T, c *control.Controller) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Snapshot().Totals.Live != 0 {
		if time.Now().After(deadline) {
			t.Fatal("connections still live after 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
