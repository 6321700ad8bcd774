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
