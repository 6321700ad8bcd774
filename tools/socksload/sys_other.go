//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

// errNoProc is what the /proc readers return where there is no Linux /proc:
// the CPU and memory figures are then n/a, the others still work.
var errNoProc = errors.New("needs Linux /proc")

func childAttr() *syscall.SysProcAttr { return nil }

func raiseNoFile(uint64) (uint64, error) { return 0, errNoProc }

func procCPU(int) (time.Duration, error) { return 0, errNoProc }

func procMemory(int) (int64, string, error) { return 0, "", errNoProc }

func loadAvg() (string, error) { return "", errNoProc }
