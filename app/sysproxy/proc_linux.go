package sysproxy

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// procStart is the process's start time in clock ticks after boot, from
// /proc/PID/stat. A zombie counts as gone: it has exited, only its parent
// has not collected it yet.
func procStart(pid int) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", err
	}
	// The command name (field 2) is in parentheses and may hold anything,
	// so count fields from the last ')': state is field 3, starttime 22.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return "", errors.New("bad /proc stat line")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return "", errors.New("short /proc stat line")
	}
	if f[0] == "Z" || f[0] == "X" {
		return "", errors.New("process has exited")
	}
	return f[19], nil
}

// watchProc waits on a pidfd, which becomes readable the moment the
// process exits; kernels before 5.3 fall back to polling.
func watchProc(pid int, start string) procWatch {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return pollWatch{pid, start}
	}
	if !alive(pid, start) { // the PID may already belong to another process
		unix.Close(fd)
		return pollWatch{pid, start}
	}
	return pidfdWatch(fd)
}

type pidfdWatch int

func (w pidfdWatch) wait(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		fds := []unix.PollFd{{Fd: int32(w), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(time.Until(deadline).Milliseconds()))
		if err == unix.EINTR && time.Now().Before(deadline) {
			continue
		}
		return err == nil && n > 0
	}
}

func (w pidfdWatch) close() { unix.Close(int(w)) }

// detach makes cmd a session leader of its own, so that neither a signal
// to the app's process group nor a closing terminal reaches it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
