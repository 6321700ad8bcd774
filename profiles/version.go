package profiles

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Version identifies the content of a profile file as the app read it, so
// that a save can tell whether someone changed the file since. The zero
// Version is "no file".
type Version struct {
	sum    [sha256.Size]byte
	exists bool
}

// ErrConflict is the error of a conditional save (SaveIf) when the file
// changed on disk since the version the caller had.
var ErrConflict = errors.New("changed on disk since it was loaded")

// ConflictError is ErrConflict for one profile, with the version now on
// disk: saving again with it overwrites that version (unless it changes
// once more).
type ConflictError struct {
	Name, File string
	Disk       Version
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("profile %q (%s) %v; reload it or overwrite it", e.Name, e.File, ErrConflict)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// onDisk is a profile file as read: its content and its fstat, so that a
// later stat can tell whether it is still the same file. A missing file
// has neither.
type onDisk struct {
	data []byte
	info fs.FileInfo
}

// readOnDisk reads path through readFile; a missing file is no error.
func readOnDisk(path string) (onDisk, error) {
	data, fi, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return onDisk{}, nil
	}
	if err != nil {
		return onDisk{}, err
	}
	return onDisk{data: data, info: fi}, nil
}

func (d onDisk) exists() bool { return d.info != nil }

func (d onDisk) version() Version {
	if !d.exists() {
		return Version{}
	}
	return Version{sum: sha256.Sum256(d.data), exists: true}
}

// unchanged reports whether path is still the file d read: the same file,
// size and modification time. It only stats, so it may run with the
// store's lock held, where nothing is read.
func (d onDisk) unchanged(path string) bool {
	fi, err := os.Stat(path)
	if !d.exists() {
		return errors.Is(err, fs.ErrNotExist)
	}
	return err == nil && os.SameFile(fi, d.info) && fi.Size() == d.info.Size() && fi.ModTime().Equal(d.info.ModTime())
}

// LoadVersion is Load that also returns the version of the file it read,
// for a later SaveIf.
func (s *Store) LoadVersion(name string) (*Profile, Version, error) {
	path, err := s.loadPath(name)
	if err != nil {
		return nil, Version{}, err
	}
	d, err := readOnDisk(path)
	if err != nil {
		return nil, Version{}, err
	}
	if !d.exists() {
		return nil, Version{}, fmt.Errorf("%w: %q (there is no %s)", ErrNotFound, name, path)
	}
	p, err := Decode(name, path, d.data)
	if err == nil {
		// The first load moves positional keychain entries to their
		// upstreams' accounts, while the file still lists the hops as they
		// were saved. A keychain that cannot be reached does not stop the
		// load (the proxy may take its passwords from the environment); the
		// next load, save or rename tries again.
		_ = s.migrate(p)
	}
	return p, d.version(), err
}

// CheckVersion returns a *ConflictError when the file of the profile name
// is no longer at version v.
func (s *Store) CheckVersion(name string, v Version) error {
	path, err := s.loadPath(name)
	if err != nil {
		return err
	}
	d, err := readOnDisk(path)
	if err != nil {
		return err
	}
	if d.version() != v {
		return &ConflictError{Name: name, File: path, Disk: d.version()}
	}
	return nil
}

// SaveIf is Save on condition that the file is still at version v (what
// LoadVersion returned when the editor loaded it): otherwise it writes
// nothing and returns a *ConflictError.
func (s *Store) SaveIf(p *Profile, v Version) error { return s.save(p, false, &v) }
