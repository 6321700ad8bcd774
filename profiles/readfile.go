package profiles

import (
	"fmt"
	"io"
	"io/fs"
)

// MaxFileSize is the largest profile or settings file the app reads: far
// more than any real profile, small enough that a wrong file (a log, an
// image, /dev/zero behind a symlink) cannot exhaust memory.
const MaxFileSize = 1 << 20

// FileError is a profile or settings file that the app refuses to read:
// not a regular file, or too large.
type FileError struct {
	Path   string
	Reason string // "is a named pipe (FIFO), not a regular file", …
}

func (e *FileError) Error() string { return e.Path + ": " + e.Reason }

// readFile reads a profile or settings file, refusing what is not a
// regular file or is larger than MaxFileSize with a *FileError; it also
// returns what the opened file's fstat said. Every read of such a file goes
// through here.
//
// The open does not block (a FIFO with no writer would hang it) and the
// checks are on the opened file, not a separate stat, so the file cannot
// be swapped between check and read. The read itself is bounded too, as a
// file may grow after the check.
func readFile(path string) ([]byte, fs.FileInfo, error) {
	return readFileUpTo(path, MaxFileSize, "a profile or settings file")
}

// MaxRuleListSize is the largest rule list file the app reads: big ad
// block lists run to a few MiB.
const MaxRuleListSize = 32 << 20

// readFileUpTo is readFile with another size limit, for the files that
// what names.
func readFileUpTo(path string, limit int64, what string) ([]byte, fs.FileInfo, error) {
	f, err := openRead(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, &FileError{Path: path, Reason: "is " + fileKind(fi.Mode()) + ", not a regular file"}
	}
	if fi.Size() > limit {
		return nil, nil, tooLarge(path, limit, what)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, tooLarge(path, limit, what)
	}
	return data, fi, nil
}

func tooLarge(path string, limit int64, what string) error {
	return &FileError{Path: path, Reason: fmt.Sprintf("is larger than %d KiB, too large for %s", limit>>10, what)}
}

// fileKind names what a file that is not regular is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}
