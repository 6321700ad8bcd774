package profiles

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Ext is the extension of a profile file.
const Ext = ".toml"

// DefaultDir is <user config dir>/sockstray/profiles (os.UserConfigDir, so
// $XDG_CONFIG_HOME on Linux).
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no folder for settings: %w", err)
	}
	return filepath.Join(base, "sockstray", "profiles"), nil
}

// Store is the profiles folder: one file per profile, NAME.toml. Its
// methods are safe for concurrent use; a Store must not be copied after
// first use.
type Store struct {
	// Dir is the folder; empty means DefaultDir.
	Dir string
	// Keychain holds the profiles' passwords; nil means the OS keychain
	// under Service.
	Keychain *Keychain

	mu sync.Mutex
	// seen is what the app last read or wrote of each file, so that the
	// watcher reports only what changed, and never the app's own saves.
	seen map[string]fileState

	// mig serialises the migration of positional keychain entries
	// (migrate); migrated holds the profiles that have none left.
	mig      sync.Mutex
	migrated map[string]bool
}

type fileState struct {
	hash [sha256.Size]byte
	good bool // a version of the profile decoded without problems
}

// Entry is one file of the folder as List found it.
type Entry struct {
	Name    string
	Profile *Profile      // nil when Err is set
	Err     *InvalidError // what is wrong with the file
}

func (s *Store) dir() (string, error) {
	if s.Dir != "" {
		return s.Dir, nil
	}
	return DefaultDir()
}

// Path is the file of the profile name.
func (s *Store) Path(name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", fmt.Errorf("profile name: %w", err)
	}
	dir, err := s.dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name+Ext), nil
}

func (s *Store) keychain() *Keychain {
	if s.Keychain != nil {
		return s.Keychain
	}
	return &Keychain{}
}

// names lists the profile names in the folder, sorted; a missing folder
// has none. Anything with a profile's file name counts, a folder too: it
// is then listed as broken, not silently left out.
func (s *Store) names() ([]string, error) {
	dir, err := s.dir()
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if n, ok := profileName(e.Name()); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// profileName is the profile a file name holds, if any: NAME.toml, not a
// hidden or temporary file.
func profileName(file string) (string, bool) {
	if strings.HasPrefix(file, ".") || !strings.HasSuffix(file, Ext) {
		return "", false
	}
	return strings.TrimSuffix(file, Ext), true
}

// List reads every profile in the folder, sorted by name. A file that
// does not parse or validate is listed with its error; names that differ
// only in case (which macOS and Windows cannot tell apart) are an error
// for all but the first.
func (s *Store) List() ([]Entry, error) {
	names, err := s.names()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(names))
	for i, n := range names {
		e := Entry{Name: n}
		if j := slices.IndexFunc(names[:i], func(m string) bool { return strings.EqualFold(m, n) }); j >= 0 {
			path, _ := s.pathOf(n)
			e.Err = &InvalidError{Name: n, File: path, Problems: []Problem{{Field: "name",
				Msg: fmt.Sprintf("differs from profile %q only in case, which macOS and Windows cannot tell apart; rename one", names[j])}}}
			out = append(out, e)
			continue
		}
		p, err := s.Load(n)
		var ie *InvalidError
		switch {
		case errors.As(err, &ie):
			e.Err = ie
		case err != nil:
			path, _ := s.pathOf(n)
			e.Err = fileInvalid(n, path, err)
		}
		e.Profile = p
		out = append(out, e)
	}
	return out, nil
}

// pathOf is Path for a name that came from the folder: it may be invalid
// as a profile name and still have a file.
func (s *Store) pathOf(name string) (string, error) {
	dir, err := s.dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name+Ext), nil
}

// Load reads the profile name. A missing file is ErrNotFound; a file with
// problems is an *InvalidError with every problem and its line; a file
// that is not a regular file, or too large, is a *FileError.
func (s *Store) Load(name string) (*Profile, error) {
	p, _, err := s.LoadVersion(name)
	return p, err
}

// loadPath is the file of name, for a name that may have come from the
// folder (and so need not be a valid profile name).
func (s *Store) loadPath(name string) (string, error) {
	if strings.ContainsAny(name, `/\`) || name == "" {
		return "", fmt.Errorf("profile name: %w", ValidName(name))
	}
	return s.pathOf(name)
}

// fileInvalid is err, from reading the file of the profile name at path,
// as the *InvalidError that List and the watcher report.
func fileInvalid(name, path string, err error) *InvalidError {
	var fe *FileError
	if errors.As(err, &fe) {
		return &InvalidError{Name: name, File: fe.Path, Problems: []Problem{{Msg: fe.Reason}}}
	}
	return &InvalidError{Name: name, File: path, Problems: []Problem{{Msg: err.Error()}}}
}
