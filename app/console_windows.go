package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// x/sys/windows has no AttachConsole.
var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachConsole gives a subcommand (serve, profiles, env, version…) the
// console of the cmd or PowerShell window that started it. sockstray.exe
// is a GUI-subsystem program, so that the Start menu opens no console
// window with the app, and Windows gives such a program no console of its
// own; attached, it prints there and Ctrl+C reaches it (Go turns the
// console's CTRL_C_EVENT into os.Interrupt). Standard handles that are
// already set (redirected to a file or a pipe) are kept. Started from
// Explorer there is no parent console, and nothing changes.
func attachConsole() {
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	if ok, _, _ := procAttachConsole.Call(attachParentProcess); ok == 0 {
		return
	}
	os.Stdin = consoleFile(windows.STD_INPUT_HANDLE, "CONIN$", os.Stdin)
	os.Stdout = consoleFile(windows.STD_OUTPUT_HANDLE, "CONOUT$", os.Stdout)
	os.Stderr = consoleFile(windows.STD_ERROR_HANDLE, "CONOUT$", os.Stderr)
}

// consoleFile is the standard handle std if it is set, else the attached
// console's device name, made the process's standard handle too (programs
// that `sockstray run` starts inherit it).
func consoleFile(std uint32, name string, cur *os.File) *os.File {
	if h, err := windows.GetStdHandle(std); err == nil && h != 0 && h != windows.InvalidHandle {
		return cur
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return cur
	}
	windows.SetStdHandle(std, windows.Handle(f.Fd()))
	return f
}
