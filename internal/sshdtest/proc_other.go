//go:build !unix

package sshdtest

import (
	"os"
	"os/exec"
)

// ownGroup does nothing where there are no process groups: the package
// builds there, but sshd runs on Unix only.
func ownGroup(*exec.Cmd) {}

func kill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
