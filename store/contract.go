package store

// The functions other packages build on. Their bodies are written in the
// store's own files; this file only fixes their signatures for now.

import (
	"context"
	"errors"
)

// ErrNotFound is wrapped by lookups that find no matching entry.
var ErrNotFound = errors.New("not found")

// Open makes the search path of dirs (highest precedence first). userDefault
// is the default user store, made managed on first write; it may be "".
// Missing directories are kept, marked Missing.
func Open(dirs []string, userDefault string) (*SearchPath, error) { panic("unimplemented") }

// WritableStore is the store adds go to: dir when given (it must be
// managed and writable), else the first managed writable store of the
// path, initializing the default user store if needed.
func (sp *SearchPath) WritableStore(dir string) (*Store, error) { panic("unimplemented") }

// Request is NAME or NAME@CONSTRAINT.
type Request struct {
	Name       string
	Constraint string // "" for any version
}

// ParseRequest parses NAME, NAME@CONSTRAINT.
func ParseRequest(s string) (Request, error) { panic("unimplemented") }

// String returns the request as the user writes it.
func (r Request) String() string { panic("unimplemented") }

// Resolve finds the highest matching version in the first store holding a
// match. The error wraps ErrNotFound and names close names as a hint.
func (sp *SearchPath) Resolve(r Request) (*Entry, error) { panic("unimplemented") }

// Get finds the entry with id in the first store holding it (ErrNotFound).
func (sp *SearchPath) Get(id string) (*Entry, error) { panic("unimplemented") }

// Find resolves PKG as the command line takes it: an id, an entry path,
// NAME or NAME@CONSTRAINT.
func (sp *SearchPath) Find(pkg string) (*Entry, error) { panic("unimplemented") }

// Closure returns roots and every entry they reference, transitively, each
// once, roots first. A missing reference is an error.
func (sp *SearchPath) Closure(roots []*Entry) ([]*Entry, error) { panic("unimplemented") }

// AddOptions are the flags of store add.
type AddOptions struct {
	Name, Version string
	Deps          []string     // PKG arguments of --dep
	Env           []EnvSetting // --env
	Strip         int          // leading path components of tarball members; -1: automatic
	// Progress, when set, is called now and then during the copy.
	Progress func(Progress)
}

// Progress reports a long add.
type Progress struct {
	Files int
	Bytes int64
}

// Add copies src (a directory or tarball) into st as a new entry, or finds
// the identical existing one (existed is then true).
func (sp *SearchPath) Add(ctx context.Context, st *Store, src string, opts AddOptions) (e *Entry, existed bool, err error) {
	panic("unimplemented")
}

// Guard takes the gc lock of every managed, writable store of the path:
// shared (exclusive false) for whoever adds, resolves or realizes entries
// until the result is recorded as a root; exclusive for gc. Shared holders
// never block each other. release gives the locks back.
func (sp *SearchPath) Guard(exclusive bool) (release func(), err error) { panic("unimplemented") }
