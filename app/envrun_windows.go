package main

import (
	"os"
	"syscall"
)

// relayedSignals are caught only so that `sockstray run` outlives its
// program: Windows gives a console's Ctrl+C, Ctrl+Break and close events
// to every process attached to it, the program included.
var relayedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// relaySignal passes nothing on: the program has the event already, and
// Windows cannot send os.Interrupt to another process.
func relaySignal(*os.Process, os.Signal) {}

// exitStatus is the program's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }
