//go:build unix

package main

import (
	"io"
	"log/slog"
	"syscall"
)

// raiseFileLimit lifts the soft open-file limit to the hard one and says
// what is in force, once. Every proxied connection holds two sockets (and
// a busy relay a pipe), so a LAN share with a few thousand connections
// would meet a desktop's default soft limit (often 1024) long before
// memory or CPU run short. (Go's runtime raises the limit itself at
// start-up since 1.19; this makes it explicit, and visible in the log.)
func raiseFileLimit(stderr io.Writer) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		log.Warn("open-file limit unknown", "error", err.Error())
		return
	}
	was := rl.Cur
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			log.Warn("open-file limit not raised", "limit", was, "hard_limit", rl.Max, "error", err.Error())
			return
		}
	}
	log.Info("open-file limit", "limit", rl.Cur, "was", was)
}
