//go:build !windows

package main

// attachConsole is for Windows' GUI-subsystem build; elsewhere a program
// started from a terminal has it already.
func attachConsole() {}
