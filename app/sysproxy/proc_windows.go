package sysproxy

import (
	"errors"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

const stillActive = 259 // STILL_ACTIVE, GetExitCodeProcess's "not exited yet"

// procStart is the process's creation time.
func procStart(pid int) (string, error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return "", err
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return "", err
	}
	if code != stillActive {
		return "", errors.New("process has exited")
	}
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return "", nil
	}
	return strconv.FormatInt(created.Nanoseconds(), 10), nil
}

// watchProc waits on the process handle, signalled when the process ends.
func watchProc(pid int, start string) procWatch {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return pollWatch{pid, start}
	}
	if !alive(pid, start) {
		windows.CloseHandle(h)
		return pollWatch{pid, start}
	}
	return handleWatch(h)
}

type handleWatch windows.Handle

func (w handleWatch) wait(d time.Duration) bool {
	ev, err := windows.WaitForSingleObject(windows.Handle(w), uint32(d.Milliseconds()))
	return err == nil && ev == windows.WAIT_OBJECT_0
}

func (w handleWatch) close() { windows.CloseHandle(windows.Handle(w)) }

// detach starts cmd without a console and in a process group of its own, so
// that the app's console closing or Ctrl-C does not end it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS,
		HideWindow:    true,
	}
}
