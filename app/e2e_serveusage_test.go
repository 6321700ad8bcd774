//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sockstray/sockstray/internal/testnet"
	"github.com/sockstray/sockstray/profiles"
)

// `sockstray serve` keeps the usage history when the settings say so, as
// the app does, and `sockstray usage` shows what it carried; with the
// setting off it writes no history at all.
func TestE2EServeKeepsUsageHistory(t *testing.T) {
	for _, on := range []bool{true, false} {
		home := freshConfigHome(t)
		settings := filepath.Join(home, "sockstray", "settings.toml")
		if err := os.MkdirAll(filepath.Dir(settings), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := (profiles.Settings{UsageHistory: on}).Save(settings); err != nil {
			t.Fatal(err)
		}
		p, addr := startServe(t, []string{"XDG_CONFIG_HOME=" + home}, "--listen", "127.0.0.1:0")
		target := testnet.EchoTCP(t, "tcp4").String()
		c := mustDialSOCKS(t, addr, nil, target)
		mustEchoBack(t, c, strings.Repeat("u", 5000))
		c.Close()
		p.waitConnect(t, target)
		if code := p.stop(t, syscall.SIGTERM); code != 0 {
			t.Fatalf("serve exited %d\n%s", code, p.stderr.String())
		}

		_, err := os.Stat(filepath.Join(home, "sockstray", "usage.db"))
		if !on {
			if err == nil {
				t.Error("with the history off, serve wrote usage.db")
			}
			continue
		}
		code, out, errs := usageCLI("--by", "host")
		if code != 0 || !strings.Contains(out, "127.0.0.1") {
			t.Fatalf("sockstray usage after serve: exit %d, stdout %q, stderr %q\nserve's log:\n%s", code, out, errs, p.stderr.String())
		}
		code, out, _ = usageCLI("--by", "host", "--csv")
		if code != 0 || !strings.Contains(out, ",5000,5000") {
			t.Errorf("usage CSV %q: want the 5000 bytes each way", out)
		}
	}
}

// A settings file that cannot be read, or a history file that cannot be
// opened, leaves the history off with a warning: serve still serves.
func TestE2EServeUsageHistoryUnusable(t *testing.T) {
	for _, tc := range []struct {
		name, warning string
		setup         func(t *testing.T, dir string)
	}{
		{"broken settings", "usage history not kept: the settings cannot be read", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "settings.toml"), []byte("[usage\nhistory = true\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"history file unusable", "usage history not kept", func(t *testing.T, dir string) {
			if err := (profiles.Settings{UsageHistory: true}).Save(filepath.Join(dir, "settings.toml")); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "usage.db"), 0o700); err != nil { // a folder where the file goes
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := freshConfigHome(t)
			dir := filepath.Join(home, "sockstray")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			p, addr := startServe(t, []string{"XDG_CONFIG_HOME=" + home}, "--listen", "127.0.0.1:0")
			target := testnet.EchoTCP(t, "tcp4").String()
			c := mustDialSOCKS(t, addr, nil, target)
			mustEchoBack(t, c, "still serving")
			c.Close()
			if code := p.stop(t, syscall.SIGTERM); code != 0 {
				t.Fatalf("serve exited %d\n%s", code, p.stderr.String())
			}
			if log := p.stderr.String(); !strings.Contains(log, "level=WARN msg=\""+tc.warning) {
				t.Errorf("no warning %q in serve's log:\n%s", tc.warning, log)
			}
		})
	}
}
