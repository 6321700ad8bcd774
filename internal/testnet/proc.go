//go:build unix

package testnet

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// Descendants lists the processes below pid, from /proc.
func Descendants(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// "PID (COMM) STATE PPID ...": COMM may hold spaces, so cut at
		// the last ')'.
		var self, parent int
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		if _, err := fmt.Sscanf(e.Name(), "%d", &self); err != nil {
			continue
		}
		f := strings.Fields(string(rest)) // STATE PPID ...
		if len(f) < 2 {
			continue
		}
		if _, err := fmt.Sscanf(f[1], "%d", &parent); err != nil {
			continue
		}
		children[parent] = append(children[parent], self)
	}
	var out []int
	for todo := children[pid]; len(todo) > 0; {
		p := todo[0]
		todo = append(todo[1:], children[p]...)
		out = append(out, p)
	}
	return out
}

// KillTree kills pid's descendants and then pid with SIGKILL, and waits
// (up to a few seconds) until the descendants are gone: a daemon's
// children (an activated D-Bus service, an sshd session) may still be
// writing into the test's folders otherwise.
func KillTree(pid int) {
	kids := Descendants(pid)
	for _, p := range kids {
		syscall.Kill(p, syscall.SIGKILL)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		alive := false
		for _, p := range kids {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", p)); err == nil {
				alive = true
			}
		}
		if !alive {
			return
		}
	}
}
