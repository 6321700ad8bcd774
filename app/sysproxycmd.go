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

// sysproxyRestore is the hidden `sockstray sysproxy-restore --if-stale`:
// the login item that sysproxy.Manager.Enable installs runs it, so that
// settings left pointing at a Sockstray that died with its session are put
// back at the next login.
func sysproxyRestore(args []string, stdout, stderr io.Writer) int {
	return sysproxy.RunRestore(args, stdout, stderr)
}
