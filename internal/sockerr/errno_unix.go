//go:build !windows

package sockerr

import "syscall"

// table holds this platform's error numbers of each kind.
var table = [kinds][]syscall.Errno{
	Refused:         {syscall.ECONNREFUSED},
	AddrInUse:       {syscall.EADDRINUSE},
	NetUnreachable:  {syscall.ENETUNREACH},
	HostUnreachable: {syscall.EHOSTUNREACH, syscall.EHOSTDOWN},
	TimedOut:        {syscall.ETIMEDOUT},
	Reset:           {syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE},
}
