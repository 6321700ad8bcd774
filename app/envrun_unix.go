//go:build unix

package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// relayedSignals are what `sockstray run` catches and passes on to its
// program, instead of dying and leaving the program running.
var relayedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM}

// relaySignal passes sig on to p. A SIGINT is not passed on when this
// process group is the foreground group of its terminal: then the
// terminal's Ctrl-C has reached the program already (it is in the group).
// A second one mostly merges with the first while it is pending, but not
// always, and a program that sees two often takes the second as "quit
// now, skip the clean exit". (A kill -INT aimed at this process alone
// while it runs in the foreground is then not passed on either.)
func relaySignal(p *os.Process, sig os.Signal) {
	if sig == syscall.SIGINT && terminalForeground() {
		return
	}
	p.Signal(sig) // an error means the program has ended: Wait reports it
}

// terminalForeground reports whether this process's group is the
// foreground group of the terminal on stdin, stdout or stderr.
func terminalForeground() bool {
	for fd := range 3 {
		if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err == nil {
			me, err := unix.Getpgid(0)
			return err == nil && pgrp == me
		}
	}
	return false
}

// exitStatus is the exit code of a program that ended with ps: its own,
// or 128+N when signal N killed it, as shells report it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
