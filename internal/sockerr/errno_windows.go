package sockerr

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// table holds Windows' error numbers of each kind: the Winsock codes, and
// the Win32 codes that ConnectEx (Go's overlapped dial) reports for the
// same failures.
var table = [kinds][]syscall.Errno{
	Refused:         {windows.WSAECONNREFUSED, windows.ERROR_CONNECTION_REFUSED},
	AddrInUse:       {windows.WSAEADDRINUSE},
	NetUnreachable:  {windows.WSAENETUNREACH, windows.ERROR_NETWORK_UNREACHABLE},
	HostUnreachable: {windows.WSAEHOSTUNREACH, windows.WSAEHOSTDOWN, windows.ERROR_HOST_UNREACHABLE},
	TimedOut:        {windows.WSAETIMEDOUT, windows.ERROR_SEM_TIMEOUT},
	Reset:           {windows.WSAECONNRESET, windows.WSAECONNABORTED, windows.ERROR_NETNAME_DELETED, windows.ERROR_BROKEN_PIPE},
}
