// Package logfile is the app's log file: an io.Writer that appends to
// sockstray.log in the user's log directory and rotates it when it would grow
// past a size cap, keeping a few old files (sockstray.log.1 is the newest of
// them). Files are created with mode 0600 in a directory with mode 0700:
// logs name the hosts a user visits.
//
// One Writer per file: two processes appending to the same log would rotate
// it under each other.
package logfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Defaults for the zero Config: at most 1 MiB + 3 × 1 MiB of logs.
const (
	DefaultName     = "sockstray.log"
	DefaultMaxSize  = 1 << 20
	DefaultMaxFiles = 3
)

// Config says where the log goes and how much of it to keep. The zero value
// means: DefaultDir(), DefaultName, DefaultMaxSize, DefaultMaxFiles.
type Config struct {
	Dir      string // directory of the log files; created 0700 if missing
	Name     string // file name of the current log
	MaxSize  int64  // bytes; a write that would pass it starts a new file first
	MaxFiles int    // rotated files kept besides the current one (negative: none)
}

// Writer appends to the current log file and rotates it. It is safe for
// concurrent use; each Write lands whole in one file, so a logger that writes
// one line per call never has a line split across two files.
type Writer struct {
	cfg  Config
	path string

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Open opens (or creates) the log file that cfg names, appending to it.
func Open(cfg Config) (*Writer, error) {
	if cfg.Dir == "" {
		dir, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		cfg.Dir = dir
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.MaxFiles == 0 {
		cfg.MaxFiles = DefaultMaxFiles
	} else if cfg.MaxFiles < 0 {
		cfg.MaxFiles = 0
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	w := &Writer{cfg: cfg, path: filepath.Join(cfg.Dir, cfg.Name)}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// Path is the current log file's path, for "show the log" in the GUI.
func (w *Writer) Path() string { return w.path }

// Write appends p to the log, rotating first if p would take the file past
// the cap. A write larger than the cap goes whole into a fresh file. If
// rotating fails (on Windows a viewer may hold the file open), the log keeps
// growing in the current file rather than losing lines; the next write
// tries again.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		if err := w.open(); err != nil {
			return 0, err
		}
	}
	if w.size > 0 && w.size+int64(len(p)) > w.cfg.MaxSize {
		if err := w.rotate(); err != nil && w.f == nil {
			return 0, err
		}
	}
	n, err := w.f.Write(p)
	w.size += int64(n)
	return n, err
}

// Close closes the current file. A later Write opens it again.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// open opens the current file for appending, 0600 even if it existed with a
// wider mode.
func (w *Writer) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	if fi.Mode().Perm() != 0o600 {
		_ = f.Chmod(0o600) // not supported on Windows, where the directory is private anyway
	}
	w.f, w.size = f, fi.Size()
	return nil
}

// rotate shifts name.N-1 to name.N … name to name.1, drops what is past
// MaxFiles and opens a fresh file. On failure it reopens the current file, so
// w.f is nil only if even that failed.
func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		w.f = nil
		return w.open()
	}
	w.f = nil
	err := w.shift()
	if oerr := w.open(); oerr != nil {
		return errors.Join(err, oerr)
	}
	return err
}

func (w *Writer) shift() error {
	if w.cfg.MaxFiles == 0 {
		return os.Remove(w.path)
	}
	// The oldest kept file is overwritten by the rename below; any older
	// ones (left by a larger MaxFiles before) go too.
	for i := w.cfg.MaxFiles + 1; ; i++ {
		if err := os.Remove(w.numbered(i)); err != nil {
			break
		}
	}
	for i := w.cfg.MaxFiles - 1; i >= 1; i-- {
		if err := os.Rename(w.numbered(i), w.numbered(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(w.path, w.numbered(1))
}

func (w *Writer) numbered(i int) string { return w.path + "." + strconv.Itoa(i) }
