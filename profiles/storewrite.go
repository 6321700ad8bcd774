package profiles

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Create writes a new profile; ErrExists when one with that name (in any
// case) exists.
func (s *Store) Create(p *Profile) error { return s.save(p, true, nil) }

// Save writes p over its file, or creates it. The watcher does not report
// the app's own saves. A file on disk that does not parse or validate is
// never overwritten: it is the user's, to fix or remove. Secrets that the
// old version used and p does not are deleted from the keychain.
func (s *Store) Save(p *Profile) error { return s.save(p, false, nil) }

// save writes p. With want set, only over that version of the file: the
// file is read before the lock is taken (nothing is read under it), and
// under the lock a stat proves it is still the file that was read.
func (s *Store) save(p *Profile, create bool, want *Version) error {
	if err := p.Validate(); err != nil {
		return err
	}
	path, err := s.Path(p.Name)
	if err != nil {
		return err
	}
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return err
	}
	var disk onDisk // a new profile replaces no file: sameName refuses one there
	if !create {
		if disk, err = readOnDisk(path); err != nil {
			return fmt.Errorf("not saved: %w", err)
		}
	}
	conflict := &ConflictError{Name: p.Name, File: path, Disk: disk.version()}
	if want != nil && disk.version() != *want {
		return conflict
	}
	var old *Profile
	if disk.exists() {
		if old, err = Decode(p.Name, path, disk.data); err != nil {
			return fmt.Errorf("not saved, the file on disk has problems (fix or remove it first): %w", err)
		}
		// Positional keychain entries follow the hops of the file on disk;
		// once the new file is written with other hops, nothing could say
		// whose they are.
		if err := s.migrate(old); err != nil && !sameHops(old, p) {
			return fmt.Errorf("not saved: the upstream passwords could not be moved to their new keychain accounts: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if want != nil && !disk.unchanged(path) {
		conflict.Disk = Version{} // unknown: it changed after the read
		return conflict
	}
	if other, err := s.sameName(p.Name); err != nil {
		return err
	} else if other != "" && (create || other != p.Name) {
		return fmt.Errorf("%w: %q", ErrExists, other)
	}
	if old == nil {
		s.clearLegacy(p)
	}
	data := p.Encode()
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("save profile %q: %w", p.Name, err)
	}
	s.remember(p.Name, data, true)
	if old != nil {
		if err := s.keychain().dropUnused(old, p); err != nil {
			return fmt.Errorf("profile %q saved, but its unused secrets are still in the keychain: %w", p.Name, err)
		}
	}
	return nil
}

// sameName returns the existing profile whose name equals name ignoring
// case, or "".
func (s *Store) sameName(name string) (string, error) {
	names, err := s.names()
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if n == name {
			return n, nil
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n, nil
		}
	}
	return "", nil
}

// remember records the content of name's file as the app read or wrote
// it. Call with s.mu held.
func (s *Store) remember(name string, data []byte, good bool) {
	if s.seen == nil {
		s.seen = map[string]fileState{}
	}
	st := fileState{hash: sha256.Sum256(data), good: good}
	if prev, ok := s.seen[name]; ok && !good {
		st.good = prev.good
	}
	s.seen[name] = st
}

// Remove deletes the profile name: its secrets first (an orphaned secret
// is worse than a profile that stays), then its file. It also clears the
// secrets of a profile whose file is already gone. A profile that uses no
// secret is removed even when the keychain is unavailable.
func (s *Store) Remove(name string) error {
	path, err := s.Path(name)
	if err != nil {
		return err
	}
	// Read before the lock, which guards no read. A file that is not a
	// regular one (a FIFO named like a profile) holds no profile but may
	// still be removed.
	disk, rerr := readOnDisk(path)
	var fe *FileError
	if rerr != nil && !errors.As(rerr, &fe) {
		return rerr
	}
	exists := disk.exists() || fe != nil
	var p *Profile
	if disk.exists() {
		p, _ = Decode(name, path, disk.data)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ups []Upstream
	if p != nil {
		ups = p.Upstreams
	}
	deleted, kerr := s.keychain().deleteAll(name, ups)
	s.forgetMigrated(name)
	if kerr != nil && (p == nil || len(p.secretAccounts()) > 0) {
		return fmt.Errorf("profile %q not removed: its passwords could not be deleted: %w", name, kerr)
	}
	if !exists {
		if deleted == 0 {
			return fmt.Errorf("%w: %q (there is no %s)", ErrNotFound, name, path)
		}
		return nil
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove profile %q: %w", name, err)
	}
	delete(s.seen, name)
	return nil
}

// Rename renames the profile from to to: the file, and the keychain
// accounts of its passwords. Nothing changes when any step fails.
func (s *Store) Rename(from, to string) error {
	src, err := s.Path(from)
	if err != nil {
		return err
	}
	dst, err := s.Path(to)
	if err != nil {
		return err
	}
	if from == to {
		return nil
	}
	disk, err := readOnDisk(src) // before the lock, which guards no read
	if err != nil {
		return fmt.Errorf("not renamed, fix the file first: %w", err)
	}
	if !disk.exists() {
		return fmt.Errorf("%w: %q (there is no %s)", ErrNotFound, from, src)
	}
	p, err := Decode(from, src, disk.data)
	if err != nil {
		return fmt.Errorf("not renamed, fix the file first: %w", err)
	}
	// Only the upstreams' accounts move: positional entries are moved to
	// them first, or they would stay behind under the old name.
	if err := s.migrate(p); err != nil {
		return fmt.Errorf("profile %q not renamed: its passwords could not be moved: %w", from, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if other, err := s.sameName(to); err != nil {
		return err
	} else if other != "" && !strings.EqualFold(from, to) {
		return fmt.Errorf("%w: %q", ErrExists, other)
	}
	renamed := p.Clone()
	renamed.Name = to
	s.clearLegacy(renamed)
	kc := s.keychain()
	created, err := kc.move(p, from, to)
	undo := func() {
		for _, a := range created {
			kc.Delete(a)
		}
	}
	if err != nil {
		undo()
		return fmt.Errorf("profile %q not renamed: its passwords could not be moved: %w", from, err)
	}
	if err := os.Rename(src, dst); err != nil {
		undo()
		return fmt.Errorf("rename profile %q: %w", from, err)
	}
	if st, ok := s.seen[from]; ok {
		delete(s.seen, from)
		s.seen[to] = st
	}
	s.forgetMigrated(from)
	if _, err := kc.deleteAll(from, p.Upstreams); err != nil && len(p.secretAccounts()) > 0 {
		return fmt.Errorf("profile renamed to %q, but the old passwords are still in the keychain: %w", to, err)
	}
	return nil
}

// sameHops reports whether a and b list the same upstreams in the same
// places, so that positional keychain entries mean the same for both.
func sameHops(a, b *Profile) bool {
	return slices.EqualFunc(a.Upstreams, b.Upstreams, func(x, y Upstream) bool { return x.Key() == y.Key() })
}
