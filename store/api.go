package store

import (
	"sync"
	"time"
)

// Store is one directory of the search path.
type Store struct {
	Dir      string // absolute path
	Managed  bool   // holds a .noxstore marker
	Writable bool   // managed, and the user can write it
	Missing  bool   // does not exist or cannot be read; skipped by every lookup
	// Unusable, when not nil, says why a Missing store's path, which
	// exists, is no store: not a directory, or one the user cannot read
	// (another user's).
	Unusable error
	// Damaged, when not nil, says that the marker is unreadable or
	// malformed: the store is read from but never written.
	Damaged *MarkerError
	index   *storeIndex // see index.go
	// keptFile, when set, keeps the directory's items between
	// processes (see kept.go).
	keptFile string
}

// SearchPath is the ordered list of stores, highest precedence first.
type SearchPath struct {
	Stores []*Store
	// userDefault is the default user store, initialized on first write.
	userDefault string
	// Fetcher, when set, brings entries that no store holds (see Need).
	Fetcher Fetcher
	// guards are the Guards held, which a store made later joins.
	guardMu sync.Mutex
	guards  map[*guard]bool
}

// Entry is one package of a store.
type Entry struct {
	// ID is HASH-NAME-VERSION, or NAME-VERSION for a plain entry.
	ID      string
	Name    string
	Version string
	// Path is the absolute path of the entry's directory.
	Path  string
	Store *Store
	// Info is the entry's .noxinfo; nil for a plain entry.
	Info *Info
	// unread marks, within the package, an entry whose metadata is not
	// read yet (see Store.unread).
	unread bool
}

// Plain reports whether e is a plain NAME-VERSION directory without
// metadata, installed in some other manner.
func (e *Entry) Plain() bool { return e.Info == nil && !e.unread }

// Ref says which entry a PKG names, without what it holds (see Locate).
type Ref struct {
	ID      string
	Name    string
	Version string
}

// Info is the JSON document ID.noxinfo beside an entry.
type Info struct {
	Name       string       `json:"name"`
	Version    string       `json:"version"`
	Hash       string       `json:"hash"` // "sha256:" + 64 hex digits
	Size       int64        `json:"size"`
	Files      int          `json:"files"`
	References []string     `json:"references"` // entry ids
	Env        []EnvSetting `json:"env"`
	Added      time.Time    `json:"added"`
}

// EnvOp is how an entry's env setting applies.
type EnvOp string

const (
	EnvSet     EnvOp = "set"     // VAR=VALUE
	EnvPrepend EnvOp = "prepend" // VAR+=VALUE
	EnvAppend  EnvOp = "append"  // VAR=+VALUE
)

// EnvSetting is one --env setting of an entry. Value may contain ${prefix},
// the path of the entry (or of the generation presenting it).
type EnvSetting struct {
	Var   string `json:"var"`
	Op    EnvOp  `json:"op"`
	Value string `json:"value"`
}
