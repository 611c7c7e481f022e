package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// MarkerName is the file that makes a directory a managed store.
const MarkerName = ".noxstore"

// FormatVersion is the store layout this noxenv writes and understands.
const FormatVersion = 1

// marker is the content of .noxstore.
type marker struct {
	Format int `json:"format"`
}

// Open makes the search path of dirs (highest precedence first). userDefault
// is the default user store, made managed on first write; it may be "".
// Missing directories are kept, marked Missing.
func Open(dirs []string, userDefault string) (*SearchPath, error) {
	sp := &SearchPath{}
	if userDefault != "" {
		abs, err := filepath.Abs(userDefault)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", userDefault, err)
		}
		sp.userDefault = abs
	}
	for _, d := range dirs {
		if sp.names(d) {
			continue
		}
		st, err := openStore(d)
		if err != nil {
			return nil, err
		}
		sp.Stores = append(sp.Stores, st)
	}
	return sp, nil
}

// names reports whether dir is a store already in the path under this or
// another name (XDG_DATA_HOME also in XDG_DATA_DIRS, a symbolic link):
// one store is searched, listed and locked once, where it comes first.
func (sp *SearchPath) names(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	fi, statErr := os.Stat(abs)
	for _, st := range sp.Stores {
		if st.Dir == abs {
			return true
		}
		if statErr == nil {
			if other, err := os.Stat(st.Dir); err == nil && os.SameFile(fi, other) {
				return true
			}
		}
	}
	return false
}

func openStore(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	st := &Store{Dir: abs}
	// What cannot be read as a store is skipped, as a missing one is:
	// one store the user cannot read must not stop every command.
	fi, err := os.Stat(abs)
	if err == nil && !fi.IsDir() {
		err = syscall.ENOTDIR
	} else if err == nil {
		err = unix.Access(abs, unix.R_OK|unix.X_OK)
	}
	if err != nil {
		st.Missing = true
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if !errors.Is(err, fs.ErrNotExist) {
			st.Unusable = fmt.Errorf("store %s: %w", abs, err)
		}
		return st, nil
	}
	// Read without waiting: a FIFO in its place (anyone who can write a
	// group store can make one) waited for a writer for ever.
	var m marker
	err = readFile(filepath.Join(abs, MarkerName), func(data []byte) error {
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		if m.Format < 1 {
			return fmt.Errorf("format %d", m.Format)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	st.Managed = true
	if err != nil {
		// One damaged store must not stop every command: it is read
		// from, as a read-only store is, and never written.
		st.Damaged = &MarkerError{Dir: abs, Err: err}
		return st, nil
	}
	// A store of a newer layout is read-only to this noxenv.
	st.Writable = m.Format <= FormatVersion && canWrite(abs)
	return st, nil
}

func canWrite(dir string) bool {
	return unix.Access(dir, unix.W_OK|unix.X_OK) == nil
}

// Init makes dir a managed store, creating it if needed. It is idempotent.
func Init(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	st, err := openStore(abs)
	if err != nil {
		return nil, err
	}
	if st.Unusable != nil {
		return nil, st.Unusable
	}
	if st.Damaged != nil {
		return nil, st.Damaged
	}
	if st.Managed {
		return st, nil
	}
	if !canWrite(abs) {
		return nil, fmt.Errorf("store %s: not writable", abs)
	}
	data, _ := json.Marshal(marker{Format: FormatVersion})
	if err := WriteFileAtomic(filepath.Join(abs, MarkerName), append(data, '\n'), 0o444); err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	return openStore(abs)
}

// WriteFileAtomic writes data to a hidden temporary file beside path and
// renames it into place: a reader sees the old file or the whole new one.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// MarkerError is a store whose .noxstore cannot be read or is not a store
// marker: the store is read-only.
type MarkerError struct {
	Dir string
	Err error
}

func (e *MarkerError) Error() string {
	return fmt.Sprintf("store %s: %s is not a valid store marker (%v)", e.Dir, MarkerName, e.Err)
}

func (e *MarkerError) Unwrap() error { return e.Err }

// Hint says how to make the store managed again.
func (e *MarkerError) Hint() string {
	return fmt.Sprintf("check %s; to manage the store again, remove it and run 'noxenv store init %s'",
		filepath.Join(e.Dir, MarkerName), e.Dir)
}

// NoWritableStoreError says that no store of the path takes new entries,
// or that the store Dir does not.
type NoWritableStoreError struct {
	Dir string
	// Managed is a store Dir that is managed but read-only: another
	// user's, on a read-only file system, or of a newer noxenv's format.
	Managed bool
}

func (e *NoWritableStoreError) Error() string {
	switch {
	case e.Managed:
		return fmt.Sprintf("store %s is read-only to you", e.Dir)
	case e.Dir != "":
		return fmt.Sprintf("store %s is not a managed, writable store", e.Dir)
	}
	return "no managed, writable store in the store path"
}

// Hint names the command that makes a store writable.
func (e *NoWritableStoreError) Hint() string {
	switch {
	case e.Managed:
		return "it is another user's, on a read-only file system or of a newer noxenv: pass --store DIR of a store you can write"
	case e.Dir != "":
		return fmt.Sprintf("run 'noxenv store init %s' if you own it", e.Dir)
	}
	return "run 'noxenv store init DIR' and add DIR to NOXENV_STORE_PATH, or pass --store DIR"
}

// WritableStore is the store adds go to: dir when given (it must be
// managed and writable), else the first managed writable store of the
// path, initializing the default user store if needed.
func (sp *SearchPath) WritableStore(dir string) (*Store, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", dir, err)
		}
		st := sp.store(abs)
		outside := st == nil
		if outside {
			if st, err = openStore(abs); err != nil {
				return nil, err
			}
		}
		if st.Unusable != nil {
			return nil, st.Unusable
		}
		if st.Damaged != nil {
			return nil, st.Damaged
		}
		if !st.Writable {
			return nil, &NoWritableStoreError{Dir: abs, Managed: st.Managed}
		}
		if outside {
			// Another user's gc may collect it: guarded as the path is.
			if err := sp.guardMade(st); err != nil {
				return nil, err
			}
		}
		return st, nil
	}
	var damaged error
	for _, st := range sp.Stores {
		if st.Writable {
			return st, nil
		}
		if st.Damaged != nil && damaged == nil && canWrite(st.Dir) {
			damaged = st.Damaged
		}
		if sp.userDefault != "" && st.Dir == sp.userDefault && !st.Managed {
			ini, err := Init(st.Dir)
			if err != nil {
				return nil, err
			}
			*st = *ini
			if err := sp.guardMade(st); err != nil {
				return nil, err
			}
			return st, nil
		}
	}
	if damaged != nil {
		// The store that would have taken it.
		return nil, damaged
	}
	return nil, &NoWritableStoreError{}
}

// store returns the store of the path whose directory is dir, or nil.
func (sp *SearchPath) store(dir string) *Store {
	for _, st := range sp.Stores {
		if st.Dir == dir {
			return st
		}
	}
	return nil
}

// State describes a store for `store path`: "writable", "read-only" or
// "missing". The default user store counts as writable before its first
// use when it can be made.
func (sp *SearchPath) State(st *Store) string {
	switch {
	case st.Writable:
		return "writable"
	case st.Dir == sp.userDefault && !st.Managed && !st.Missing && canWrite(st.Dir):
		return "writable"
	case st.Missing:
		return "missing"
	}
	return "read-only"
}
