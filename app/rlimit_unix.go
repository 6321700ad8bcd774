//go:build unix

package main

import "syscall"

// raiseFileLimit lifts the soft open-file limit to the hard one. Every
// proxied connection holds two sockets (and a busy relay a pipe), so a
// LAN share with a few thousand connections would meet a desktop's
// default soft limit (often 1024) long before memory or CPU run short.
// (Go's runtime raises the limit itself at start-up since 1.19; this
// makes it explicit, and the log says what is in force.)
func raiseFileLimit() fileLimit {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return fileLimit{err: err}
	}
	l := fileLimit{soft: rl.Cur, was: rl.Cur}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			l.err = err
			return l
		}
		l.soft = rl.Max
	}
	return l
}
