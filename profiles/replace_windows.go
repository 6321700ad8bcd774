package profiles

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// replaceFile renames tmp over path. Windows refuses a rename onto a file
// that another rename is replacing at that moment, or that a program holds
// open without FILE_SHARE_DELETE (an editor, a virus scanner): both pass
// within milliseconds, so it tries again for a short while, as the Go
// command does (cmd/go/internal/robustio).
func replaceFile(tmp, path string) error {
	const (
		errAccessDenied     = syscall.Errno(5)  // ERROR_ACCESS_DENIED
		errSharingViolation = syscall.Errno(32) // ERROR_SHARING_VIOLATION
	)
	deadline := time.Now().Add(2 * time.Second)
	for delay := time.Millisecond; ; delay *= 2 {
		err := os.Rename(tmp, path)
		if err == nil || time.Now().After(deadline) ||
			!(errors.Is(err, errAccessDenied) || errors.Is(err, errSharingViolation)) {
			return err
		}
		time.Sleep(min(delay, 100*time.Millisecond))
	}
}
