//go:build unix && !linux && !darwin

package sysproxy

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// procStart only tells whether the process exists; the start time is not
// read here, so a reused PID counts as alive.
func procStart(pid int) (string, error) {
	if err := unix.Kill(pid, 0); err != nil && err != unix.EPERM {
		return "", err
	}
	return "", nil
}

func watchProc(pid int, start string) procWatch { return pollWatch{pid, start} }

// detach makes cmd a session leader of its own, so that neither a signal
// to the app's process group nor a closing terminal reaches it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
