package main

import (
	"io"

	"github.com/sockstray/sockstray/app/sysproxy"
)

// sysproxyWatchdog is the hidden `sockstray sysproxy-watchdog --pid N
// --state FILE`: the child process that sysproxy.Manager.Enable starts to
// restore the system proxy settings if the app dies without doing so.
func sysproxyWatchdog(args []string, stderr io.Writer) int {
	return sysproxy.RunWatchdog(args, stderr)
}
