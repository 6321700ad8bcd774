package outbound

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/testnet"
)

// envAllowMissing, set to 1, turns a missing third-party server into a
// skip. By default it fails the test: `make test` installs them all
// (scripts/deps.sh), and a real-server test that skips silently would let
// a broken hop pass. The app's end-to-end tests use the same variable.
const envAllowMissing = "SOCKSTRAY_E2E_ALLOW_MISSING"

// requireTool returns the path of an external program, or fails the test
// naming the Debian package that provides it.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	// Daemons live in sbin, which a normal user's PATH often lacks.
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found: install the package %s (make test installs it through scripts/deps.sh)", name, pkg)
	if os.Getenv(envAllowMissing) == "1" {
		t.Skipf("%s; skipped because %s=1", msg, envAllowMissing)
	}
	t.Fatalf("%s; set %s=1 to skip instead", msg, envAllowMissing)
	return ""
}

// startServerProcess runs a server that stays in the foreground, waits
// until it accepts on addr, and kills and reaps it when the test ends. It
// returns the server's output (stdout and stderr), which is also logged if
// the test fails.
func startServerProcess(t *testing.T, addr, bin string, args ...string) *testnet.Buffer {
	t.Helper()
	out := new(testnet.Buffer)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("%s %q:\n%s", filepath.Base(bin), args, out.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return out
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("%s ended before it listened on %s (%v):\n%s", filepath.Base(bin), addr, err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %v", filepath.Base(bin), addr, err)
		}
	}
}
