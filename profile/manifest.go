package profile

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/noxenv/noxenv/store"
)

// ManifestFile is the name of the manifest inside each generation tree. It
// lives in the tree, not beside it, so that a generation appears complete
// with its manifest in one rename and goes away in one removal.
const ManifestFile = ".noxmanifest.json"

// Manifest is what a realized generation records beside its tree, enough
// for gc to know what it keeps alive without the search path.
type Manifest struct {
	Members []Member        `json:"members"`
	Entries []ManifestEntry `json:"entries"` // the closure
}

// ManifestEntry is one entry a generation links into.
type ManifestEntry struct {
	ID   string `json:"id"`
	Path string `json:"path"` // the entry's directory when realized
	// The rest lets a reused generation present its entries without
	// reading the stores again.
	Name       string             `json:"name"`
	Version    string             `json:"version"`
	Priority   int                `json:"priority"`
	Dependency bool               `json:"dependency,omitempty"` // in the closure only, not a member
	Plain      bool               `json:"plain,omitempty"`
	References []string           `json:"references,omitempty"`
	Env        []store.EnvSetting `json:"env,omitempty"`
}

// LoadManifest reads the manifest of the generation tree at dir.
func LoadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("generation %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("generation %s: manifest: %w", dir, err)
	}
	return &m, nil
}

// manifestOf describes g for its manifest.
func manifestOf(g *Generation) *Manifest {
	m := &Manifest{Members: g.Members, Entries: make([]ManifestEntry, len(g.Entries))}
	for i, e := range g.Entries {
		r := g.rankOf(i)
		me := ManifestEntry{ID: e.ID, Path: e.Path, Name: e.Name, Version: e.Version,
			Priority: r.priority, Dependency: r.dep, Plain: e.Plain()}
		if e.Info != nil {
			me.References = e.Info.References
			me.Env = e.Info.Env
		}
		m.Entries[i] = me
	}
	if m.Members == nil {
		m.Members = []Member{}
	}
	return m
}

// generationOf rebuilds the generation at dir from its manifest.
func generationOf(dir string, m *Manifest) *Generation {
	g := &Generation{Dir: dir, Members: m.Members}
	for _, me := range m.Entries {
		g.add(me)
	}
	return g
}

// add appends the entry me of g's manifest to g.
func (g *Generation) add(me ManifestEntry) {
	// The entry and its metadata in one allocation: a reused generation
	// of 200 members makes 200 of them.
	ei := &struct {
		e store.Entry
		i store.Info
	}{e: store.Entry{ID: me.ID, Name: me.Name, Version: me.Version, Path: me.Path}}
	if !me.Plain {
		ei.i = store.Info{Name: me.Name, Version: me.Version, References: me.References, Env: me.Env}
		ei.e.Info = &ei.i
	}
	g.Entries = append(g.Entries, &ei.e)
	g.ranks = append(g.ranks, rank{priority: me.Priority, dep: me.Dependency})
}

// spare holds the buffer the last manifest was read into, for the record
// that a change writes next: reusing a generation reads its manifest (57
// KB for 200 members), then writes the profile's record (as much again),
// and a buffer made for each would be memory the process has never
// touched, a page fault for every 4 KB. (A sync.Pool may hand a put
// buffer to no later get on another processor.)
var spare struct {
	sync.Mutex
	b []byte
}

// takeBuf returns the spare buffer, emptied, for the caller alone until
// it gives it back.
func takeBuf() []byte {
	spare.Lock()
	defer spare.Unlock()
	b := spare.b
	spare.b = nil
	return b[:0]
}

// giveBuf keeps b as the spare buffer, unless a larger one is.
func giveBuf(b []byte) {
	spare.Lock()
	defer spare.Unlock()
	if cap(b) > cap(spare.b) {
		spare.b = b
	}
}

// appendFile appends the contents of the file at path to b, as
// os.ReadFile reads them.
func appendFile(b []byte, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return b, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		b = slices.Grow(b, int(fi.Size())+1) // +1: EOF read without growing
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func writeManifest(dir string, m *Manifest) error {
	// Compact: reusing a generation reads it, and that is on the path of
	// every activation.
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}
