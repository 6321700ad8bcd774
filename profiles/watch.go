package profiles

import (
	"crypto/sha256"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// EventKind is what happened to a profile file.
type EventKind int

// Kinds of Event.
const (
	Added   EventKind = iota + 1 // a new valid profile (or a first valid version)
	Changed                      // a new valid version of a known profile
	Removed                      // the file is gone; keep using the last version
	Invalid                      // the file does not parse or validate; keep the last good version
)

func (k EventKind) String() string {
	switch k {
	case Added:
		return "added"
	case Changed:
		return "changed"
	case Removed:
		return "removed"
	case Invalid:
		return "invalid"
	}
	return "EventKind(?)"
}

// Event is one change to the profiles folder.
type Event struct {
	Kind    EventKind
	Name    string
	Profile *Profile      // for Added and Changed
	Err     *InvalidError // for Invalid
}

// Debounce is how long the folder must stay quiet before the watcher reads
// what changed; a save is often several file operations (editors write a
// temporary file and rename it). A burst that goes on is read every
// maxBurst anyway.
const (
	Debounce = 200 * time.Millisecond
	maxBurst = 2 * time.Second
)

// Watcher reports changes to the profiles folder. It watches the folder,
// not the files: editors save by renaming a new file over the old one.
type Watcher struct {
	store  *Store
	dir    string
	fsw    *fsnotify.Watcher
	events chan Event
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

// Watch starts watching the folder (creating it if needed). Files present
// now are taken as known: only later changes are reported, and the app's
// own saves through s never are.
func (s *Store) Watch() (*Watcher, error) {
	dir, err := s.dir()
	if err != nil {
		return nil, err
	}
	if err := mkdirPrivate(dir); err != nil {
		return nil, err
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := fsw.Add(dir); err != nil {
		fsw.Close()
		return nil, err
	}
	w := &Watcher{store: s, dir: dir, fsw: fsw, events: make(chan Event, 16), done: make(chan struct{})}
	names, _ := s.names()
	for _, n := range names {
		w.check(n, false)
	}
	w.wg.Add(1)
	go w.loop()
	return w, nil
}

// Events delivers the changes; it is closed by Close.
func (w *Watcher) Events() <-chan Event { return w.events }

// Close stops watching and waits for the watcher's goroutine to end.
func (w *Watcher) Close() error {
	var err error
	w.once.Do(func() {
		close(w.done)
		err = w.fsw.Close()
		w.wg.Wait()
	})
	return err
}

func (w *Watcher) loop() {
	defer w.wg.Done()
	defer close(w.events)
	b := newBurst()
	defer b.timer.Stop()
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.noted(b, ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: look at everything.
				for _, n := range w.store.knownAndPresent() {
					b.add(n, false)
				}
			}
		case <-b.timer.C:
			if !w.emit(b.take()) {
				return
			}
		}
	}
}

// noted adds what a file event may have changed to the burst: the profile
// of that file, or the profiles that use that rule list.
func (w *Watcher) noted(b *burst, ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return
	}
	name, isProfile := profileName(filepath.Base(ev.Name))
	if isProfile {
		b.add(name, false)
		return
	}
	for _, n := range w.listUsers(filepath.Base(ev.Name)) {
		b.add(n, true)
	}
}

// emit checks each profile of a burst, in name order, and sends the
// events the checks find; false when the watcher closed meanwhile.
func (w *Watcher) emit(names []string, forced map[string]bool) bool {
	for _, n := range names {
		ev, ok := w.check(n, forced[n])
		if !ok {
			continue
		}
		select {
		case w.events <- ev:
		case <-w.done:
			return false
		}
	}
	return true
}

// burst gathers the profiles that file events touched until they stop
// for Debounce (or maxBurst after the first), so an editor's save of
// several events is read once.
type burst struct {
	pending map[string]bool
	forced  map[string]bool // a rule list changed: re-read even if the file did not
	timer   *time.Timer
	first   time.Time // when the first event of the pending burst came
}

func newBurst() *burst {
	b := &burst{pending: map[string]bool{}, forced: map[string]bool{}, timer: time.NewTimer(time.Hour)}
	b.timer.Stop()
	return b
}

// add notes name (forced: whether its file is to be read even if unchanged)
// and moves the timer.
func (b *burst) add(name string, forced bool) {
	now := time.Now()
	if len(b.pending) == 0 || b.first.IsZero() {
		b.first = now
	}
	b.timer.Reset(min(Debounce, b.first.Add(maxBurst).Sub(now)))
	b.pending[name] = true
	b.forced[name] = b.forced[name] || forced
}

// take ends the burst: its names in order, and which are forced.
func (b *burst) take() ([]string, map[string]bool) {
	names := slices.Sorted(maps.Keys(b.pending))
	forced := b.forced
	b.pending, b.forced, b.first = map[string]bool{}, map[string]bool{}, time.Time{}
	return names, forced
}

// knownAndPresent lists the names the store knows and the files there are.
func (s *Store) knownAndPresent() []string {
	names, _ := s.names()
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := range s.seen {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// listUsers are the profiles that use the rule list file named base in
// the watched folder. List files change rarely, and profiles are few and
// small: reading them all then is cheaper than keeping an index current.
func (w *Watcher) listUsers(base string) []string {
	names, _ := w.store.names()
	var users []string
	for _, n := range names {
		disk, err := readOnDisk(filepath.Join(w.dir, n+Ext))
		if err != nil || !disk.exists() {
			continue
		}
		p, err := Decode(n, "", disk.data)
		if err != nil {
			continue
		}
		for _, l := range p.RuleLists {
			if f := expandHome(l.File); f == base || f == filepath.Join(w.dir, base) {
				users = append(users, n)
				break
			}
		}
	}
	return users
}

// check compares name's file with what the store last saw of it and
// returns the event that makes up the difference, if any; force reports a
// valid profile as Changed even when its file is as last seen (a rule
// list it uses changed). The file is
// read before the store's lock is taken: a slow or odd file must not stop
// the store. A file that cannot be read (not a regular file, too large)
// is Invalid, so the last good version stays in force.
func (w *Watcher) check(name string, force bool) (Event, bool) {
	s := w.store
	path := filepath.Join(w.dir, name+Ext)
	disk, err := readOnDisk(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]fileState{}
	}
	st, known := s.seen[name]
	if err != nil {
		// Reported once per change: a zero hash stands for "unreadable".
		if known && st.hash == ([sha256.Size]byte{}) {
			return Event{}, false
		}
		s.seen[name] = fileState{good: st.good}
		return Event{Kind: Invalid, Name: name, Err: fileInvalid(name, path, err)}, true
	}
	if !disk.exists() {
		if !known {
			return Event{}, false
		}
		delete(s.seen, name)
		return Event{Kind: Removed, Name: name}, true
	}
	hash := sha256.Sum256(disk.data)
	if known && st.hash == hash && !(force && st.good) {
		return Event{}, false
	}
	p, err := Decode(name, path, disk.data)
	if err != nil {
		s.seen[name] = fileState{hash: hash, good: st.good}
		// Decode reports *InvalidError; anything else still must not
		// reach the follower as a nil error.
		var ie *InvalidError
		if !errors.As(err, &ie) {
			ie = fileInvalid(name, path, err)
		}
		return Event{Kind: Invalid, Name: name, Err: ie}, true
	}
	s.seen[name] = fileState{hash: hash, good: true}
	kind := Added
	if known && st.good {
		kind = Changed
	}
	return Event{Kind: kind, Name: name, Profile: p}, true
}
