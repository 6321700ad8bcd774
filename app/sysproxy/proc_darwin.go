package sysproxy

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// procStart is the process's start time from the kernel's process table.
// A zombie counts as gone.
func procStart(pid int) (string, error) {
	k, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		return "", err
	}
	if int(k.Proc.P_pid) != pid {
		return "", errors.New("no such process")
	}
	const zombie = 5 // SZOMB in sys/proc.h
	if k.Proc.P_stat == zombie {
		return "", errors.New("process has exited")
	}
	return fmt.Sprintf("%d.%06d", k.Proc.P_starttime.Sec, k.Proc.P_starttime.Usec), nil
}

func watchProc(pid int, start string) procWatch { return pollWatch{pid, start} }

// detach makes cmd a session leader of its own, so that neither a signal
// to the app's process group nor a closing terminal reaches it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
