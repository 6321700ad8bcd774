package profiles

import (
	"os"
	"syscall"
)

// openRead opens path for reading and lets others delete or rename it
// meanwhile (FILE_SHARE_DELETE, which os.Open leaves out): a reload of a
// profile must never make the app's own save (a rename over the file) or
// an editor's fail with a sharing violation. There is no FIFO to wait on
// here.
func openRead(path string) (*os.File, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_FLAG_BACKUP_SEMANTICS, 0) // a folder opens too, to be refused as one
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
