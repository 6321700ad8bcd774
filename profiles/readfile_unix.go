//go:build !windows

package profiles

import "syscall"

// openNonblock keeps opening a FIFO from blocking until a writer comes;
// a regular file reads as usual with it.
const openNonblock = syscall.O_NONBLOCK
