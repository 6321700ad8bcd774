package sysproxy

import "time"

// alive reports whether process pid runs and, when both start tokens are
// known, is the one that started at start rather than a later process that
// got the same PID.
func alive(pid int, start string) bool {
	if pid <= 0 {
		return false
	}
	tok, err := procStart(pid)
	if err != nil {
		return false
	}
	return start == "" || tok == "" || tok == start
}

// procWatch waits for one process to end.
type procWatch interface {
	// wait returns true once the process is gone, or false after d.
	wait(d time.Duration) bool
	close()
}

// pollWatch checks every so often, where the OS offers nothing better.
type pollWatch struct {
	pid   int
	start string
}

func (w pollWatch) wait(d time.Duration) bool {
	const step = 100 * time.Millisecond
	for ; d > 0; d -= step {
		if !alive(w.pid, w.start) {
			return true
		}
		time.Sleep(min(d, step))
	}
	return !alive(w.pid, w.start)
}

func (pollWatch) close() {}
