package profiles

import (
	"os"
	"path/filepath"
	"runtime"
)

// writeFileAtomic replaces path with data so that a reader (or a crash)
// sees the old content or the new, never a mix: a temporary file in the
// same folder, mode 0600, synced, then renamed over path. The temporary
// name starts with a dot and does not end in .toml, so the watcher and
// the store ignore it.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = replaceFile(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the OS allows it.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// mkdirPrivate creates dir (and its parents) readable by the user only.
func mkdirPrivate(dir string) error { return os.MkdirAll(dir, 0o700) }
