package testnet

import (
	"os/exec"
	"testing"
)

// Ncat starts ncat, a real client program, with args; its standard input
// stays open, so it holds its connection until the test ends, when it is
// killed. A missing ncat fails the test.
func Ncat(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("ncat")
	if err != nil {
		t.Fatalf("ncat is needed (scripts/deps.sh installs it): %v", err)
	}
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}
