package usage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DayLayout is how days are written: the local date.
const DayLayout = "2006-01-02"

// DefaultRetention is how many days are kept when the settings say 0.
const DefaultRetention = 90

// MaxRetention is the longest retention the settings accept (ten years).
const MaxRetention = 3650

// ErrBusy is the error of an open that waited for another process (or
// another Store) holding the file.
var ErrBusy = errors.New("the usage history file is in use by another program; try again in a moment")

// ErrNoHistory is the error of reading a history that was never kept.
var ErrNoHistory = errors.New("no usage history (turn on \"Keep usage history\" in the app's Settings)")

// Key is one counter: a day, a dimension and a name.
type Key struct {
	Day  string // DayLayout
	By   Dim
	Name string
}

// Bytes are the bytes moved: up is client to destination.
type Bytes struct{ Up, Down int64 }

// Record is one counter and its bytes.
type Record struct {
	Key
	Bytes
}

// Store is the history file. It is opened for each write or read and
// closed right after, so that another process (`sockstray usage`) can read
// it between the app's flushes; bbolt's file lock keeps the two apart.
// Its methods are safe for concurrent use.
type Store struct {
	// Path is the file; see DefaultPath.
	Path string
	// Timeout is how long an open waits for the file's lock; zero means 5 s.
	Timeout time.Duration

	mu sync.Mutex // one open at a time within this process
}

// DefaultPath is usage.db in dir, the folder of the app's settings.
func DefaultPath(dir string) string { return filepath.Join(dir, "usage.db") }

// The file's layout: days/<day>/<dim>/<name> = up, down (big-endian
// uint64 each); meta/version = schemaVersion.
var (
	bucketDays = []byte("days")
	bucketMeta = []byte("meta")
	keyVersion = []byte("version")
)

const schemaVersion = 1

func (s *Store) open(readOnly bool) (*bolt.DB, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	if readOnly {
		if _, err := os.Stat(s.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNoHistory
		}
	} else if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(s.Path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", s.Path, ErrBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("usage history %s: %w", s.Path, err)
	}
	return db, nil
}

// Add adds counts to the file and removes the days before keepFrom, in one
// transaction: after a crash the file holds all of it or none.
func (s *Store) Add(counts map[Key]Bytes, keepFrom string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.open(false)
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := checkVersion(tx); err != nil {
			return err
		}
		days, err := tx.CreateBucketIfNotExists(bucketDays)
		if err != nil {
			return err
		}
		for k, b := range counts {
			if err := add(days, k, b); err != nil {
				return err
			}
		}
		return prune(days, keepFrom)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkVersion writes the schema version in a new file and refuses a file
// from a newer app.
func checkVersion(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	v := meta.Get(keyVersion)
	if v == nil {
		return meta.Put(keyVersion, binary.BigEndian.AppendUint64(nil, schemaVersion))
	}
	if len(v) != 8 || binary.BigEndian.Uint64(v) > schemaVersion {
		return errors.New("the usage history was written by a newer Sockstray")
	}
	return nil
}

func add(days *bolt.Bucket, k Key, b Bytes) error {
	day, err := days.CreateBucketIfNotExists([]byte(k.Day))
	if err != nil {
		return err
	}
	dim, err := day.CreateBucketIfNotExists([]byte(k.By))
	if err != nil {
		return err
	}
	old := decode(dim.Get([]byte(k.Name)))
	return dim.Put([]byte(k.Name), encode(Bytes{Up: old.Up + b.Up, Down: old.Down + b.Down}))
}

// prune deletes the days before keepFrom; "" keeps all.
func prune(days *bolt.Bucket, keepFrom string) error {
	if keepFrom == "" {
		return nil
	}
	var old [][]byte
	c := days.Cursor()
	for k, _ := c.First(); k != nil && string(k) < keepFrom; k, _ = c.Next() {
		old = append(old, k)
	}
	for _, k := range old {
		if err := days.DeleteBucket(k); err != nil {
			return err
		}
	}
	return nil
}

func encode(b Bytes) []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(b.Up))
	return binary.BigEndian.AppendUint64(v, uint64(b.Down))
}

func decode(v []byte) Bytes {
	if len(v) != 16 {
		return Bytes{}
	}
	return Bytes{Up: int64(binary.BigEndian.Uint64(v)), Down: int64(binary.BigEndian.Uint64(v[8:]))}
}

// Records reads the counters of the days from..to (both included, "" for
// no bound), in order of day, dimension and name. A missing file is
// ErrNoHistory; the file is opened read-only and never created.
func (s *Store) Records(from, to string) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.open(true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []Record
	err = db.View(func(tx *bolt.Tx) error {
		days := tx.Bucket(bucketDays)
		if days == nil {
			return nil
		}
		c := days.Cursor()
		for k, _ := c.Seek([]byte(from)); k != nil && (to == "" || string(k) <= to); k, _ = c.Next() {
			day := days.Bucket(k)
			if day == nil {
				continue
			}
			err := day.ForEachBucket(func(dim []byte) error {
				return day.Bucket(dim).ForEach(func(name, v []byte) error {
					out = append(out, Record{Key{Day: string(k), By: Dim(dim), Name: string(name)}, decode(v)})
					return nil
				})
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// KeepFrom is the first day a retention of days keeps on the day of now.
func KeepFrom(now time.Time, days int) string {
	if days <= 0 {
		days = DefaultRetention
	}
	return now.AddDate(0, 0, 1-days).Format(DayLayout)
}
