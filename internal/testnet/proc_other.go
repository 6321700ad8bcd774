//go:build !unix

package testnet

import "os"

// Descendants lists the processes below pid; where there is no /proc to
// read them from, none.
func Descendants(pid int) []int { return nil }

// KillTree kills pid; its descendants, where they cannot be listed, are
// left to the job the test runs in.
func KillTree(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
